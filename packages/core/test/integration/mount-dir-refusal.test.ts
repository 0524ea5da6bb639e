/**
 * A named namespace's dir becomes a shared mount point of its own (as ip
 * makes /run/netns one). A dir given by mistake, one holding files of its
 * own (/etc, say), must not: it is refused before any mount changes, typed,
 * naming `dir`. Only temp dirs this file makes stand for such dirs: a dir
 * holding a regular non-empty file, and a private tmpfs mount point holding
 * one (as "/" or /home would be).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { addNamed, closeDefaultPool, NeslinkError, na, ns, nsDo, nsDoOn, Pool, rootCause, ValidationError } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseMountinfo } from "../../src/mountinfo.js";
import { linksAt, uniquePrefix } from "./kernel.js";
import { mountPointsUnder, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("md");
const base = `/tmp/${prefix}`;
let dir = "";
let round = 0;

/** A dir of this file's own, new for each test. */
function freshDir(): string {
  dir = `${base}-${round++}`;
  mkdirSync(dir);
  return dir;
}

afterEach(() => {
  if (dir !== "") removeMountDir(dir);
  dir = "";
});
afterAll(async () => {
  await closeDefaultPool();
});

/** The mount at `path` (not below it), as this process sees it. */
function mountAt(path: string) {
  return parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).findLast((m) => m.at === path);
}

/** What a create refused for `dir` rejected with: a ValidationError of `dir`, at the root of it. */
async function refusedDir(work: Promise<unknown>): Promise<ValidationError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the create must fail").toBeInstanceOf(NeslinkError);
  const cause = rootCause(err);
  expect(cause).toBeInstanceOf(ValidationError);
  expect(cause).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "dir" });
  return cause as ValidationError;
}

/** Every way a named namespace is made: on a worker (action and provider) and from the calling thread. */
const creates = [
  { how: "na.createNamed", create: (name: string, at: string) => nsDo(ns.now(), na.createNamed(name, at)) },
  { how: "ns.createNamed", create: (name: string, at: string) => nsDo(ns.createNamed(name, at)) },
  { how: "addNamed", create: (name: string, at: string) => addNamed(name, at) },
];

describe("a dir holding files of its own (a stand-in for /etc)", () => {
  for (const { how, create } of creates) {
    it(`${how}: refused, typed, naming dir; the dir is no mount point after, and holds what it held`, async () => {
      const at = freshDir();
      writeFileSync(`${at}/passwd`, "root:x:0:0:root:/root:/bin/sh\n");
      const err = await refusedDir(create(`${prefix}a`, at));
      expect(err.message).toMatch(new RegExp(`^dir: ${at} holds "passwd", a file that is not a namespace`));
      expect(mountPointsUnder(at)).toEqual([]);
      expect(readdirSync(at)).toEqual(["passwd"]);
      expect(readFileSync(`${at}/passwd`, "utf8")).toBe("root:x:0:0:root:/root:/bin/sh\n");
    });
  }

  it("a private mount point holding one (as / or /home): refused, its propagation left as it was", async () => {
    const at = freshDir();
    execFileSync("mount", ["-t", "tmpfs", "--make-private", `${prefix}-tmpfs`, at]);
    writeFileSync(`${at}/notes`, "mine\n");
    expect(mountAt(at)).toMatchObject({ fstype: "tmpfs", shared: false });
    await refusedDir(addNamed(`${prefix}a`, at));
    await refusedDir(nsDo(ns.now(), na.createNamed(`${prefix}a`, at)));
    expect(mountPointsUnder(at)).toEqual([at]);
    expect(mountAt(at)).toMatchObject({ fstype: "tmpfs", shared: false });
    expect(readdirSync(at)).toEqual(["notes"]);
  });

  it("an empty writable file (someone's lock file) counts as the dir's own too", async () => {
    const at = freshDir();
    writeFileSync(`${at}/lock`, "", { mode: 0o644 });
    const err = await refusedDir(addNamed(`${prefix}a`, at));
    expect(err.message).toMatch(/"lock", an empty file of mode 0644/);
    expect(mountPointsUnder(at)).toEqual([]);
  });
});

describe("a dir fit for namespaces", () => {
  it("empty, or holding only a killed creator's leftover: becomes a shared mount point, the namespace made", async () => {
    const at = freshDir();
    writeFileSync(`${at}/${prefix}left`, "", { mode: 0o444 });
    await addNamed(`${prefix}a`, at);
    expect(mountAt(at)).toMatchObject({ shared: true });
    expect(linksAt(`${at}/${prefix}a`)).toEqual(["lo"]);
    // The leftover's own name is taken over.
    await nsDo(ns.now(), na.createNamed(`${prefix}left`, at));
    expect(linksAt(`${at}/${prefix}left`)).toEqual(["lo"]);
  });

  it("once a shared mount point, a file put there later stops no create (nothing about its mount changes)", async () => {
    const at = freshDir();
    await addNamed(`${prefix}a`, at);
    writeFileSync(`${at}/notes`, "put there later\n");
    // A pool of its own: its worker has never prepared the dir.
    const pool = new Pool({ size: 1 });
    try {
      await nsDoOn(pool, ns.now(), na.createNamed(`${prefix}c`, at));
    } finally {
      await pool.close();
    }
    expect(linksAt(`${at}/${prefix}c`)).toEqual(["lo"]);
    expect(mountAt(at)).toMatchObject({ shared: true });
  });
});
