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
import { closeDefaultPool, na, ns, nsDo, removeNamed, rootCause } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";
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
