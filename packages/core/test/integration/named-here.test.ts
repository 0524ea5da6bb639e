// addNamed / removeNamed from the calling thread (named-here.ts): no worker
// starts, the result is what iproute2 makes and sees, entries that are not
// namespaces are refused and left as they were, failures read as the worker's.
// In a private mount dir. No pool is open until the last test, which shows
// why a delete then goes through one.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { ActionError, addNamed, closeDefaultPool, NotANamespaceError, na, ns, nsDo, Pool, removeNamed, rootCause } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { fdCount, inodeOf, linksAt, socketNamespaceInodes, uniquePrefix } from "./kernel.js";
import { mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("nh");
const dir = privateMountDir(prefix);
const at = (name: string) => `${dir}/${name}`;

afterAll(async () => {
  await closeDefaultPool();
  removeMountDir(dir);
});

const threads = () => Number(/^Threads:\s*(\d+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);
const children = () => readFileSync(`/proc/self/task/${process.pid}/children`, "utf8").trim();
const mountsAt = (name: string) => mountsUnder(dir).filter((m) => m.point === at(name));

/** What `work` rejected with; the test fails if it resolved. */
async function failure(work: Promise<unknown>): Promise<ActionError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the work must fail").toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe("without a pool", () => {
  it("addNamed makes a namespace iproute2 sees, with no thread started and nothing left open; removeNamed removes it", async () => {
    const name = `${prefix}a`;
    const [fds, threadsBefore] = [fdCount(), threads()];
    expect(await addNamed(name, dir)).toEqual({ name, path: at(name) });
    expect(threads()).toBe(threadsBefore);
    expect(fdCount()).toBe(fds);
    // The child that held the new namespace has ended.
    expect(children()).toBe("");
    expect(mountsAt(name)).toEqual([{ point: at(name), fstype: "nsfs" }]);
    expect(inodeOf(at(name))).not.toBe(inodeOf("/proc/self/ns/net"));
    expect(linksAt(at(name))).toEqual(["lo"]);

    expect(await removeNamed(name, dir)).toEqual({ name, path: at(name), stale: false });
    expect(threads()).toBe(threadsBefore);
    expect(fdCount()).toBe(fds);
    expect(mountsAt(name)).toEqual([]);
    expect(() => lstatSync(at(name))).toThrow(/ENOENT/);
  });

  it("takes a stale entry over, and removes one", async () => {
    const name = `${prefix}s`;
    writeFileSync(at(name), "", { mode: 0o444 });
    const ino = lstatSync(at(name)).ino;
    await addNamed(name, dir);
    expect(mountsAt(name)).toEqual([{ point: at(name), fstype: "nsfs" }]);
    execFileSync("umount", [at(name)]);
    expect(lstatSync(at(name)).ino).toBe(ino);
    // Said to be the stale entry it is, here and on a worker: no namespace was deleted.
    expect(await removeNamed(name, dir)).toEqual({ name, path: at(name), stale: true });
    writeFileSync(at(name), "", { mode: 0o444 });
    const pool = new Pool({ size: 1 });
    try {
      expect(await removeNamed(name, dir, pool)).toEqual({ name, path: at(name), stale: true });
    } finally {
      await pool.close();
    }
    expect(() => lstatSync(at(name))).toThrow(/ENOENT/);
  });

  it("fails as the worker does: an existing name, a missing one, a bad one", async () => {
    const name = `${prefix}e`;
    await addNamed(name, dir);
    const inode = inodeOf(at(name));
    const exists = await failure(addNamed(name, dir));
    expect(exists.toJSON()).toMatchObject({ code: "ERR_NS_EXISTS", actionIndex: 0, action: "newNamed", returned: true });
    // Said as one call's: no index into a list of actions the caller never wrote.
    expect(exists.message).toBe(`a namespace named "${name}" already exists in ${dir} (newNamed)`);
    expect(inodeOf(at(name))).toBe(inode);
    expect(mountsAt(name)).toHaveLength(1);
    await removeNamed(name, dir);
    const missing = await failure(removeNamed(name, dir));
    expect(missing.toJSON()).toMatchObject({ code: "ERR_NS_NOT_FOUND", actionIndex: 0, action: "deleteNamed" });
    expect(missing.message).toBe(`no namespace at ${at(name)} (deleteNamed)`);
    await expect(addNamed("../x", dir)).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "name" });
    await expect(removeNamed("a", "relative")).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "dir" });
    expect(children()).toBe("");
  });

  describe("entries that are not namespaces are refused and left as they were", () => {
    const attacks = [
      { name: `${prefix}fifo`, reason: "a FIFO", make: (p: string) => execFileSync("mkfifo", [p]) },
      { name: `${prefix}link`, reason: "a symbolic link", make: (p: string) => symlinkSync("/proc/self/ns/net", p) },
      { name: `${prefix}passwd`, reason: "a symbolic link", make: (p: string) => symlinkSync("/etc/passwd", p) },
      { name: `${prefix}notes`, reason: "a file that is not a namespace", make: (p: string) => writeFileSync(p, "notes\n") },
      { name: `${prefix}dir`, reason: "a directory", make: (p: string) => mkdirSync(p) },
    ];
    const snapshot = (name: string) => {
      const st = lstatSync(at(name));
      return {
        mode: st.mode,
        ino: st.ino,
        link: st.isSymbolicLink() ? readlinkSync(at(name)) : null,
        content: st.isFile()
          ? createHash("sha256")
              .update(readFileSync(at(name)))
              .digest("hex")
          : null,
        mounts: mountsAt(name),
        passwd: createHash("sha256").update(readFileSync("/etc/passwd")).digest("hex"),
      };
    };

    // A FIFO opened as a namespace would block until a writer came, never here: the project's timeout ends such a
    // test. (A test's own 5 s bound, as entries.test.ts had, fails it on a loaded machine instead.)
    for (const { name, reason, make } of attacks) {
      it(`${name.slice(prefix.length)}`, async () => {
        make(at(name));
        const before = snapshot(name);
        for (const work of [() => addNamed(name, dir), () => removeNamed(name, dir)]) {
          const err = await failure(work());
          expect(rootCause(err)).toBeInstanceOf(NotANamespaceError);
          expect(err.code).toBe("ERR_NOT_A_NAMESPACE");
          expect(err.message).toContain(reason);
        }
        expect(snapshot(name)).toEqual(before);
        expect(children()).toBe("");
      });
    }
  });
});

it("with a pool open, removeNamed goes through it, which closes the socket its worker holds on the namespace", async () => {
  const name = `${prefix}p`;
  await addNamed(name, dir);
  const inode = inodeOf(at(name));
  await nsDo(ns.name(name, dir), na.links());
  expect(socketNamespaceInodes()).toContain(inode);
  await removeNamed(name, dir);
  // Deleted from this thread, the worker's socket would keep the namespace (and its links) alive.
  expect(socketNamespaceInodes()).not.toContain(inode);
  expect(mountsAt(name)).toEqual([]);
});

it("on a worker, addNamed and removeNamed fail as one call too", async () => {
  const name = `${prefix}w`;
  const pool = new Pool({ size: 1 });
  try {
    await addNamed(name, dir, pool);
    const exists = await failure(addNamed(name, dir, pool));
    expect(exists.toJSON()).toMatchObject({ code: "ERR_NS_EXISTS", actionIndex: 0, action: "newNamed", returned: true });
    expect(exists.message).toBe(`a namespace named "${name}" already exists in ${dir} (newNamed)`);
    await removeNamed(name, dir, pool);
    const missing = await failure(removeNamed(name, dir, pool));
    expect(missing.toJSON()).toMatchObject({ code: "ERR_NS_NOT_FOUND", actionIndex: 0, action: "deleteNamed" });
    expect(missing.message).toBe(`no namespace at ${at(name)} (deleteNamed)`);
    // In an nsDo, where the caller listed the actions, the index stays.
    const listed = await failure(nsDo(ns.now(), na.links(), na.deleteNamed(name, dir)));
    expect(listed.message).toBe(`no namespace at ${at(name)} (action #1: deleteNamed)`);
  } finally {
    await pool.close();
    await nsDo(ns.now(), na.deleteNamed(name, dir)).catch(() => {});
  }
});
