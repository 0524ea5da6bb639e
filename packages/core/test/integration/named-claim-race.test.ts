// A delete or a prune that comes while a create has made its entry's file and
// not yet locked it. The create made the file by name (O_CREAT|O_EXCL) and
// locked it after: in between it was an empty, unlocked file, which the
// delete (saying it deleted it) and the prune (listing it as removed) took
// for a killed creator's leftover and removed, and the create made it again.
// Here the creating thread is held (ptrace) at that flock(2) while the rival
// runs: it must find no entry, and the create must make none anew.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { pruneNamed, removeNamed, rootCause } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { linksAt, uniquePrefix } from "./kernel.js";
import { coveredMode, mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";
import { PTRACE_DETACH, ptrace, seizeStopped, stopAt, stringAt } from "./ptrace.js";

const prefix = uniquePrefix("nc");
const dir = privateMountDir(prefix);
const SCRIPT = fileURLToPath(new URL("../fixtures/named-loop.mjs", import.meta.url));

/** x86_64 system call numbers. */
const SYS_WRITE = 1;
const SYS_WRITEV = 20;
const SYS_FLOCK = 73;
const SYS_OPENAT = 257;
const LOCK_EX_NB = 2n | 4n;
/** open(2) flags that make a file: O_CREAT, and O_TMPFILE's own bit. */
const MAKES_FILE = 0o100n | 0o20000000n;

afterAll(() => removeMountDir(dir));

/** Whether a system call entered, `nr` with `args`, is an open(2) that makes a file in `dir` (by name, or unnamed in it). */
function makesEntry(pid: number, nr: bigint, args: bigint[]): boolean {
  if (nr !== BigInt(SYS_OPENAT) || ((args[2] as bigint) & MAKES_FILE) === 0n) return false;
  const path = stringAt(pid, args[1] as bigint);
  return path === dir || path.startsWith(`${dir}/`);
}

/** Whether a system call entered is the write of the fixture's outcomes to its stdout. */
const printing = (nr: bigint, args: bigint[]) => (nr === BigInt(SYS_WRITE) || nr === BigInt(SYS_WRITEV)) && args[0] === 1n;

/** What the rival says it did to the entry `name`. */
async function rivalOf(kind: "delete" | "prune", name: string): Promise<string> {
  if (kind === "prune") return JSON.stringify(pruneNamed(dir).removed);
  try {
    await removeNamed(name, dir);
    return "deleted";
  } catch (err) {
    return String((rootCause(err) as { code?: string }).code);
  }
}

it.each([
  ["delete", "ERR_NS_NOT_FOUND"],
  ["prune", "[]"],
] as const)(
  "a %s while a create is between making its entry and locking it finds nothing to remove; the create makes its entry once",
  async (kind, expected) => {
    const name = `${prefix}${kind[0]}`;
    // The fixture creates the name once, from its calling thread (no pool): the thread to hold is its main one.
    const child: ChildProcess = spawn(process.execPath, [SCRIPT, dir, name, "1", "add"], { stdio: ["pipe", "pipe", "inherit"] });
    const pid = child.pid as number;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
    let seized = false;
    try {
      expect((await lines.next()).value).toBe("ready");
      seizeStopped(pid);
      seized = true;
      child.stdin?.end("go\n");
      // Held at the lock of its new entry's file: made, not yet locked.
      stopAt(pid, (nr, args) => nr === BigInt(SYS_FLOCK) && args[1] === LOCK_EX_NB, "entry");
      const said = await rivalOf(kind, name);
      // Let it go on until it prints what its create did, counting the files it makes meanwhile.
      let madeAgain = 0;
      stopAt(
        pid,
        (nr, args) => {
          if (makesEntry(pid, nr, args)) madeAgain++;
          return printing(nr, args);
        },
        "entry",
      );
      ptrace(PTRACE_DETACH, pid, 0, 0);
      seized = false;
      const outcome = (await lines.next()).value;
      expect({ said, madeAgain, outcome }).toEqual({ said: expected, madeAgain: 0, outcome: '["ok"]' });
      // The create's namespace is mounted on the entry, as iproute2 sees it.
      expect(mountsUnder(dir).filter((m) => m.point === `${dir}/${name}`)).toEqual([{ point: `${dir}/${name}`, fstype: "nsfs" }]);
      expect(linksAt(`${dir}/${name}`)).toEqual(["lo"]);
      // Under it, the file made unnamed and linked: read-only, as entries made by name were (leftovers.ts).
      expect(coveredMode(`${dir}/${name}`)).toBe("444");
    } finally {
      if (seized) ptrace(PTRACE_DETACH, pid, 0, 0);
      child.kill("SIGKILL");
    }
  },
  60_000,
);
