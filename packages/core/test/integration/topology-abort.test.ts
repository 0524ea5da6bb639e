/**
 * topology.apply's `signal`: aborted before the first change, nothing of the lab is made; once changes have begun, the
 * tasks in flight end (nothing half-made) and no more start.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { AbortedError, closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("ta");
const ROUTER = new URL("../../examples/topologies/router.yaml", import.meta.url).pathname;
const router = (name: string) => topology.load(readFileSync(ROUTER, "utf8").replace(/^name: .*$/m, `name: ${name}`));

const dir = mkdtempSync(`${tmpdir()}/neslink-abort-`);

afterAll(async () => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
  await closeDefaultPool();
});

it("aborted once the plan is made (its `planned` event), makes no change and rejects with ERR_ABORTED; the lab's lock is let go", async () => {
  const lab = router(`${prefix}a`);
  const controller = new AbortController();
  const events: string[] = [];
  const applying = topology.apply(lab, {
    signal: controller.signal,
    onProgress: (e) => {
      events.push(e.type);
      if (e.type === "planned") controller.abort();
    },
  });
  await expect(applying).rejects.toMatchObject({
    code: "ERR_ABORTED",
    message: expect.stringContaining(`nothing of ${prefix}a was changed`),
  });
  expect(events).toEqual(["planned"]);
  expect(netnsList(`${prefix}a-`)).toEqual([]);
  // Not locked, and still all to do.
  expect((await topology.plan(lab)).summary).toEqual({ add: 11, change: 1, destroy: 0 });
});

it("aborted once changes have begun, ends the tasks in flight, starts no more, and says what it made", async () => {
  const lab = router(`${prefix}b`);
  const controller = new AbortController();
  const phases: string[] = [];
  const applying = topology.apply(lab, {
    signal: controller.signal,
    // At the first namespace made, the others still being made: they are let finish.
    onProgress: (e) => {
      if (e.type === "phase") phases.push(e.phase);
      if (e.type === "change") controller.abort();
    },
  });
  const err = await applying.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(topology.TopologyAbortedError);
  expect(err).toBeInstanceOf(AbortedError);
  const aborted = err as InstanceType<typeof topology.TopologyAbortedError>;
  expect(aborted.code).toBe("ERR_ABORTED");
  // Its first phase, whole: the three namespaces, each mounted (ip enters it), r1's forwarding written by its task; nothing after.
  expect(aborted.message).toContain(`${prefix}b is partly applied (4 changes made, 8 not attempted;`);
  expect(phases).toEqual(["namespaces"]);
  const names = [`${prefix}b-h1`, `${prefix}b-h2`, `${prefix}b-r1`];
  expect(aborted.done.flatMap((c) => (c.object === "netns" ? [c.netns] : [])).sort()).toEqual(names);
  expect(aborted.done.filter((c) => c.object !== "netns").map((c) => c.object)).toEqual(["sysctl"]);
  expect(aborted.toJSON()).toMatchObject({ code: "ERR_ABORTED", done: aborted.done, notAttempted: aborted.notAttempted, exec: [] });
  expect(netnsList(`${prefix}b-`).sort()).toEqual(names);
  for (const ns of names) expect(ipJson("-n", ns, "link", "show")).toEqual([expect.objectContaining({ ifname: "lo" })]);
  // The rest is for the next apply: what the aborted one never tried, every planned change made or not attempted.
  const rest = await topology.plan(lab);
  expect(rest.summary).toEqual({ add: 8, change: 0, destroy: 0 });
  expect([...aborted.notAttempted].sort()).toEqual(rest.changes.map(topology.describeChange).sort());
  await topology.apply(lab);
  expect((await topology.plan(lab)).changes).toEqual([]);
  await topology.destroy(lab);
  expect(netnsList(`${prefix}b-`)).toEqual([]);
});

it("refuses a signal that is not an AbortSignal, before anything", async () => {
  const lab = router(`${prefix}c`);
  await expect(topology.apply(lab, { signal: {} as AbortSignal })).rejects.toMatchObject({
    code: "ERR_INVALID_ARGUMENT",
    field: "options.signal",
  });
  expect(netnsList(`${prefix}c-`)).toEqual([]);
});

/**
 * A lab of `nodes` whose first command says it started (`dir`/started-LAB-NODE), waits for `dir`/go-LAB-NODE, then
 * ends as that file says (a terminal's Ctrl-C, as the process group's, ends it by SIGINT: `kill -INT $$`); `echo then`
 * runs after it.
 */
function waiting(name: string, nodes: string[]) {
  const mark = (what: string, node: string) => `${dir}/${what}-${name}-${node}`;
  const lines = nodes.map(
    (node) =>
      `  ${node}: { exec: [[sh, -c, ': > ${mark("started", node)}; until [ -e ${mark("go", node)} ]; do sleep 0.05; done; eval "$(cat ${mark("go", node)})"'], [echo, then]] }`,
  );
  return topology.load(`name: ${name}\nnodes:\n${lines.join("\n")}\n`);
}

/** Applies `lab` and, once its nodes' first commands all run, aborts the apply's signal and ends them as `ends` says. */
async function abortedAsCommandsEnd(lab: topology.Topology, ends: Record<string, string>): Promise<unknown> {
  const controller = new AbortController();
  const applying = topology.apply(lab, { signal: controller.signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const marks = lab.nodes.map((n) => `${lab.name}-${n.name}`);
  await expect.poll(() => marks.every((m) => existsSync(`${dir}/started-${m}`)), { timeout: 20_000 }).toBe(true);
  controller.abort();
  for (const [node, end] of Object.entries(ends)) writeFileSync(`${dir}/go-${lab.name}-${node}`, end);
  return applying;
}

it("aborted as its exec commands are ended by a signal (a terminal's Ctrl-C reaches them too): an interrupted apply, those commands `interrupted`, run again by the next apply", async () => {
  const name = `${prefix}d`;
  const lab = waiting(name, ["a"]);
  const err = await abortedAsCommandsEnd(lab, { a: "kill -INT $$" });
  expect(err).toBeInstanceOf(topology.TopologyAbortedError);
  const aborted = err as InstanceType<typeof topology.TopologyAbortedError>;
  const [cut, then] = (await topology.plan(lab)).changes.map(topology.describeChange);
  expect(cut).toContain(`started-${name}-a`);
  expect(aborted.message).toContain(`${name} is partly applied (1 change made, 1 interrupted, 1 not attempted;`);
  expect(aborted.interrupted).toEqual([cut]);
  expect(aborted.notAttempted).toEqual([then]);
  // Ended by the terminal's SIGINT, or by the apply's own stop (SIGTERM), whichever reached it first.
  expect(aborted.exec).toEqual([expect.objectContaining({ node: "a", status: null, signal: expect.stringMatching(/^SIG(INT|TERM)$/) })]);
  expect(aborted.toJSON()).toMatchObject({ code: "ERR_ABORTED", interrupted: [cut], notAttempted: [then] });
  // Not run to its end, it is not on record: the next apply runs it again (to its end, now).
  writeFileSync(`${dir}/go-${name}-a`, "true");
  const again = await topology.apply(lab);
  expect(again.exec.map((e) => [e.argv[0], e.status])).toEqual([
    ["sh", 0],
    ["echo", 0],
  ]);
  await topology.destroy(lab);
});

it("aborted as one exec command is ended by a signal and another failed of itself: that failure is the apply's, a TopologyApplyError", async () => {
  const lab = waiting(`${prefix}e`, ["a", "b"]);
  const controller = new AbortController();
  // b fails of itself first; then the abort, which ends a's command under way.
  const applying = topology.apply(lab, { signal: controller.signal, onProgress: (e) => e.type === "failed" && controller.abort() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await expect.poll(() => ["a", "b"].every((n) => existsSync(`${dir}/started-${lab.name}-${n}`)), { timeout: 20_000 }).toBe(true);
  writeFileSync(`${dir}/go-${lab.name}-b`, "exit 3");
  const err = await applying;
  expect(err).toBeInstanceOf(topology.TopologyApplyError);
  const messages = (err as InstanceType<typeof topology.TopologyApplyError>).failures.map((f) => f.error.message);
  expect(messages).toHaveLength(2);
  expect(messages).toEqual(
    expect.arrayContaining([expect.stringMatching(/exited with status 3/), expect.stringMatching(/was ended by SIGTERM/)]),
  );
  await topology.destroy(lab);
});

it("aborted a moment after its exec command was ended by a signal (the caller's handler runs after the worker told the end): still an interrupted apply", async () => {
  const name = `${prefix}f`;
  const lab = waiting(name, ["a"]);
  writeFileSync(`${dir}/go-${name}-a`, "kill -INT $$");
  const controller = new AbortController();
  // Once the command's failure is told, the wave ends at once: the abort comes after the apply has seen it.
  const err = await topology
    .apply(lab, { signal: controller.signal, onProgress: (e) => e.type === "failed" && setTimeout(() => controller.abort(), 30) })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(topology.TopologyAbortedError);
  expect((err as InstanceType<typeof topology.TopologyAbortedError>).interrupted).toEqual([expect.stringContaining(`started-${name}-a`)]);
  await topology.destroy(lab);
});

it("aborted while an exec command runs, not ended by any other signal: the apply ends it (SIGTERM), starts none after it, and tells it interrupted", async () => {
  const name = `${prefix}g`;
  // An argument of its own, to find the process by.
  const long = `${Date.now() % 1000}.${process.pid}`;
  const lab = topology.load(`name: ${name}\nnodes:\n  a: { exec: [[sleep, "${long}"], [echo, then]] }\n`);
  const controller = new AbortController();
  const applying = topology.apply(lab, { signal: controller.signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const running = () => spawnSync("pgrep", ["-f", `sleep ${long}$`]).status === 0;
  await expect.poll(running, { timeout: 20_000 }).toBe(true);
  controller.abort();
  const err = await applying;
  expect(err).toBeInstanceOf(topology.TopologyAbortedError);
  const aborted = err as InstanceType<typeof topology.TopologyAbortedError>;
  const [cut, then] = (await topology.plan(lab)).changes.filter((c) => c.object === "exec").map(topology.describeChange);
  expect(aborted.interrupted).toEqual([cut]);
  expect(aborted.notAttempted).toEqual([then]);
  expect(aborted.exec).toEqual([expect.objectContaining({ argv: ["sleep", long], status: null, signal: "SIGTERM" })]);
  expect(running()).toBe(false);
  await topology.destroy(lab);
});
