/** The built bin's rough edges found in a first hour, polished: option errors, namespace names with a colon, graph. */
import { describe, expect, it } from "vitest";
import { neslink } from "./run.js";

describe("a mistyped option", () => {
  it("of a command that passes no arguments through points to the option nearest to it, not to --", () => {
    const r = neslink("apply", "x.yaml", "--yse");
    expect(r.stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: --yse: is not an option of "neslink apply"; did you mean --yes?\nRun "neslink apply --help" for usage.\n',
    );
    expect(r.status).toBe(2);
  });

  it("of exec still says that the program's own options go after --", () => {
    const r = neslink("exec", "h1", "--yse");
    expect(r.stderr).toMatch(/^neslink: ERR_INVALID_ARGUMENT: --yse: is not an option; .* as in: -- --yse\n/);
    expect(r.status).toBe(2);
  });
});

describe("an option the command does not take", () => {
  it("is named as it was typed", () => {
    const r = neslink("ns", "list", "-n", "foo");
    expect(r.stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: -n: is not an option of "neslink ns list"\nRun "neslink ns list --help" for usage.\n',
    );
    expect(r.status).toBe(2);
  });
});
