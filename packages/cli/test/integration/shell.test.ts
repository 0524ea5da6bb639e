import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslinkWith } from "./run.js";

const prefix = uniquePrefix("ns");
afterAll(() => cleanup(prefix));

describe("neslink shell: many commands, one process", () => {
  it("runs a script's lines in order; quotes and comments as in a shell", () => {
    const names = Array.from({ length: 20 }, (_, i) => `${prefix}${i}`);
    const script = [
      "# twenty namespaces, then a link in the first",
      ...names.map((n) => `ns add ${n}`),
      `link add bridge br0 up -n ${names[0]}`,
      `link set br0 alias "made by a script" -n ${names[0]}  # a comment`,
    ].join("\n");
    const r = neslinkWith(script, "shell");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(netnsList(prefix).sort()).toEqual([...names].sort());
    const [br0] = JSON.parse(execFileSync("ip", ["-j", "-n", names[0] as string, "link", "show", "br0"], { encoding: "utf8" }));
    expect(br0.ifalias).toBe("made by a script");
  });

  it("stops at the first failing line with its status and says which; --json prints each result", () => {
    const name = `${prefix}x`;
    const r = neslinkWith([`ns add ${name}`, `ns add ${name}`, `ns del ${name}`].join("\n"), "shell", "--json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`neslink: stopped at line 2: ns add ${name}`);
    const [first, second] = r.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t));
    expect(first).toEqual({ name, path: `/run/netns/${name}` });
    expect(second.error.code).toBe("ERR_NS_EXISTS");
    expect(netnsList(prefix)).toContain(name);
  });
});
