/**
 * listNamed tells namespaces by the mount table: what the mount table could
 * get wrong is checked against what opening each entry says (the kernel's
 * own answer, `ip netns exec`), in a private mount dir: another kind of
 * namespace mounted there, a file bound over a namespace, a namespace
 * hidden under a bind mount of the dir, names mountinfo escapes, the dir
 * reached through a symlink.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { listNamed, na, ns, nsDo } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("lm");
const dir = privateMountDir(prefix);
const link = `${dir}-link`;
const at = (name: string) => `${dir}/${name}`;
/** Whether iproute2 can enter the entry as a network namespace (it opens it and setns's, as neslink's own checks do). */
const enterable = (name: string) => spawnSync("nsenter", [`--net=${at(name)}`, "true"]).status === 0;
const mount = (...args: string[]) => execFileSync("mount", args);

const [net, uts, covered, odd] = [`${prefix}net`, `${prefix}uts`, `${prefix}covered`, `${prefix} a\tb\\c`];

beforeAll(async () => {
  await nsDo(ns.now(), na.createNamed(net, dir), na.createNamed(covered, dir));
  // A name neslink would refuse to make, but lists (as `ip netns list` would): the same namespace bound there.
  writeFileSync(at(odd), "");
  mount("--bind", at(net), at(odd));
  // An nsfs mount of another kind of namespace: this process's UTS namespace.
  writeFileSync(at(uts), "");
  mount("--bind", "/proc/self/ns/uts", at(uts));
  // A plain file bound over a network namespace's mount: the file is what the entry is now.
  const file = `${dir}-file`;
  writeFileSync(file, "");
  mount("--bind", file, at(covered));
  symlinkSync(dir, link);
});

afterAll(() => {
  removeMountDir(dir);
  rmSync(`${dir}-file`, { force: true });
  rmSync(link, { force: true });
});

describe("listNamed, from the mount table", () => {
  it("lists what can be entered as a network namespace, and nothing else", () => {
    expect(enterable(net)).toBe(true);
    expect(enterable(odd)).toBe(true);
    expect(enterable(uts)).toBe(false);
    expect(enterable(covered)).toBe(false);
    expect(listNamed(dir)).toEqual([odd, net].sort());
  });

  it("the same through a symlink to the dir", () => {
    expect(listNamed(link)).toEqual([odd, net].sort());
  });

  it("namespaces hidden under a bind mount of the dir itself are not listed: their entries are plain files there now", () => {
    const hidden = `${dir}/sub`;
    mkdirSync(hidden);
    const inside = `${prefix}in`;
    writeFileSync(`${hidden}/${inside}`, "");
    mount("--bind", `/proc/self/ns/net`, `${hidden}/${inside}`);
    try {
      expect(listNamed(hidden)).toEqual([inside]);
      // Not recursive: the new mount of sub has none of the mounts under it, so the namespace's entry is its empty file.
      mount("--bind", hidden, hidden);
      try {
        expect(spawnSync("nsenter", [`--net=${hidden}/${inside}`, "true"]).status).not.toBe(0);
        expect(listNamed(hidden)).toEqual([]);
      } finally {
        execFileSync("umount", [hidden]);
      }
      expect(listNamed(hidden)).toEqual([inside]);
    } finally {
      execFileSync("umount", [`${hidden}/${inside}`]);
    }
  });

  it("a dir that does not exist lists nothing", () => {
    expect(listNamed(`${dir}-missing`)).toEqual([]);
  });
});
