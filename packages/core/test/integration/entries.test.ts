// Entries of a mount dir that are not namespaces (issue 13, point 1): each
// attack from the issue, in a private mount dir so nothing reaches /run/netns
// (a FIFO there would hang `ip netns list` for everyone else too).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { closeDefaultPool, defaultPool, la, listNamed, lp, NotANamespaceError, na, ns, nsDo, pruneNamed, rootCause } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fdCount, linksAt, uniquePrefix } from "./kernel.js";
import { mountPointsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("ne");
const dir = privateMountDir(prefix);
const victim = `${dir}-victim`;
const real = `${prefix}real`;
const at = (name: string) => `${dir}/${name}`;
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/**
 * The error's root cause, which must be ERR_NOT_A_NAMESPACE. A FIFO must not block: an open(2) of one blocks until a
 * writer comes, which none does here, so a blocked worker never answers and the project's timeout fails the test. (A
 * test's own 5 s bound failed it on a loaded machine, where the same work took longer.)
 */
async function refused(work: Promise<unknown>): Promise<NotANamespaceError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the work must fail").toBeDefined();
  const cause = rootCause(err) as NotANamespaceError;
  expect(cause).toBeInstanceOf(NotANamespaceError);
  expect(cause.code).toBe("ERR_NOT_A_NAMESPACE");
  return cause;
}

beforeAll(async () => {
  await nsDo(ns.now(), na.createNamed(real, dir));
  mkdirSync(victim);
  execFileSync("mount", ["-t", "tmpfs", `${prefix}-victim`, victim]);
  writeFileSync(`${victim}/keep`, "precious\n");
  writeFileSync(`${dir}/${prefix}notes`, "not a namespace\n");
  writeFileSync(`${victim}/file`, "a file elsewhere\n");
  symlinkSync(victim, at(`${prefix}tomount`));
  symlinkSync(at(real), at(`${prefix}alias`));
  symlinkSync(`${victim}/file`, at(`${prefix}tofile`));
  symlinkSync("/etc/passwd", at(`${prefix}passwd`));
  execFileSync("mkfifo", [at(`${prefix}fifo`)]);
  mkdirSync(at(`${prefix}dir`));
});

afterAll(async () => {
  await closeDefaultPool();
  removeMountDir(victim);
  removeMountDir(dir);
});

const attacks = [
  { name: `${prefix}tomount`, reason: "a symbolic link" },
  { name: `${prefix}alias`, reason: "a symbolic link" },
  { name: `${prefix}tofile`, reason: "a symbolic link" },
  { name: `${prefix}passwd`, reason: "a symbolic link" },
  { name: `${prefix}fifo`, reason: "a FIFO" },
  { name: `${prefix}notes`, reason: "a file that is not a namespace" },
  { name: `${prefix}dir`, reason: "a directory" },
];

/** Everything the attacks could damage, as it is now. */
function snapshot() {
  return {
    entries: attacks.map(({ name }) => {
      const st = lstatSync(at(name));
      return { name, mode: st.mode, ino: st.ino, link: st.isSymbolicLink() ? readlinkSync(at(name)) : null };
    }),
    notes: sha(at(`${prefix}notes`)),
    passwd: sha("/etc/passwd"),
    victimMounted: mountPointsUnder(victim).includes(victim),
    victimFiles: [sha(`${victim}/keep`), sha(`${victim}/file`)],
    realMounted: mountPointsUnder(dir).includes(at(real)),
    realLinks: linksAt(at(real)),
  };
}

describe("entries of a mount dir that are not namespaces", () => {
  it("the setup is what the issue describes", () => {
    const before = snapshot();
    expect(before.victimMounted).toBe(true);
    expect(before.realMounted).toBe(true);
    expect(before.realLinks).toEqual(["lo"]);
  });

  for (const { name, reason } of attacks) {
    it(`${name.slice(prefix.length)}: delete and enter refuse it and change nothing`, async () => {
      const before = snapshot();
      expect((await refused(nsDo(ns.now(), na.deleteNamed(name, dir)))).message).toContain(reason);
      expect((await refused(nsDo(ns.name(name, dir), na.links()))).message).toContain(reason);
      // A batched delete (deleteNamedRun) stops at the entry: the real namespace after it stays.
      await refused(nsDo(ns.now(), na.deleteNamed(name, dir), na.deleteNamed(real, dir)));
      expect(snapshot()).toEqual(before);
    });
  }

  it("a symlink to a namespace the pool already holds is not entered through the held descriptor", async () => {
    // Every worker now holds the real namespace; the pool must not key the alias as that namespace.
    await Promise.all(Array.from({ length: defaultPool().size * 2 }, () => nsDo(ns.name(real, dir), na.links())));
    await refused(nsDo(ns.name(`${prefix}alias`, dir), na.links()));
  });

  it("a FIFO does not block a worker: the pool keeps answering", async () => {
    const fifo = ns.name(`${prefix}fifo`, dir);
    // More than one task per worker, so a blocked worker would hold up later work.
    await Promise.all(Array.from({ length: defaultPool().size * 2 }, () => refused(nsDo(fifo, na.links()))));
    const {
      results: [links],
    } = await nsDo(ns.name(real, dir), na.links());
    expect(links.map((l) => l.name)).toEqual(linksAt(at(real)));
  });

  it("a link is not moved to, nor a veth peer made in, an entry that is not a namespace", async () => {
    const before = snapshot();
    const host = `${prefix}h`;
    await nsDo(ns.name(real, dir), na.link(lp.veth(host, { name: `${prefix}p` })));
    for (const { name } of attacks) {
      await refused(nsDo(ns.name(real, dir), na.setLinkNs(lp.name(host), ns.name(name, dir))));
      await refused(nsDo(ns.name(real, dir), na.link(lp.veth(`${prefix}v`, { name: `${prefix}w`, ns: ns.name(name, dir) }))));
    }
    // Nothing moved out, nothing half-made.
    expect(linksAt(at(real)).sort()).toEqual(["lo", host, `${prefix}p`].sort());
    await nsDo(ns.name(real, dir), na.link(lp.name(host), la.delete()));
    expect(snapshot()).toEqual(before);
  });

  it("refusing leaks no descriptor", async () => {
    const refuseAll = async () => {
      for (const { name } of attacks) {
        await refused(nsDo(ns.now(), na.deleteNamed(name, dir), na.deleteNamed(real, dir)));
        await refused(nsDo(ns.name(name, dir), na.links()));
        await refused(nsDo(ns.name(real, dir), na.setLinkNs(lp.name("lo"), ns.name(name, dir))));
      }
      listNamed(dir);
      pruneNamed(dir);
    };
    // The first round opens what the pool keeps (the caller's and the real namespace's sockets).
    await refuseAll();
    const before = fdCount();
    for (let round = 0; round < 10; round++) await refuseAll();
    expect(fdCount()).toBe(before);
  });

  it("listNamed lists only the namespace, promptly; prune skips every attack and removes nothing", () => {
    const before = snapshot();
    expect(listNamed(dir)).toEqual([real]);
    const pruned = pruneNamed(dir);
    expect(pruned.removed).toEqual([]);
    expect(pruned.skipped).toEqual(
      attacks.map(({ name, reason }) => ({ netns: name, reason })).sort((a, b) => (a.netns < b.netns ? -1 : a.netns > b.netns ? 1 : 0)),
    );
    expect(snapshot()).toEqual(before);
  });
});

describe("a guarded deletion (deleteNamed with loAliasPrefix)", () => {
  it("deletes only a namespace marked so, first its links that reach outside it, and skips every attack with null", async () => {
    const [mine, theirs] = [`${prefix}mine`, `${prefix}theirs`];
    await nsDo(ns.createNamed(theirs, dir, { loAlias: "neslink:t11:a" }));
    // Into the namespace the test keeps (real), a veth end in no group: deleted before mine goes. One in group 7 is left to the kernel.
    await nsDo(
      ns.createNamed(mine, dir, { loAlias: "neslink:t1:a" }),
      na.link(lp.veth(`${prefix}o`, { name: `${prefix}p`, ns: ns.name(real, dir) })),
      na.link(lp.veth(`${prefix}k`, { name: `${prefix}l`, group: 7 }, { group: 7 })),
    );
    expect(linksAt(at(real))).toContain(`${prefix}p`);
    const before = snapshot();
    const names = [...attacks.map((a) => a.name), real, theirs, `${prefix}missing`, mine];
    const guard = { loAliasPrefix: "neslink:t1:", keepGroup: 7 };
    const { results } = await nsDo(ns.now(), ...names.map((n) => na.deleteNamed(n, dir, guard)));
    expect(results.slice(0, -1)).toEqual(names.slice(0, -1).map(() => null));
    expect(results.at(-1)).toMatchObject({ name: mine, path: at(mine), loAlias: "neslink:t1:a" });
    // The far end in real went with it, synchronously; everything else is as it was.
    expect(linksAt(at(real))).not.toContain(`${prefix}p`);
    expect(snapshot()).toEqual({ ...before, realLinks: before.realLinks.filter((l) => l !== `${prefix}p`) });
    expect(existsSync(at(mine))).toBe(false);
    expect(linksAt(at(theirs))).toEqual(["lo"]);
    await nsDo(ns.now(), na.deleteNamed(theirs, dir));
  });

  it("with emptyFirst, deletes every link first, one in a group too; refused beside keepGroup, and unguarded", async () => {
    const mine = `${prefix}all`;
    // A veth to the namespace the test keeps, both ends in group 7: keepGroup 7 would leave it to the kernel.
    await nsDo(
      ns.createNamed(mine, dir, { loAlias: "neslink:t1:b" }),
      na.link(lp.veth(`${prefix}q`, { name: `${prefix}r`, group: 7, ns: ns.name(real, dir) }, { group: 7 })),
    );
    expect(linksAt(at(real))).toContain(`${prefix}r`);
    for (const options of [{ loAliasPrefix: "neslink:t1:", keepGroup: 7, emptyFirst: true }, { emptyFirst: true }])
      await expect(nsDo(ns.now(), { kind: "deleteNamed", name: mine, dir, ...options } as never)).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        field: expect.stringContaining("emptyFirst"),
      });
    expect(existsSync(at(mine))).toBe(true);
    const {
      results: [deleted],
    } = await nsDo(ns.now(), na.deleteNamed(mine, dir, { loAliasPrefix: "neslink:t1:", emptyFirst: true }));
    expect(deleted).toMatchObject({ name: mine, loAlias: "neslink:t1:b" });
    expect(deleted?.linksLeft).toBeUndefined();
    // The far end went with it, synchronously, as iproute2 sees the namespace that stays.
    expect(linksAt(at(real))).not.toContain(`${prefix}r`);
    expect(existsSync(at(mine))).toBe(false);
  });

  it("refuses keepGroup without loAliasPrefix", async () => {
    await expect(nsDo(ns.now(), { kind: "deleteNamed", name: real, dir, keepGroup: 7 } as never)).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
    });
    expect(linksAt(at(real))).toEqual(snapshot().realLinks);
  });
});

describe("an empty file mounted on an entry", () => {
  it("is not taken for a stale entry: delete, create and prune leave it and its mount alone", async () => {
    const bound = `${prefix}bound`;
    writeFileSync(`${victim}/empty`, "");
    writeFileSync(at(bound), "");
    execFileSync("mount", ["--bind", `${victim}/empty`, at(bound)]);
    try {
      const reason = "an empty file that is not a namespace";
      expect((await refused(nsDo(ns.now(), na.deleteNamed(bound, dir)))).message).toContain(reason);
      expect((await refused(nsDo(ns.now(), na.createNamed(bound, dir)))).message).toContain(reason);
      expect(pruneNamed(dir).skipped).toContainEqual({ netns: bound, reason });
      expect(mountPointsUnder(dir)).toContain(at(bound));
      expect(existsSync(`${victim}/empty`)).toBe(true);
    } finally {
      execFileSync("umount", [at(bound)]);
      rmSync(at(bound));
    }
  });
});

describe("a stale entry (the empty file a killed creator leaves)", () => {
  const stale = `${prefix}stale`;

  it("is not listed nor entered, and delete removes it", async () => {
    writeFileSync(at(stale), "", { mode: 0o444 });
    expect(listNamed(dir)).toEqual([real]);
    expect((await refused(nsDo(ns.name(stale, dir), na.links()))).message).toContain("no namespace is mounted");
    const {
      results: [deleted],
    } = await nsDo(ns.now(), na.deleteNamed(stale, dir));
    expect(deleted).toEqual({ name: stale, path: at(stale), stale: true });
    expect(existsSync(at(stale))).toBe(false);
    // Deleting it again: now it never existed.
    await expect(nsDo(ns.now(), na.deleteNamed(stale, dir))).rejects.toMatchObject({ cause: { code: "ERR_NS_NOT_FOUND" } });
  });

  it("is taken over by a create of the same name, which iproute2 then sees as a namespace", async () => {
    writeFileSync(at(stale), "", { mode: 0o444 });
    const {
      results: [made],
    } = await nsDo(ns.now(), na.createNamed(stale, dir));
    expect(made.path).toBe(at(stale));
    expect(mountPointsUnder(dir)).toContain(at(stale));
    expect(linksAt(at(stale))).toEqual(["lo"]);
    expect(listNamed(dir)).toEqual([real, stale].sort());
    await nsDo(ns.now(), na.deleteNamed(stale, dir));
    expect(mountPointsUnder(dir)).not.toContain(at(stale));
    expect(existsSync(at(stale))).toBe(false);
  });

  it("is removed by prune, which leaves namespaces alone", () => {
    writeFileSync(at(stale), "", { mode: 0o444 });
    expect(pruneNamed(dir).removed).toEqual([{ netns: stale }]);
    expect(existsSync(at(stale))).toBe(false);
    expect(mountPointsUnder(dir)).toContain(at(real));
    expect(linksAt(at(real))).toEqual(["lo"]);
  });

  it("is removed by prune only as a creator leaves it, read-only: an empty writable or executable file is someone's own", () => {
    // What a prune pointed at the wrong dir met: /etc/subuid (0644), /etc/.pwd.lock (0600), a lock file in /run.
    const own = [
      [`${prefix}subuid`, 0o644],
      [`${prefix}lock`, 0o600],
      [`${prefix}script`, 0o555],
    ] as const;
    for (const [name, mode] of own) writeFileSync(at(name), "", { mode });
    // ip's entries are made with mode 0, neslink's with 0444.
    writeFileSync(at(`${prefix}byip`), "", { mode: 0 });
    writeFileSync(at(stale), "", { mode: 0o444 });
    try {
      const pruned = pruneNamed(dir);
      expect(pruned.removed.map((r) => r.netns).sort()).toEqual([`${prefix}byip`, stale].sort());
      for (const [name, mode] of own) {
        expect(pruned.skipped).toContainEqual({
          netns: name,
          reason: `an empty file of mode 0${mode.toString(8)}: no namespace creator leaves a writable or executable one`,
        });
        expect(existsSync(at(name)), name).toBe(true);
      }
    } finally {
      for (const [name] of own) rmSync(at(name), { force: true });
    }
  });

  it("as the mount dir of a create, is said to be no directory, not mkdir's EEXIST, and left as it is", async () => {
    const before = snapshot();
    for (const where of [at(`${prefix}fifo`), `${at(`${prefix}notes`)}/sub`]) {
      const err = await nsDo(ns.now(), na.createNamed(`${prefix}new`, where)).catch((e: unknown) => e);
      const what = where.endsWith("sub") ? `${at(`${prefix}notes`)} is a regular file` : `${where} is a FIFO`;
      expect(rootCause(err)).toMatchObject({ name: "ValidationError", field: "dir", message: `dir: ${what}, not a directory` });
    }
    expect(snapshot()).toEqual(before);
  });
});
