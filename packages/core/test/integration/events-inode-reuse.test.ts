/**
 * A namespace's inode number given again. The kernel numbers namespaces from
 * one pool, lowest free first, so a namespace made after one is destroyed can
 * get its inode: `ip netns del a; ip netns add a` may make an `a` with the
 * same dev:ino as the first. A watch that told namespaces apart by dev:ino,
 * its first one's end dropped by an overflow, took the new one for the first:
 * no `gone`, and the new one neither listed nor heard.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { watchProcess } from "./held-listener.js";
import { cleanup, linksAt, until, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";
import { dropNamespace, inNamespace, makeNamespace } from "./private-namespaces.js";

const prefix = uniquePrefix("ei");
/** NS_GET_ID (a namespace's 64-bit id, never reused in a boot): Linux 6.12+. Before it, dev:ino is all there is. */
const [major = 0, minor = 0] = release().split(".").map(Number);
const namespaceIds = major > 6 || (major === 6 && minor >= 12);
const dir = privateMountDir(prefix);
/** Where the namespaces made while waiting for the inode are kept: not the watched dir. */
const spare = `${dir}-spare`;
const flood = join(tmpdir(), `${prefix}.batch`);

afterAll(() => {
  rmSync(flood, { force: true });
  removeMountDir(dir);
  removeMountDir(spare);
  cleanup(prefix);
});

/** Namespaces made while waiting for an inode, kept (each takes the lowest number free when made): by round. */
let made = 0;

/**
 * A new namespace with inode `ino`, mounted at `path`, if one of `tries` made
 * gets it: the kernel frees it as it destroys its holder, and gives the lowest
 * free one next. Another process may take it first (other tests, other
 * sessions make namespaces all the time): false then.
 */
function namespaceWithInode(ino: number, path: string, tries: number): boolean {
  mkdirSync(spare, { recursive: true });
  for (let i = 0; i < tries; i++) {
    const file = `${spare}/t${made++}`;
    makeNamespace(file);
    if (statSync(file).ino !== ino) continue;
    writeFileSync(path, "");
    execFileSync("mount", ["--bind", file, path]);
    return true;
  }
  return false;
}

describe("watch of a namespace whose inode is given again", () => {
  it.runIf(namespaceIds)(
    "says `gone` of the first namespace and lists and hears the new one, its end dropped by an overflow",
    async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(flood, Array.from({ length: 20 }, (_, i) => `link add x${i} type veth peer name y${i}\n`).join(""));
      // Rounds until the inode is given to ours: another process may take it first.
      let judged = 0;
      for (let round = 0; round < 8 && judged === 0; round++) {
        const [reused, busy] = [`${dir}/a${round}`, `${dir}/b${round}`];
        for (const path of [reused, busy]) makeNamespace(path);
        const watcher = await watchProcess({ named: true, dir }, { groups: ["link"], receiveBuffer: 4096, listExisting: true });
        try {
          const ino = statSync(reused).ino;
          await watcher.hold();
          // Far more than a 4 KiB queue holds: the end of the first namespace (its RTM_DELNSID) that follows is dropped.
          inNamespace(busy, "ip", "-batch", flood);
          dropNamespace(reused);
          if (!namespaceWithInode(ino, reused, 50)) continue;
          judged++;
          const before = watcher.events.length;
          watcher.release();
          const shown = () =>
            watcher.events
              .slice(before)
              .filter((e) => e.netns === reused)
              .map((e) => (e.type === "link" ? `${e.action} ${e.link.name}` : e.type));
          expect(await until(() => shown().includes("synced"), 20_000), `the new one is listed: ${shown()}`).toBe(true);
          inNamespace(reused, "ip", "link", "add", "mark", "type", "bridge");
          expect(linksAt(reused)).toContain("mark");
          expect(await until(() => shown().includes("new mark"), 20_000), `the new one is heard: ${shown()}`).toBe(true);
          // The 4 KiB queue overflows again whenever other namespaces' links change fast (other tests, anything on the
          // host): each overflow is one more resync/synced pair, and says nothing of these namespaces.
          const seen = shown();
          expect(seen[0]).toBe("resync");
          expect(seen.filter((e) => e !== "resync" && e !== "synced")).toEqual(["gone", "new lo", "new mark"]);
          expect(seen.indexOf("synced")).toBeGreaterThan(seen.indexOf("new lo"));
        } finally {
          watcher.end();
        }
      }
      expect(judged, "a new namespace got the first one's inode in some round").toBe(1);
    },
    120_000,
  );
});
