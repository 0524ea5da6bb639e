/**
 * watch() of a file that is no network namespace: what sits in /run/netns
 * may be a symlink to a namespace elsewhere, a FIFO, an empty leftover; a path
 * may name a namespace of another type. Each is refused as every other part
 * of neslink refuses it (ERR_NOT_A_NAMESPACE, entry.ts), before anything is
 * watched, and the watch leaves no descriptor behind.
 */
import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { type EventStream, ns, watch } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fdCount, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("wf");
const real = `${prefix}ns`;
const entries = { link: `${prefix}link`, fifo: `${prefix}fifo`, empty: `${prefix}empty` };

beforeAll(() => {
  ip("netns", "add", real);
  symlinkSync(`/run/netns/${real}`, `/run/netns/${entries.link}`);
  execFileSync("mkfifo", [`/run/netns/${entries.fifo}`]);
  writeFileSync(`/run/netns/${entries.empty}`, "");
});

afterAll(() => {
  for (const name of Object.values(entries)) rmSync(`/run/netns/${name}`, { force: true });
  cleanup(prefix);
});

/** Why `stream` was refused (its readiness and its first next() must agree), once it is closed. */
async function refusal(stream: EventStream): Promise<unknown> {
  const ready = await stream.ready.then(
    () => "ready",
    (err: { code?: string }) => err.code,
  );
  const next = await stream.next().then(
    () => "an event",
    (err: { code?: string }) => err.code,
  );
  await stream.close();
  return { ready, next };
}

describe("watch() of what is no network namespace", () => {
  it.each([
    ["a symlink in the mount dir, though it leads to a namespace", () => ns.name(entries.link)],
    ["a FIFO in the mount dir", () => ns.name(entries.fifo)],
    ["an empty file in the mount dir", () => ns.name(entries.empty)],
    ["a namespace of another type", () => ns.path("/proc/self/ns/mnt")],
    ["a FIFO by path", () => ns.path(`/run/netns/${entries.fifo}`)],
  ])("refuses %s with ERR_NOT_A_NAMESPACE, leaking nothing", async (_, provider) => {
    const before = fdCount();
    expect(await refusal(watch(provider(), { groups: ["link"] }))).toEqual({
      ready: "ERR_NOT_A_NAMESPACE",
      next: "ERR_NOT_A_NAMESPACE",
    });
    expect(fdCount()).toBe(before);
  });

  it("still watches the namespace itself by its name", async () => {
    const stream = watch(ns.name(real), { groups: ["link"], listExisting: true });
    await stream.ready;
    expect((await stream.next()).value).toMatchObject({ type: "link", netns: real, link: { name: "lo" } });
    await stream.close();
  });
});
