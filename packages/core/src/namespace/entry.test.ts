// What entries are, judged in a temporary dir (no root, nothing mounted) and on /proc's namespace files.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { NotANamespaceError, NotFoundError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { entryState, openNamespace, openStale, removeStale } from "./entry.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-entry-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("entryState", () => {
  it("tells each kind of entry apart without following or blocking", { timeout: 2000 }, () => {
    writeFileSync(`${dir}/empty`, "");
    writeFileSync(`${dir}/full`, "x");
    symlinkSync(`${dir}/empty`, `${dir}/link`);
    mkdirSync(`${dir}/sub`);
    execFileSync("mkfifo", [`${dir}/fifo`]);
    expect(entryState(`${dir}/empty`)).toEqual({ kind: "stale" });
    expect(entryState(`${dir}/full`)).toEqual({ kind: "other", reason: "a file that is not a namespace" });
    expect(entryState(`${dir}/link`)).toEqual({ kind: "other", reason: "a symbolic link" });
    expect(entryState(`${dir}/sub`)).toEqual({ kind: "other", reason: "a directory" });
    expect(entryState(`${dir}/fifo`)).toEqual({ kind: "other", reason: "a FIFO" });
    expect(entryState(`${dir}/none`)).toEqual({ kind: "missing" });
  });

  it("an empty file with a second hard link is not stale (removing it would remove someone's file)", () => {
    writeFileSync(`${dir}/shared`, "");
    execFileSync("ln", [`${dir}/shared`, `${dir}/shared2`]);
    expect(entryState(`${dir}/shared`)).toEqual({ kind: "other", reason: "an empty file that is not a namespace" });
  });
});

describe("openNamespace", () => {
  it("opens a network namespace file (following /proc's magic link when asked) and refuses the rest", () => {
    const fd = openNamespace("/proc/thread-self/ns/net", { follow: true });
    expect(libc.nsType(fd)).toBe(libc.CLONE_NEWNET);
    libc.close(fd);
    expect(() => openNamespace("/proc/thread-self/ns/net")).toThrow(NotANamespaceError);
    expect(() => openNamespace("/proc/thread-self/ns/uts", { follow: true })).toThrow(/a namespace of another type/);
    expect(() => openNamespace(`${dir}/none`)).toThrow(NotFoundError);
  });
});

describe("stale entries", () => {
  it("are locked by one taker at a time, and removed only when not locked", () => {
    writeFileSync(`${dir}/taken`, "");
    const fd = openStale(`${dir}/taken`) as number;
    expect(fd).toBeTypeOf("number");
    // Another open file (another creator, or prune) cannot take it meanwhile.
    expect(openStale(`${dir}/taken`)).toBeUndefined();
    expect(removeStale(`${dir}/taken`)).toBe(false);
    libc.close(fd);
    expect(removeStale(`${dir}/taken`)).toBe(true);
    expect(entryState(`${dir}/taken`)).toEqual({ kind: "missing" });
  });
});
