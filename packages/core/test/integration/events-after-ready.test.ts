/**
 * What changes once a watch has said a namespace is watched (its `ready`, or
 * for a dir its listing's `synced`) comes change by change, as the README's
 * example shows (`new br0 false`, then `changed br0 true`). A namespace just
 * registered is dumped again instead of having what waits in the socket
 * applied (it may be an earlier holder's of its nsid) until the listener has
 * read the socket to the end: told before that read, a script that changed
 * the namespace at once had its first changes folded into that dump, one
 * `new` of the end state (events.test.ts saw it under load: `changed p0 up`
 * missing). Here the test holds the listener (ptrace) in that read, behind a
 * notification of another watched namespace, while the script reacts.
 */
import { execFileSync } from "node:child_process";
import { na, ns, nsDo, type WatchEvent } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { watchProcess } from "./held-listener.js";
import { cleanup, FAIL_AFTER_MS, until, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("ey");
const dir = privateMountDir(prefix);
const [first, later] = [`${prefix}a`, `${prefix}b`];

afterAll(async () => {
  for (const name of [first, later]) await nsDo(ns.now(), na.deleteNamed(name, dir)).catch(() => {});
  removeMountDir(dir);
  cleanup(prefix);
});

const inside = (name: string, ...args: string[]) => execFileSync("nsenter", [`--net=${dir}/${name}`, "ip", ...args]);

it("a namespace found in a watched dir: what the script changes once it is listed comes change by change", async () => {
  await nsDo(ns.createNamed(first, dir));
  const label = `${dir}/${later}`;
  // The script's reaction to the later namespace's listing: a bridge made, then brought up.
  const react = `if (event.type === "synced" && event.netns === ${JSON.stringify(label)}) {
    const { execFileSync } = await import("node:child_process");
    for (const args of [["link", "add", "x0", "type", "bridge"], ["link", "set", "x0", "up"]])
      execFileSync("nsenter", [${JSON.stringify(`--net=${label}`)}, "ip", ...args]);
    console.log(JSON.stringify({ type: "changed" }));
  }`;
  const watcher = await watchProcess({ named: true, dir }, { groups: ["link"], listExisting: true }, react);
  try {
    await watcher.hold();
    // Waiting in the listener's socket when it registers the later namespace: its read does not end at once.
    inside(first, "link", "add", "w0", "type", "bridge");
    await nsDo(ns.createNamed(later, dir));
    expect(await until(() => watcher.signalled(), FAIL_AFTER_MS), "the dir's new namespace is posted to the listener").toBe(true);
    watcher.readOne();
    // Told already (and so it has reacted), or not yet (and its loop sleeps): either way the listener goes on now.
    const changed = () => watcher.events.some((e) => (e as { type: string }).type === "changed");
    expect(await until(() => changed() || watcher.mainIdle(), FAIL_AFTER_MS)).toBe(true);
    watcher.release();
    const of = () =>
      watcher.events.flatMap((e: WatchEvent) =>
        e.netns !== label ? [] : [e.type === "link" ? `${e.action} ${e.link.name} ${e.link.up ? "up" : "down"}` : e.type],
      );
    expect(await until(() => of().includes("changed x0 up") || of().includes("new x0 up"), FAIL_AFTER_MS), of().join(", ")).toBe(true);
    expect(of()).toEqual(["new lo down", "synced", "new x0 down", "changed x0 up"]);
  } finally {
    watcher.end();
  }
}, 60_000);
