// A process killed while it creates or deletes named namespaces (issue 13,
// point 5): what it leaves is recognised, prune removes it, and a re-run of
// the same script converges. In a private mount dir, so nothing reaches
// /run/netns.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listNamed, pruneNamed } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";
import { mountsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("nk");
const dir = privateMountDir(prefix);
const COUNT = 200;
const KILLS = 20;
const SCRIPT = fileURLToPath(new URL("../fixtures/named-churn.mjs", import.meta.url));

afterAll(() => removeMountDir(dir));

interface Run {
  child: ChildProcess;
  /** Resolves when the script says its work has begun (after start-up, which is most of a run). */
  working: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** The script as a user runs it: creates the COUNT namespaces that are missing, then deletes them all. */
function churn(): Run {
  const child = spawn(process.execPath, [SCRIPT, dir, prefix, String(COUNT)], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const working = new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
  child.stdout?.resume();
  return { child, working, exited: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr }))) };
}

const entries = () => readdirSync(dir).sort();
const mounted = () =>
  mountsUnder(dir)
    .filter((m) => m.point !== dir)
    .map((m) => ({ name: m.point.slice(dir.length + 1), fstype: m.fstype }));

/** Runs it once to the end, to learn how long its work takes here; it must leave nothing behind. */
async function fullRun(): Promise<number> {
  const run = churn();
  await run.working;
  const started = Date.now();
  const { code, signal, stderr } = await run.exited;
  expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
  expect(entries()).toEqual([]);
  expect(mounted()).toEqual([]);
  return Date.now() - started;
}

it(`killed ${KILLS} times while creating or deleting ${COUNT} named namespaces, prune and a re-run converge`, {
  timeout: 60_000,
}, async () => {
  const runMs = await fullRun();
  const moments: number[] = [];
  let staleLeft = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const at = Math.floor(Math.random() * runMs);
    moments.push(at);
    const { child, working, exited } = churn();
    await working;
    await new Promise((r) => setTimeout(r, at));
    child.kill("SIGKILL");
    await exited;
    const context = `kill #${kill} at ${at} ms of ${runMs} ms of work (moments so far: ${moments.join(", ")})`;

    // Every mount has its entry and is a namespace; an entry without a mount is what prune is for.
    const left = mounted();
    expect(
      left.filter((m) => m.fstype !== "nsfs"),
      context,
    ).toEqual([]);
    expect(
      left.filter((m) => !entries().includes(m.name)),
      context,
    ).toEqual([]);
    const stale = entries().filter((name) => !left.some((m) => m.name === name));
    staleLeft += stale.length;
    expect(listNamed(dir), context).toEqual(left.map((m) => m.name).sort());

    const pruned = pruneNamed(dir);
    expect(pruned, context).toEqual({ removed: stale, skipped: [] });
    expect(entries(), context).toEqual(
      mounted()
        .map((m) => m.name)
        .sort(),
    );

    await fullRun();
  }
  // The kills did reach the fault: most land where a creation or a batched delete leaves a stale entry (here ~2 in 3).
  expect(staleLeft, `moments: ${moments.join(", ")}`).toBeGreaterThan(0);
});

it("without prune, a re-run takes the stale entries over and converges too", { timeout: 30_000 }, async () => {
  const runMs = await fullRun();
  for (let kill = 0; kill < 5; kill++) {
    const { child, working, exited } = churn();
    await working;
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * runMs)));
    child.kill("SIGKILL");
    await exited;
    await fullRun();
  }
});
