/**
 * watch({ named: true }) of a name used again: a creator makes the file, then
 * mounts a namespace on it (a mount makes no inotify event, so the watch
 * looks again for a while). A name whose first namespace is gone, made again
 * long after, gets that same look again, as a name never seen would. A name
 * made again while its first namespace lives on (held) follows the new one;
 * a namespace of two names is heard under each.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { type EventStream, na, ns, nsDo, type WatchEvent, watch } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, inodeOf, linksAt, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("wr");
// The default dir, where a namespace's label (its name) is not its path.
const name = `${prefix}lab`;
const file = `/run/netns/${name}`;
const holders: ChildProcess[] = [];

/** A mount dir of this file's own, for the case that needs neslink's create and delete (iproute2's work in /run/netns only). */
const dir = privateMountDir(prefix);

afterAll(() => {
  if (existsSync(file)) spawnSyncQuiet("umount", file);
  rmSync(file, { force: true });
  for (const h of holders) h.kill("SIGKILL");
  cleanup(prefix);
  removeMountDir(dir);
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

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await sleep(50);
  expect(ok(), what).toBe(true);
}

/** The events of `stream` under `label`, as they come, until it ends. */
function reader(stream: EventStream, label: string): { seen: WatchEvent[]; reading: Promise<void> } {
  const seen: WatchEvent[] = [];
  const reading = (async () => {
    for await (const e of stream) if (e.netns === label) seen.push(e);
  })();
  return { seen, reading };
}

it("watches a name made again after its first namespace is gone, however long after", async () => {
  const stream = watch({ named: true }, { groups: ["link"] });
  await stream.ready;
  const { seen, reading } = reader(stream, name);
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

it("follows a name made again while its first namespace lives on, held: the first is gone from it, the new one listed", async () => {
  const reused = `${prefix}h`;
  const label = `${dir}/${reused}`;
  await nsDo(ns.createNamed(reused, dir));
  const held = spawn("nsenter", [`--net=${label}`, "sleep", "120"]);
  holders.push(held);
  const first = `/proc/${held.pid}/ns/net`;
  await until("the holder is in the first namespace", () => {
    try {
      return readlinkSync(first) === `net:[${inodeOf(label)}]`;
    } catch {
      return false;
    }
  });
  const stream = watch({ named: true, dir }, { groups: ["link"], listExisting: true });
  await stream.ready;
  const { seen, reading } = reader(stream, label);
  const synced = () => seen.filter((e) => e.type === "synced").length;
  await until("the first namespace is listed", () => synced() === 1);

  await nsDo(ns.now(), na.deleteNamed(reused, dir));
  await nsDo(ns.createNamed(reused, dir));
  await until("the new namespace is listed", () => synced() === 2);
  // One socket hears both, in the kernel's order: the first's change, were it still heard under the name, comes first.
  execFileSync("nsenter", [`--net=${first}`, "ip", "link", "add", "old0", "type", "bridge"]);
  execFileSync("nsenter", [`--net=${label}`, "ip", "link", "add", "new0", "type", "bridge"]);
  await until("the new namespace's change is heard", () => seen.some((e) => e.type === "link" && e.link.name === "new0"));
  await stream.close();
  await reading;

  expect(linksAt(label)).toContain("new0");
  expect(linksAt(first)).toContain("old0");
  expect(seen.map((e) => (e.type === "link" ? `${e.action} ${e.link.name}` : e.type))).toEqual([
    "new lo",
    "synced",
    "gone",
    "new lo",
    "synced",
    "new new0",
  ]);
}, 60_000);

it("hears a namespace of two names under each, to its end", async () => {
  const [one, two] = [`${dir}/${prefix}t1`, `${dir}/${prefix}t2`];
  await nsDo(ns.createNamed(`${prefix}t1`, dir));
  // A second name, as `ip netns attach` gives one.
  writeFileSync(two, "");
  execFileSync("mount", ["--bind", one, two]);
  const stream = watch({ named: true, dir }, { groups: ["link"], listExisting: true });
  await stream.ready;
  const seen: WatchEvent[] = [];
  const reading = (async () => {
    for await (const e of stream) if (e.netns === one || e.netns === two) seen.push(e);
  })();
  const of = (label: string) =>
    seen.filter((e) => e.netns === label).map((e) => (e.type === "link" ? `${e.action} ${e.link.name}` : e.type));
  await until("both names are listed", () => seen.filter((e) => e.type === "synced").length === 2);
  execFileSync("nsenter", [`--net=${one}`, "ip", "link", "add", "x0", "type", "bridge"]);
  expect(linksAt(two)).toContain("x0");
  await until("the change is heard under each name", () => of(one).includes("new x0") && of(two).includes("new x0"));
  execFileSync("umount", [two]);
  rmSync(two);
  await nsDo(ns.now(), na.deleteNamed(`${prefix}t1`, dir));
  await until("its end is heard under each name", () => of(one).includes("gone") && of(two).includes("gone"));
  await stream.close();
  await reading;
  for (const label of [one, two]) expect(of(label)).toEqual(["new lo", "synced", "new x0", "gone"]);
}, 60_000);

// A mount dir may hold a name neslink does not take (`ip netns add "a b"` makes one): the watch threw on it out of the
// dir's listener, an uncaught exception that ended the watching process, whoever had made it.
it("goes on watching the dir when a namespace there has a name neslink does not take", async () => {
  const good = `${prefix}g`;
  const odd = `${dir}/${prefix} odd`;
  await nsDo(ns.createNamed(good, dir));
  const stream = watch({ named: true, dir }, { groups: ["link"], listExisting: true });
  await stream.ready;
  const { seen, reading } = reader(stream, `${dir}/${prefix}after`);
  // A second name of that namespace, as `ip netns attach` gives one.
  writeFileSync(odd, "");
  execFileSync("mount", ["--bind", `${dir}/${good}`, odd]);
  try {
    await nsDo(ns.createNamed(`${prefix}after`, dir));
    await until("the namespace made after it is listed", () => seen.some((e) => e.type === "synced"));
  } finally {
    execFileSync("umount", [odd]);
    rmSync(odd);
  }
  await stream.close();
  await reading;
}, 60_000);
