/**
 * watch({ named: true, dir }) when its dir is removed and made again (as
 * `rm -r /run/netns` then the next `ip netns add` would): inotify's watch
 * stays on the removed dir, so the watch follows the path, to the new dir,
 * and hears the namespaces made there. A dir of this file's own: /run/netns
 * is never removed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { ns, nsDo, type WatchEvent, watch } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, linksAt, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("wd");
const dir = privateMountDir(prefix);

afterAll(() => {
  removeMountDir(dir);
  cleanup(prefix);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !ok(); i++) await sleep(50);
  expect(ok(), what).toBe(true);
}

/** The dir made again as iproute2 makes it: bind-mounted on itself, shared. */
function makeDir(): void {
  mkdirSync(dir);
  execFileSync("mount", ["--bind", dir, dir]);
  execFileSync("mount", ["--make-shared", dir]);
}

it("hears the namespaces made in its dir after the dir was removed and made again, each time", async () => {
  const stream = watch({ named: true, dir }, { groups: ["link"], listExisting: true });
  await stream.ready;
  const seen: WatchEvent[] = [];
  const reading = (async () => {
    for await (const e of stream) seen.push(e);
  })();
  const heard = (label: string, type: string, link?: string) =>
    seen.some((e) => e.netns === label && e.type === type && (link === undefined || (e.type === "link" && e.link.name === link)));

  for (const round of [1, 2, 3]) {
    const name = `${prefix}n${round}`;
    const label = `${dir}/${name}`;
    const bridge = `${prefix}b${round}`;
    await nsDo(ns.createNamed(name, dir));
    await until(`${name} is listed`, () => heard(label, "synced"));
    execFileSync("nsenter", [`--net=${label}`, "ip", "link", "add", bridge, "type", "bridge"]);
    await until(`${name}'s new link is heard`, () => heard(label, "link", bridge));
    expect(linksAt(label)).toContain(bridge);
    // Unmounted, its namespace is destroyed (nobody holds it); the dir stays away until that is heard.
    removeMountDir(dir);
    await until(`${name} is gone`, () => heard(label, "gone"));
    makeDir();
  }
  await stream.close();
  await reading;
}, 120_000);
