/**
 * pruneNamedAsync: the prune's second look at a stale entry (100 ms after its
 * first, see prune.ts) waits on a timer, not by blocking the thread, so a
 * long-running process (`neslink agent`, a server) goes on meanwhile. In a
 * temp dir of this file's own; no namespace is made.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { pruneNamed, pruneNamedAsync } from "@neslink/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("pa");
const dir = `${tmpdir()}/${prefix}-netns`;
mkdirSync(dir);
const at = (name: string) => `${dir}/${name}`;

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An empty read-only file with nothing mounted on it: what a killed creator leaves. */
const leaveStale = (name: string) => writeFileSync(at(name), "", { mode: 0o444 });

describe("pruneNamedAsync", () => {
  it("lets the event loop run while it waits to look again: a timer set after it started fires before it settles", async () => {
    const stale = `${prefix}s`;
    leaveStale(stale);
    const order: string[] = [];
    const pruning = pruneNamedAsync(dir).then((result) => {
      order.push("pruned");
      return result;
    });
    // What the timer sees: the entry still there, the prune waiting on its second look.
    const seenByTimer = new Promise<boolean>((resolve) =>
      setTimeout(() => {
        order.push("timer");
        resolve(existsSync(at(stale)));
      }, 0),
    );
    expect(await seenByTimer).toBe(true);
    expect(await pruning).toEqual({ removed: [{ netns: stale }], skipped: [] });
    expect(order).toEqual(["timer", "pruned"]);
    expect(existsSync(at(stale))).toBe(false);
  });

  it("judges entries as pruneNamed does", async () => {
    const [stale, notes, writable] = [`${prefix}s`, `${prefix}notes`, `${prefix}w`];
    leaveStale(stale);
    writeFileSync(at(notes), "not a namespace\n");
    writeFileSync(at(writable), "", { mode: 0o644 });
    const skipped = [
      { netns: notes, reason: "a file that is not a namespace" },
      { netns: writable, reason: "an empty file of mode 0644: no namespace creator leaves a writable or executable one" },
    ];
    expect(await pruneNamedAsync(dir)).toEqual({ removed: [{ netns: stale }], skipped });
    leaveStale(stale);
    expect(pruneNamed(dir)).toEqual({ removed: [{ netns: stale }], skipped });
    expect(existsSync(at(notes))).toBe(true);
    expect(existsSync(at(writable))).toBe(true);
  });

  it("refuses a relative dir, typed, naming the field", async () => {
    await expect(pruneNamedAsync("relative")).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "dir" });
  });
});
