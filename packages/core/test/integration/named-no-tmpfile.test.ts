// A named namespace in a mount dir on a file system that makes no unnamed
// files (O_TMPFILE: EOPNOTSUPP), here a FUSE one (bindfs, which leaves it
// unimplemented): a create makes its entry by name and locks it after, as
// before O_TMPFILE was used, and everything else is as on any other dir. A
// process learns that of the dir once: each create tried O_TMPFILE first.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { addNamed, removeNamed, rootCause } from "@neslink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hasErrno } from "../../src/errno.js";
import * as libc from "../../src/ffi/libc.js";
import { go, linesOf } from "./fixture-lines.js";
import { fuseDir } from "./fuse-dir.js";
import { linksAt, uniquePrefix } from "./kernel.js";
import { coveredMode, mountsUnder } from "./mount-dir.js";
import { PTRACE_DETACH, ptrace, SYS_OPENAT, seizeStopped, stopAt } from "./ptrace.js";

const prefix = uniquePrefix("nf");
const LOOP = fileURLToPath(new URL("../fixtures/named-loop.mjs", import.meta.url));
const fuse = fuseDir(prefix);
const dir = fuse.dir;

beforeAll(() => fuse.mount());
afterAll(() => fuse.remove());

/** O_TMPFILE's error in `at`, undefined if it made a file. */
function unnamedRefusal(at: string): string | undefined {
  try {
    libc.close(libc.openWith(at, libc.O_TMPFILE | libc.O_WRONLY, 0o444));
    return undefined;
  } catch (err) {
    return hasErrno(err, "EOPNOTSUPP") ? "EOPNOTSUPP" : String(err);
  }
}

it("a create makes its entry by name where O_TMPFILE is refused; the name taken, a second fails; a delete removes it", async () => {
  expect(unnamedRefusal(fuse.fuse)).toBe("EOPNOTSUPP");
  const name = `${prefix}a`;
  const entry = `${dir}/${name}`;
  await addNamed(name, dir);
  expect(mountsUnder(dir).filter((m) => m.point === entry)).toEqual([{ point: entry, fstype: "nsfs" }]);
  expect(linksAt(entry)).toEqual(["lo"]);
  expect(coveredMode(entry)).toBe("444");
  const again = await addNamed(name, dir).then(
    () => "made",
    (err) => (rootCause(err) as { code?: string }).code,
  );
  expect(again).toBe("ERR_NS_EXISTS");
  await removeNamed(name, dir);
  expect(mountsUnder(dir).filter((m) => m.point === entry)).toEqual([]);
  expect(readdirSync(dir)).toEqual([]);
});

it("a process tries O_TMPFILE in such a dir once, not at each create", async () => {
  const name = `${prefix}b`;
  // Three creates of one name from the calling thread: the first makes it, the others find it taken, each after a try
  // at a new entry (an unnamed file, where the dir makes them).
  const child = spawn(process.execPath, [LOOP, dir, name, "3", "add"], { stdio: ["pipe", "pipe", "inherit"] });
  const next = linesOf(child);
  const pid = child.pid as number;
  let seized = false;
  try {
    expect(await next()).toBe("ready");
    seizeStopped(pid);
    seized = true;
    await go(child);
    let unnamedOpens = 0;
    stopAt(
      pid,
      (nr, args) => {
        // openat(dirfd, path, flags): O_TMPFILE's own bit.
        if (nr === BigInt(SYS_OPENAT) && ((args[2] as bigint) & 0o20000000n) !== 0n) unnamedOpens++;
        return nr === 1n && args[0] === 1n;
      },
      "entry",
    );
    ptrace(PTRACE_DETACH, pid, 0, 0);
    seized = false;
    expect({ outcomes: JSON.parse(await next()), unnamedOpens }).toEqual({
      outcomes: ["ok", "ERR_NS_EXISTS", "ERR_NS_EXISTS"],
      unnamedOpens: 1,
    });
    expect(linksAt(`${dir}/${name}`)).toEqual(["lo"]);
  } finally {
    if (seized) ptrace(PTRACE_DETACH, pid, 0, 0);
    child.kill("SIGKILL");
  }
});
