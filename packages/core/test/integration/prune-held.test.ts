// A prune's second look at an entry it first saw stale, while a delete is
// between its unmount and its unlink, or a create (where the file system makes
// no unnamed file: bindfs) between making its entry by name and locking it:
// the entry looks stale for that moment, and a prune whose second look came
// then removed it and listed it as a killed creator's leftover (the create
// then made it again). Here the deleting or creating thread is held (ptrace)
// in that moment; the prune, run in a process of its own and traced, must
// wait for it (its try at the dir's lock refused) rather than remove the entry,
// and, let go after it, find nothing to remove.
import { type ChildProcess, spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { addNamed } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { go, linesOf } from "./fixture-lines.js";
import { fuseDir } from "./fuse-dir.js";
import { linksAt, uniquePrefix } from "./kernel.js";
import { mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";
import { PTRACE_DETACH, ptrace, seizeStopped, stopAt, stringAt } from "./ptrace.js";

const prefix = uniquePrefix("ph");
const DEL = fileURLToPath(new URL("../fixtures/named-del-held.mjs", import.meta.url));
const LOOP = fileURLToPath(new URL("../fixtures/named-loop.mjs", import.meta.url));
const PRUNE = fileURLToPath(new URL("../fixtures/prune-once.mjs", import.meta.url));
const SYS_UNLINK = 87n;
const SYS_FLOCK = 73n;
const SYS_UNLINKAT = 263n;
const LOCK_EX_NB = 2n | 4n;
const EWOULDBLOCK = -11;

/** Whether a system call entered, `nr` with `args`, by process `pid`, unlinks `path`. */
function unlinks(pid: number, nr: bigint, args: bigint[], path: string): boolean {
  if (nr === SYS_UNLINK) return stringAt(pid, args[0] as bigint) === path;
  return nr === SYS_UNLINKAT && stringAt(pid, args[1] as bigint) === path;
}

/**
 * Seized threads, let go (PTRACE_DETACH) in the order given by `release`, each at most once: the finally of a test
 * that failed midway lets go of whichever are still held.
 */
class Held {
  readonly #tids = new Set<number>();
  seize(tid: number): void {
    seizeStopped(tid);
    this.#tids.add(tid);
  }
  release(tid: number): void {
    if (this.#tids.delete(tid)) ptrace(PTRACE_DETACH, tid, 0, 0);
  }
  releaseAll(): void {
    for (const tid of this.#tids) this.release(tid);
  }
}

/**
 * Starts a prune of `dir` (`way`) in a process of its own and runs it, traced, to its judgement of `entry`: a refused
 * try at the dir's exclusive lock (it waits for whoever holds the dir), or the unlink of the entry (it did not wait).
 * Leaves it stopped there; returns it and what it did there.
 */
async function pruneUntilItJudges(dir: string, entry: string, way: string, held: Held) {
  const child = spawn(process.execPath, [PRUNE, dir, way], { stdio: ["pipe", "pipe", "inherit"] });
  const next = linesOf(child);
  expect(await next()).toBe("ready");
  const pid = child.pid as number;
  held.seize(pid);
  await go(child);
  let did = "";
  stopAt(pid, (nr, args, returned) => {
    if (unlinks(pid, nr, args, entry)) did = "unlinked the entry";
    else if (nr === SYS_FLOCK && args[1] === LOCK_EX_NB && returned === EWOULDBLOCK && readlinkSync(`/proc/${pid}/fd/${args[0]}`) === dir)
      did = "waits for the dir's lock";
    return did !== "";
  });
  return { child, pid, next, did };
}

describe("a prune while a delete is between its unmount and its unlink", () => {
  const dir = privateMountDir(prefix);
  afterAll(() => removeMountDir(dir));

  it.each(["sync", "async"])("(%s) waits for it, then finds nothing to remove", async (way) => {
    const name = `${prefix}d${way[0]}`;
    const entry = `${dir}/${name}`;
    await addNamed(name, dir);
    const held = new Held();
    const deleter = spawn(process.execPath, [DEL, dir, name, "here"], { stdio: ["pipe", "pipe", "inherit"] });
    let prune: ChildProcess | undefined;
    try {
      const deleted = linesOf(deleter);
      const { tid } = JSON.parse(await deleted()) as { tid: number };
      held.seize(tid);
      await go(deleter);
      // Unmounted, about to lock the entry's file to unlink it: an empty file with nothing mounted on it, unlocked.
      stopAt(
        tid,
        (nr, args) => nr === SYS_FLOCK && args[1] === LOCK_EX_NB && readlinkSync(`/proc/${tid}/fd/${args[0]}`) === entry,
        "entry",
      );
      expect(mountsUnder(dir).filter((m) => m.point === entry)).toEqual([]);
      const pruning = await pruneUntilItJudges(dir, entry, way, held);
      prune = pruning.child;
      expect(pruning.did).toBe("waits for the dir's lock");
      held.release(tid);
      expect(await deleted()).toBe("ok");
      held.release(pruning.pid);
      expect(JSON.parse(await pruning.next())).toEqual({ removed: [], skipped: [] });
    } finally {
      held.releaseAll();
      deleter.kill("SIGKILL");
      prune?.kill("SIGKILL");
    }
  });
});

describe("a prune while a create (on a file system with no O_TMPFILE) is between making its entry and locking it", () => {
  const fuse = fuseDir(prefix);
  const dir = fuse.dir;
  beforeAll(() => fuse.mount());
  afterAll(() => fuse.remove());

  it("waits for it, then finds nothing to remove; the create makes its entry once", async () => {
    const name = `${prefix}c`;
    const entry = `${dir}/${name}`;
    const held = new Held();
    // The fixture creates the name once, from its calling thread (no pool): the thread to hold is its main one.
    const creator = spawn(process.execPath, [LOOP, dir, name, "1", "add"], { stdio: ["pipe", "pipe", "inherit"] });
    let prune: ChildProcess | undefined;
    try {
      const created = linesOf(creator);
      expect(await created()).toBe("ready");
      const pid = creator.pid as number;
      held.seize(pid);
      await go(creator);
      // Made by name, about to be locked.
      stopAt(pid, (nr, args) => nr === SYS_FLOCK && args[1] === LOCK_EX_NB, "entry");
      const pruning = await pruneUntilItJudges(dir, entry, "sync", held);
      prune = pruning.child;
      expect(pruning.did).toBe("waits for the dir's lock");
      held.release(pid);
      expect(await created()).toBe('["ok"]');
      held.release(pruning.pid);
      expect(JSON.parse(await pruning.next())).toEqual({ removed: [], skipped: [] });
      expect(mountsUnder(dir).filter((m) => m.point === entry)).toEqual([{ point: entry, fstype: "nsfs" }]);
      expect(linksAt(entry)).toEqual(["lo"]);
    } finally {
      held.releaseAll();
      creator.kill("SIGKILL");
      prune?.kill("SIGKILL");
    }
  });
});
