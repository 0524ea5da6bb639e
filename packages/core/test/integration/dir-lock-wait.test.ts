// A wait for a mount dir's lock behind a batch of deletes. A lab's destroy
// holds the dir's lock for its whole run of deletions, which took 8.8 s for
// 500 nodes with a macvlan each (load 6, 2 cores): whatever waited for the
// lock exclusively (a prune's second look, another lab's clean-up of its
// leftover entries, a delete of an empty entry) gave up after 5 s with a bare
// EBUSY. Here a batch of guarded deletes (a destroy's), slowed by the links
// each namespace holds (deleted one by one first, ~20 ms each), holds a
// private dir's lock: a prune waits as long as it gets on, and gives up only
// on a holder that does not (stopped, as by Ctrl-Z), with an error naming it.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pruneNamedAsync } from "@neslink/core";
import { afterEach, expect, it } from "vitest";
import { identityOfPath } from "../../src/ffi/identity.js";
import { flockHolders } from "../../src/namespace/flocked.js";
import { go, linesOf } from "./fixture-lines.js";
import { uniquePrefix, until } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("dw");
const HOLDER = fileURLToPath(new URL("../fixtures/named-batch-holder.mjs", import.meta.url));
/** What a wait for the dir's lock waited at most, before: a holder that kept it longer failed the waiter. */
const OLD_BOUND_MS = 5000;

let round = 0;
let dir = "";
let holder: ChildProcess | undefined;
afterEach(() => {
  holder?.kill("SIGKILL");
  removeMountDir(dir);
});

/** A batch of `count` namespaces with `pairs` veth pairs each, made in a dir of the round's, deleting them once told; and the dir. */
async function batchHolding(count: number, pairs: number) {
  dir = privateMountDir(`${prefix}${round++}`);
  const child = spawn(process.execPath, [HOLDER, dir, prefix, String(count), String(pairs)], { stdio: ["pipe", "pipe", "inherit"] });
  holder = child;
  const next = linesOf(child);
  expect(await next()).toBe("made");
  // A leftover, for the prune to take the dir's lock for: an empty read-only file, as a killed creator leaves.
  const leftover = `${dir}/${prefix}left`;
  writeFileSync(leftover, "");
  chmodSync(leftover, 0o444);
  await go(child);
  expect(await next()).toBe("deleting");
  const pid = child.pid as number;
  const dirFile = identityOfPath(dir);
  expect(await until(() => flockHolders(dirFile).includes(String(pid)), 30_000), "the batch holds the dir's lock").toBe(true);
  return { child, pid, next, leftover };
}

it("a prune waits for a batch of deletes that holds the dir past the old 5 s bound, then removes the leftover", async () => {
  const { next } = await batchHolding(20, 20);
  const started = performance.now();
  const pruned = await pruneNamedAsync(dir);
  const waited = performance.now() - started;
  expect(pruned).toEqual({ removed: [{ netns: `${prefix}left` }], skipped: [] });
  const batch = JSON.parse(await next()) as { deleted: number; ms: number };
  expect(batch.deleted).toBe(20);
  // The batch held the dir longer than the old bound, and the prune waited it out.
  expect(waited).toBeGreaterThan(OLD_BOUND_MS);
});

it("a wait for the dir's lock gives up on a holder that is stopped: ERR_NS_DIR_BUSY names it and what to do, nothing changed", async () => {
  const { pid, leftover } = await batchHolding(2, 20);
  process.kill(pid, "SIGSTOP");
  const err = await pruneNamedAsync(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: "NamespaceDirBusyError", code: "ERR_NS_DIR_BUSY", dir, holder: String(pid) });
  expect((err as Error).message).toMatch(
    new RegExp(
      `^${dir} is locked by pid ${pid}: \\S*node \\S*named-batch-holder\\.mjs .*, which deletes or creates namespaces there, and it is stopped \\(resume it with kill -CONT, or fg\\): nothing was changed here; run this again once that process has finished, or end it`,
    ),
  );
  expect(existsSync(leftover)).toBe(true);
});
