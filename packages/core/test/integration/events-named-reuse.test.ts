/**
 * watch({ named: true }) of a name used again: a creator makes the file, then
 * mounts a namespace on it (a mount makes no inotify event, so the watch
 * looks again for a while). A name whose first namespace is gone, made again
 * long after, gets that same look again, as a name never seen would.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { type WatchEvent, watch } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("wr");
// The default dir, where a namespace's label (its name) is not its path.
const name = `${prefix}lab`;
const file = `/run/netns/${name}`;
const holders: ChildProcess[] = [];

afterAll(() => {
  if (existsSync(file)) spawnSyncQuiet("umount", file);
  rmSync(file, { force: true });
  for (const h of holders) h.kill("SIGKILL");
  cleanup(prefix);
});

function spawnSyncQuiet(cmd: string, ...args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
  } catch {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A namespace held by a process of its own, ready once the process has unshared. */
async function holder(): Promise<ChildProcess> {
  const h = spawn("unshare", ["-n", "sh", "-c", "echo up; exec sleep 120"]);
  holders.push(h);
  await new Promise((resolve) => h.stdout?.once("data", resolve));
  return h;
}

/** Makes `file` a namespace as a slow creator would: the file first, its namespace mounted on it a moment later. */
async function create(): Promise<ChildProcess> {
  const h = await holder();
  writeFileSync(file, "");
  // Long enough for the watch to see the file while nothing is mounted on it yet.
  await sleep(300);
  execFileSync("mount", ["--bind", `/proc/${h.pid}/ns/net`, file]);
  return h;
}

it("watches a name made again after its first namespace is gone, however long after", async () => {
  const stream = watch({ named: true }, { groups: ["link"] });
  await stream.ready;
  const seen: WatchEvent[] = [];
  const reading = (async () => {
    for await (const e of stream) if (e.ns === name) seen.push(e);
  })();
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 600 && !ok(); i++) await sleep(50);
    expect(ok(), what).toBe(true);
  };
  const synced = () => seen.filter((e) => e.type === "synced").length;

  const first = await create();
  await until("the first namespace is watched", () => synced() === 1);
  execFileSync("umount", [file]);
  rmSync(file);
  first.kill("SIGKILL");
  await until("the first namespace is gone", () => seen.some((e) => e.type === "gone"));
  // Past the time a file is looked at again after it first appeared (named-dir.ts's RETRY_FOR_MS).
  await sleep(6000);
  await create();
  await until("the second namespace is watched", () => synced() === 2);
  await stream.close();
  await reading;
}, 60_000);
