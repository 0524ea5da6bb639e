// A delete of a named namespace that checks the entry, then unmounts it: a
// user's `ip netns del X` and `ip netns add X` in between put a namespace of
// theirs at the path, and a delete that unmounted by path took theirs down
// (and removed its file, taken for its own emptied one). Here the thread that
// checked is held (ptrace) before its unmount while the test does what ip does
// (lazy unmount, unlink, a new file of mode 0, a new namespace mounted on it);
// let go, the delete must leave that namespace mounted, and say it found
// nothing to delete, as a delete that came after ip's would. Each way: the
// calling thread's delete, a worker's batch, and a guarded one (a lab destroy's).
import { execFileSync, spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { addNamed } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { go, linesOf } from "./fixture-lines.js";
import { inodeOf, linksAt, uniquePrefix } from "./kernel.js";
import { mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";
import { PTRACE_DETACH, ptrace, seizeStopped, stopAt } from "./ptrace.js";

const prefix = uniquePrefix("nr");
const dir = privateMountDir(prefix);
const SCRIPT = new URL("../fixtures/named-del-held.mjs", import.meta.url).pathname;
const SYS_FLOCK = 73n;
const LOCK_SH_NB = 1n | 4n;

afterAll(() => removeMountDir(dir));

/** `ip netns del` and `ip netns add` of the entry at `path`, as ip makes them (no lock taken); the new namespace's inode. */
function replacedByHand(path: string): number {
  execFileSync("sh", ["-c", 'umount -l "$1" && rm "$1" && : > "$1" && chmod 0 "$1" && unshare --net="$1" true', "sh", path]);
  return inodeOf(path);
}

it.each([
  ["here", "ERR_NS_NOT_FOUND"],
  ["worker", "ERR_NS_NOT_FOUND"],
  ["guarded", "skipped"],
] as const)(
  "a delete (%s) whose entry is deleted and made again by hand after its check leaves the new namespace mounted",
  async (way, expected) => {
    const name = `${prefix}${way[0]}`;
    const entry = `${dir}/${name}`;
    await addNamed(name, dir);
    if (way === "guarded") execFileSync("nsenter", [`--net=${entry}`, "ip", "link", "set", "lo", "alias", `${prefix}-mark`]);
    const child = spawn(process.execPath, [SCRIPT, dir, name, way, prefix], { stdio: ["pipe", "pipe", "inherit"] });
    const next = linesOf(child);
    let tid: number | undefined;
    try {
      tid = (JSON.parse(await next()) as { tid: number }).tid;
      seizeStopped(tid);
      await go(child);
      const held = tid;
      // Checked, about to take the dir's lock (shared: it is to unmount), then unmount.
      stopAt(
        held,
        (nr, args) => nr === SYS_FLOCK && args[1] === LOCK_SH_NB && readlinkSync(`/proc/${held}/fd/${args[0]}`) === dir,
        "entry",
      );
      const theirs = replacedByHand(entry);
      ptrace(PTRACE_DETACH, tid, 0, 0);
      tid = undefined;
      expect(await next()).toBe(expected);
      // Theirs is there, mounted, as iproute2 sees it.
      expect(mountsUnder(dir).filter((m) => m.point === entry)).toEqual([{ point: entry, fstype: "nsfs" }]);
      expect(inodeOf(entry)).toBe(theirs);
      expect(linksAt(entry)).toEqual(["lo"]);
    } finally {
      if (tid !== undefined) ptrace(PTRACE_DETACH, tid, 0, 0);
      child.kill("SIGKILL");
    }
  },
  60_000,
);
