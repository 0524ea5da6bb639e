/**
 * watch() given hand-built targets and options, as a program that builds them
 * itself (from a config file, through a Proxy) would: every refusal is a
 * ValidationError naming the field, thrown before the listener thread, its
 * eventfd or an inotify watch exists, so nothing is left behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ns, watch } from "@neslink/core";
import { fdCount, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("wi");
const plainFile = join(tmpdir(), `${prefix}-file`);
const fifo = join(tmpdir(), `${prefix}-fifo`);
writeFileSync(plainFile, "");
execFileSync("mkfifo", [fifo]);
afterAll(() => {
  rmSync(plainFile, { force: true });
  rmSync(fifo, { force: true });
});

const boom = () => {
  throw new Error("boom");
};

const cases: [string, () => unknown, string][] = [
  ["a signal that is no AbortSignal", () => watch(ns.now(), { signal: "abort" as never }), "options.signal"],
  ["a signal-like object", () => watch(ns.now(), { signal: {} as never }), "options.signal"],
  [
    "a getter of signal that throws",
    () =>
      watch(ns.now(), {
        get signal(): AbortSignal {
          return boom();
        },
      }),
    "options",
  ],
  [
    "a getter of groups that throws",
    () =>
      watch(ns.now(), {
        get groups(): never {
          return boom();
        },
      }),
    "options",
  ],
  ["a Proxy of options whose traps throw", () => watch(ns.now(), new Proxy({}, { ownKeys: boom, get: boom })), "options"],
  ["listExisting that is no boolean", () => watch(ns.now(), { listExisting: "yes" as never }), "options.listExisting"],
  ["a group of a Proxy that throws", () => watch(ns.now(), { groups: new Proxy(["link"], { get: boom }) as never }), "options"],
  ["named: false", () => watch({ named: false } as never), "targets.named"],
  ["a misspelt field of a named target", () => watch({ named: true, dri: "/run/netns" } as never), "targets.dri"],
  [
    "a getter of dir that throws",
    () =>
      watch({
        named: true,
        get dir(): string {
          return boom();
        },
      }),
    "targets",
  ],
  ["a dir that is a plain file", () => watch({ named: true, dir: plainFile }), "targets.dir"],
  ["a dir that is a FIFO", () => watch({ named: true, dir: fifo }), "targets.dir"],
  [
    "a provider whose kind getter throws",
    () =>
      watch({
        get kind(): never {
          return boom();
        },
      }),
    "provider",
  ],
  ["a Proxy of a list that throws", () => watch(new Proxy([ns.now()], { get: boom })), "providers"],
];

describe("watch() refusing hand-built input", () => {
  it.each(cases)("%s: a ValidationError naming the field, nothing opened", (_, call, field) => {
    const before = fdCount();
    expect(call).toThrow(expect.objectContaining({ name: "ValidationError", code: "ERR_INVALID_ARGUMENT", field }));
    // The refusal is synchronous, and so is what a started listener would have opened (its eventfd, the thread's pipes).
    expect(fdCount()).toBe(before);
  });
});

describe("watch() given a mount dir that is no directory", () => {
  it.each([
    ["a FIFO", () => fifo, `${fifo} is a FIFO, not a directory`],
    ["a FIFO on its way", () => `${fifo}/netns`, `${fifo} is a FIFO, not a directory`],
    ["a plain file", () => plainFile, `${plainFile} is a regular file, not a directory`],
  ])("%s: says what is there, not mkdir's EEXIST", (_, dir, message) => {
    expect(() => watch({ named: true, dir: dir() })).toThrow(
      expect.objectContaining({ field: "targets.dir", message: `targets.dir: ${message}` }),
    );
    // Left as it was.
    expect(execFileSync("stat", ["-c", "%F", fifo], { encoding: "utf8" }).trim()).toBe("fifo");
    expect(existsSync(plainFile)).toBe(true);
  });
});
