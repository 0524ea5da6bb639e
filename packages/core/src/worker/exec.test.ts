import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SystemCallError } from "../errors.js";
import { resolveProgram } from "../program-path.js";

const dir = mkdtempSync(join(tmpdir(), "neslink-exec-"));
const [a, b] = [join(dir, "a"), join(dir, "b")];
mkdirSync(a);
mkdirSync(b);
writeFileSync(join(a, "prog"), "");
chmodSync(join(a, "prog"), 0o644);
writeFileSync(join(b, "prog"), "#!/bin/sh\n");
chmodSync(join(b, "prog"), 0o755);
mkdirSync(join(a, "dir"));
afterAll(() => rmSync(dir, { recursive: true }));

describe("resolveProgram (as execvp looks a program up)", () => {
  it("takes the first runnable file along PATH, skipping ones that are not runnable", () => {
    expect(resolveProgram("prog", `${a}:${b}`, "/")).toBe(join(b, "prog"));
  });

  it("takes a name with a slash as a path, relative to cwd", () => {
    expect(resolveProgram("./b/prog", "", dir)).toBe(join(b, "prog"));
  });

  it("ENOENT when nothing is found, EACCES when only unrunnable files or directories are", () => {
    const missing = (() => {
      try {
        return resolveProgram("nope", `${a}:${b}`, "/");
      } catch (err) {
        return err;
      }
    })() as SystemCallError;
    expect(missing).toBeInstanceOf(SystemCallError);
    expect(missing.code).toBe("ENOENT");
    expect(missing.message).toContain("nope");
    expect(() => resolveProgram("prog", a, "/")).toThrow(/EACCES/);
    expect(() => resolveProgram("dir", a, "/")).toThrow(/EACCES/);
  });
});
