/**
 * deleteNamed in a dir the caller gives that is no mount dir (a temp dir of
 * this test's own, standing for /etc): an empty file a user keeps there is
 * not what a killed namespace creator leaves, and stays. A probe removed
 * /etc/subuid this way.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDefaultPool, listNamed, na, ns, nsDo, pruneNamed, removeNamed, rootCause, topology } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "./kernel.js";
import { mountPointsUnder, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("do");
const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
const at = (name: string) => `${dir}/${name}`;

/** Empty files as a user keeps them: /etc/subuid (0644), /etc/.pwd.lock (0600), an empty script. */
const own = [
  ["subuid", 0o644],
  ["lock", 0o600],
  ["script", 0o755],
] as const;

afterEach(() => {
  for (const [name] of own) rmSync(at(name), { force: true });
});

afterAll(async () => {
  await closeDefaultPool();
  // Made a mount point of its own by the test.
  removeMountDir(dir);
});

function makeOwn(): void {
  for (const [name, mode] of own) writeFileSync(at(name), "", { mode });
}

function expectKept(): void {
  for (const [name, mode] of own) expect(statSync(at(name)).mode & 0o777, name).toBe(mode);
}

async function refusal(work: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the delete must fail").toBeDefined();
  return rootCause(err) as { code?: string; message: string };
}

describe("an empty file in a dir that is no mount dir", () => {
  it("refuses a writable or executable one (no namespace creator leaves it), typed, and leaves it", async () => {
    makeOwn();
    for (const [name, mode] of own) {
      const cause = await refusal(nsDo(ns.now(), na.deleteNamed(name, dir)));
      expect(cause.code).toBe("ERR_NOT_A_NAMESPACE");
      expect(cause.message).toContain(`mode ${mode.toString(8).padStart(4, "0")}`);
    }
    // Consecutive deletes (run together) and the one-call form, without a pool.
    await refusal(nsDo(ns.now(), na.deleteNamed("subuid", dir), na.deleteNamed("lock", dir)));
    await closeDefaultPool();
    expect((await refusal(removeNamed("subuid", dir))).code).toBe("ERR_NOT_A_NAMESPACE");
    expectKept();
  });

  it("is not taken over by a create either (a delete would remove it after)", async () => {
    makeOwn();
    // The dir holds files of its own: it is not made a mount point (shared-dir.ts), whatever name is created.
    for (const name of ["subuid", `${prefix}new`]) {
      expect(await refusal(nsDo(ns.now(), na.createNamed(name, dir)))).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "dir" });
    }
    expect(mountPointsUnder(dir)).toEqual([]);
    expectKept();
    // Once it is a shared mount point (made one by hand), nothing about its mount changes, and the file itself is refused.
    execFileSync("mount", ["--bind", "--make-shared", dir, dir]);
    for (const [name] of own) expect((await refusal(nsDo(ns.now(), na.createNamed(name, dir)))).code).toBe("ERR_NOT_A_NAMESPACE");
    expect(mountPointsUnder(dir)).toEqual([dir]);
    expectKept();
  });

  it("removes a read-only one, as ip (mode 0) and neslink (0444) leave it, as prune does", async () => {
    writeFileSync(at("byip"), "", { mode: 0 });
    writeFileSync(at("byneslink"), "", { mode: 0o444 });
    await nsDo(ns.now(), na.deleteNamed("byip", dir));
    await removeNamed("byneslink", dir);
    expect(existsSync(at("byip"))).toBe(false);
    expect(existsSync(at("byneslink"))).toBe(false);
  });
});

describe("a dir given that is a file", () => {
  it("is refused by list and prune, typed, naming dir (a bare ENOTDIR was thrown), and is left", () => {
    writeFileSync(at("subuid"), "", { mode: 0o644 });
    for (const given of [at("subuid"), `${at("subuid")}/below`]) {
      expect(() => listNamed(given)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "dir" }));
      expect(() => pruneNamed(given)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "dir" }));
    }
    expect(() => pruneNamed(at("subuid"))).toThrow(`dir: ${at("subuid")} is not a directory, nor a path to one`);
    expect(statSync(at("subuid")).mode & 0o777).toBe(0o644);
  });
});

describe("an empty executable file in /run/netns named as a lab's node (no namespace creator leaves one there)", () => {
  const labs = [`${prefix}d`, `${prefix}a`];
  const theirs = (lab: string) => `/run/netns/${lab}-q`;
  /** The lab's namespaces (ip lists every file of /run/netns: theirs too). */
  const nodesOf = (name: string) => netnsList(name).filter((n) => n !== `${name}-q`);
  const lab = (name: string, ...nodes: string[]) => topology.load(`name: ${name}\nnodes:\n${nodes.map((n) => `  ${n}: {}\n`).join("")}`);

  afterAll(() => {
    for (const name of labs) {
      rmSync(theirs(name), { force: true });
      cleanup(name);
    }
  });

  /** The lab's apply refused to take the file over, and listed it on the lab's record as an entry it was about to make. */
  async function refusedOver(name: string) {
    writeFileSync(theirs(name), "", { mode: 0o755 });
    const t = lab(name, "a", "q");
    const err = await topology.apply(t).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe("ERR_TOPOLOGY_APPLY");
    expect(err?.message).toContain("no namespace creator leaves an executable one");
    expect(statSync(theirs(name)).mode & 0o777).toBe(0o755);
    return t;
  }

  it("is left by destroy, as prune, delete and create leave it", async () => {
    const name = labs[0] as string;
    await topology.destroy(await refusedOver(name));
    expect(nodesOf(name)).toEqual([]);
    expect(statSync(theirs(name)).mode & 0o777).toBe(0o755);
  });

  it("is left by an apply that drops the node from its file", async () => {
    const name = labs[1] as string;
    await refusedOver(name);
    const without = lab(name, "a");
    await topology.apply(without);
    expect(nodesOf(name)).toEqual([`${name}-a`]);
    expect(statSync(theirs(name)).mode & 0o777).toBe(0o755);
    await topology.destroy(without);
    expect(statSync(theirs(name)).mode & 0o777).toBe(0o755);
  });
});
