// replaceWith: the program takes the process's place inside the namespace
// (the CLI's tests show a program run that way: its pid, descriptors, signals,
// terminal, against ip netns exec's). Here, what it does when it cannot.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { canReplace, ns, replaceWith } from "@neslink/core/replace";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("rp");
const SCRIPT = fileURLToPath(new URL("../fixtures/replace-fails.mjs", import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/${prefix}`);

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

it("an exec that fails once inside the namespace leaves the process as it was: its thread home, signals, standard streams", () => {
  const name = `${prefix}a`;
  ip("netns", "add", name);
  const out = JSON.parse(execFileSync(process.execPath, [SCRIPT, name, `${dir}/busy`], { encoding: "utf8" }));
  expect(out.error).toEqual({ name: "ActionError", code: "ETXTBSY", cause: "ETXTBSY" });
  expect(out.after).toEqual(out.before);
  expect(out.before.ns).toBe(execFileSync("readlink", ["/proc/self/ns/net"], { encoding: "utf8" }).trim());
});

it("a program that cannot run is its typed error before anything changes; a namespace that is not there, the namespace's", () => {
  const name = `${prefix}b`;
  ip("netns", "add", name);
  expect(() => replaceWith(ns.name(name), [`${prefix}-no-such-program`])).toThrow(
    expect.objectContaining({ name: "ActionError", code: "ENOENT" }),
  );
  // Both wrong: the namespace is the error (spawn's order), and nothing runs.
  expect(() => replaceWith(ns.name(`${prefix}-none`), [`${prefix}-no-such-program`])).toThrow(
    expect.objectContaining({ code: "ERR_NS_NOT_FOUND" }),
  );
  expect(() => replaceWith(ns.name(name), [])).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }));
});

it("says where it can: an existing namespace (this process is root), not one still to be made", () => {
  expect(canReplace(ns.name(`${prefix}b`))).toBe(true);
  expect(canReplace(ns.now())).toBe(true);
  expect(canReplace(ns.create())).toBe(false);
});
