/**
 * listNetns: the named namespaces as `ip -j netns list` gives them, each with
 * the id the caller's namespace gives it. In a mount dir of the test's own
 * (see private-namespaces.ts: in /run/netns, another test's watch may give
 * one an id meanwhile), more entries than one batch of descriptors.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { listNetns } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, fdCount, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";
import { makeNamespace, nsidAt, takeNsid } from "./private-namespaces.js";

const prefix = uniquePrefix("li");
const dir = privateMountDir(prefix);

afterAll(() => {
  // The ids go with the namespaces: the kernel takes them back as it destroys them.
  removeMountDir(dir);
  cleanup(prefix);
});

it("gives each namespace with the id this namespace gives it, where it has one; gives none; holds no descriptor after", () => {
  mkdirSync(dir, { recursive: true });
  // 70: past one batch (64 entries open at once), the ids of the second batch read as those of the first.
  const names = Array.from({ length: 70 }, (_, i) => `n${String(i).padStart(2, "0")}`);
  for (const name of names) makeNamespace(`${dir}/${name}`);
  // Ids chosen here (far from the low ones the kernel hands out), given by the kernel to every tenth, both batches.
  const numbered = new Map(names.filter((_, i) => i % 10 === 3).map((name, k) => [name, 40_000 + k]));
  for (const [name, id] of numbered) expect(takeNsid(`${dir}/${name}`, id, 5_000)).toBe(true);
  // An entry with no namespace on it (what a killed create leaves) is none, as in listNamed.
  writeFileSync(`${dir}/stale`, "");
  const before = fdCount();
  const listed = listNetns(dir);
  expect(fdCount()).toBe(before);
  expect(listed).toEqual(names.map((name) => (numbered.has(name) ? { name, id: numbered.get(name) } : { name })));
  expect([...numbered.keys()].map((name) => listed.find((n) => n.name === name)?.id)).toEqual([...numbered.values()]);
  // Only asked: a namespace that had no id still has none.
  expect(names.filter((name) => !numbered.has(name)).map((name) => nsidAt(`${dir}/${name}`))).toEqual(
    names.filter((name) => !numbered.has(name)).map(() => -1),
  );
});

it("refuses a mount dir that is not an absolute path, naming it; an empty or missing dir has none", () => {
  expect(() => listNetns("run/netns")).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "dir" }));
  expect(listNetns(`${dir}-none`)).toEqual([]);
});
