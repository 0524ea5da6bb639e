/**
 * An `exec` command that fails (a status other than 0) fails the apply, as a
 * timeout does: `neslink apply lab.yaml && run-tests` must not go on with a
 * lab whose set-up did not happen. The commands after it do not run, it is
 * not recorded as run, the node is not marked ready, and the next apply runs
 * it again. The node's marker is read with iproute2.
 */
import { closeDefaultPool, topology } from "@neslink/core";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix, withLab } from "./kernel.js";

const prefix = uniquePrefix("tx");
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);

afterAll(async () => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

const log = () => (existsSync(`${dir}/log`) ? readFileSync(`${dir}/log`, "utf8") : "");
/** Fails (status 3, a line on stderr) until the file `${dir}/fixed` exists. */
const flaky = `test -e ${dir}/fixed || { echo "no route to the server" >&2; exit 3; }`;
const file = (exec: string[]) => topology.load({ name: prefix, nodes: { a: { exec } } });
const alias = (netns: string) => ipJson<{ ifalias?: string }[]>("-n", netns, "link", "show", "lo")[0]?.ifalias;
const failureOf = async (t: ReturnType<typeof file>) =>
  topology.apply(t).then(
    () => {
      throw new Error("the apply succeeded");
    },
    (
      err: Error & {
        code: string;
        failures: { changes: string[]; notAttempted: string[]; error: { code: string; message: string } }[];
        exec: { argv: string[]; status: number; stderr: string }[];
        done: Parameters<typeof topology.describeChange>[0][];
      },
    ) => err,
  );

describe("an exec command that fails", () => {
  it("fails the apply, runs none after it, leaves the node not ready, and runs again in the next apply", async () => {
    await withLab(prefix, async (name) => {
      const lab = file([`echo one >> ${dir}/log`, flaky, `echo three >> ${dir}/log`]);
      const err = await failureOf(lab);
      expect(err.code).toBe("ERR_TOPOLOGY_APPLY");
      expect(err.failures[0]?.error.code).toBe("ERR_EXEC_FAILED");
      expect(err.failures[0]?.error.message).toBe(`running /bin/sh -c '${flaky}': exited with status 3: "no route to the server"`);
      // Its output is told with the others'.
      expect(err.exec.map((e) => e.status)).toEqual([0, 3]);
      expect(log()).toBe("one\n");
      // The one after it never ran: not attempted, not failed.
      expect(err.failures[0]?.notAttempted).toEqual([expect.stringContaining(`echo three >> ${dir}/log`)]);
      expect(err.failures[0]?.changes.some((c) => c.includes("echo three"))).toBe(false);
      expect(alias(`${name}-a`)).toBe(`neslink:${name}:a`);
      // Planned again: the failed one and those after it, not the one that ran (it is recorded).
      expect((await topology.plan(lab)).changes.filter((c) => c.object === "exec").map((c) => (c as { argv: string[] }).argv[2])).toEqual([
        flaky,
        `echo three >> ${dir}/log`,
      ]);

      writeFileSync(`${dir}/fixed`, "");
      await topology.apply(lab);
      // "one" once: it did not run again.
      expect(log()).toBe("one\nthree\n");
      expect(alias(`${name}-a`)).toBe(`neslink:${name}:a ready`);
    });
  });

  it("added to a ready node: is not recorded as run, and is planned and run again", async () => {
    await withLab(prefix, async (name) => {
      rmSync(`${dir}/fixed`, { force: true });
      await topology.apply(file([`echo one >> ${dir}/log`]));
      const added = file([`echo one >> ${dir}/log`, flaky]);
      const err = await failureOf(added);
      expect(err.failures[0]?.error.code).toBe("ERR_EXEC_FAILED");
      expect(alias(`${name}-a`)).toBe(`neslink:${name}:a ready`);
      expect((await topology.plan(added)).changes.map(topology.describeChange)).toEqual([
        `+ exec in a: /bin/sh -c '${flaky}' (added since the node's commands ran)`,
      ]);
      writeFileSync(`${dir}/fixed`, "");
      const result = await topology.apply(added);
      expect(result.exec.map((e) => e.status)).toEqual([0]);
      expect((await topology.plan(added)).changes).toEqual([]);
    });
  });

  it("added to a ready node: those before it that ran are reported made (they are recorded, and not run again)", async () => {
    await withLab(prefix, async () => {
      rmSync(`${dir}/fixed`, { force: true });
      rmSync(`${dir}/log`, { force: true });
      await topology.apply(file([`echo one >> ${dir}/log`]));
      const added = file([`echo one >> ${dir}/log`, `echo two >> ${dir}/log`, flaky]);
      const err = await failureOf(added);
      expect(err.done.map(topology.describeChange)).toEqual([
        `+ exec in a: /bin/sh -c 'echo two >> ${dir}/log' (added since the node's commands ran)`,
      ]);
      expect(err.failures[0]?.changes).toEqual([`+ exec in a: /bin/sh -c '${flaky}' (added since the node's commands ran)`]);
      expect(log()).toBe("one\ntwo\n");
    });
  });

  it("quotes the start of a long last line of stderr, not all of it (the whole is in the apply's exec)", async () => {
    await withLab(prefix, async () => {
      const err = await failureOf(file(["head -c 100000 /dev/zero | tr '\\0' x >&2; exit 1"]));
      const { message } = err.failures[0]?.error ?? { message: "" };
      expect(message).toMatch(/: exited with status 1: "x{200}\.\.\."$/);
      expect(err.message.length).toBeLessThan(1000);
      expect(err.exec[0]?.status).toBe(1);
      expect(err.exec[0]?.stderr).toHaveLength(100000);
    });
  });
});
