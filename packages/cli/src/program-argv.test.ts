import { describe, expect, it } from "vitest";
import { OPTIONS } from "./args.js";
import { markProgram, ownArgs, VALUE_FLAGS } from "./program-argv.js";

describe("markProgram: an exec's program starts at CMD, as in ip netns exec", () => {
  it('puts "--" before CMD when it was left out, after NS or with -n', () => {
    expect(markProgram(["exec", "h1", "ip", "-br", "link"])).toEqual(["exec", "h1", "--", "ip", "-br", "link"]);
    expect(markProgram(["ns", "exec", "lab:h1", "ping", "-c1", "10.0.0.1"])).toEqual([
      "ns",
      "exec",
      "lab:h1",
      "--",
      "ping",
      "-c1",
      "10.0.0.1",
    ]);
    expect(markProgram(["--json", "exec", "-n", "h1", "ip", "-j", "link", "--json"])).toEqual([
      "--json",
      "exec",
      "-n",
      "h1",
      "--",
      "ip",
      "-j",
      "link",
      "--json",
    ]);
    expect(markProgram(["exec", "--ns=h1", "sh", "-c", "x"])).toEqual(["exec", "--ns=h1", "--", "sh", "-c", "x"]);
    expect(markProgram(["-nh1", "exec", "sh"])).toEqual(["-nh1", "exec", "--", "sh"]);
  });

  it("leaves every other argv as it is: a given --, other commands, an exec without CMD", () => {
    for (const argv of [
      ["exec", "h1", "--", "ip", "-j"],
      ["exec", "h1"],
      ["exec", "--help"],
      ["link", "add", "veth", "v0", "peer", "eth0", "-n", "h1"],
      ["ns", "add", "exec"],
      ["shell", "-f", "exec"],
    ]) {
      expect(markProgram(argv)).toEqual(argv);
    }
  });

  it("knows every option that takes a value, so that a value is never taken for NS or CMD", () => {
    const valued = Object.entries(OPTIONS).flatMap(([name, o]) =>
      o.type === "string" ? [`--${name}`, ...("short" in o ? [`-${o.short}`] : [])] : [],
    );
    expect([...VALUE_FLAGS].sort()).toEqual(valued.sort());
  });

  it("ownArgs: neslink's arguments only, not the program's", () => {
    expect(ownArgs(["exec", "h1", "tool", "--json", "--agent"])).toEqual(["exec", "h1"]);
    expect(ownArgs(["--json", "links"])).toEqual(["--json", "links"]);
  });
});
