import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cacheModule, cacheRoot, enableCompileCache, flushCompileCache } from "./compile-cache.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh parent directory; the cache root is `neslink` inside it. */
function parent(): string {
  const dir = mkdtempSync(join(tmpdir(), "neslink-cc-"));
  made.push(dir);
  return dir;
}

function enabledWith(root: string, env: NodeJS.ProcessEnv = {}, uid = process.getuid?.() ?? 0) {
  const calls: (string | undefined)[] = [];
  const dir = enableCompileCache((d) => calls.push(d), env, uid, root);
  return { dir, calls };
}

describe("the compile cache is only ever in a directory nobody else can write", () => {
  it("makes root/node-compile-cache, 0700, and enables it there", () => {
    const root = join(parent(), "neslink");
    const { dir, calls } = enabledWith(root);
    expect(dir).toBe(join(root, "node-compile-cache"));
    expect(calls).toEqual([dir]);
  });

  it("stays off where the directory is someone else's, writable by others, or a symlink", () => {
    const others = join(parent(), "neslink");
    mkdirSync(others, { mode: 0o700 });
    chownSync(others, 65534, 65534);
    expect(enabledWith(others)).toEqual({ dir: undefined, calls: [] });

    const open = join(parent(), "neslink");
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(enabledWith(open)).toEqual({ dir: undefined, calls: [] });

    const target = parent();
    const linked = join(parent(), "neslink");
    symlinkSync(target, linked);
    expect(enabledWith(linked)).toEqual({ dir: undefined, calls: [] });

    const planted = join(parent(), "neslink");
    mkdirSync(planted, { mode: 0o700 });
    mkdirSync(join(planted, "node-compile-cache"), { mode: 0o777 });
    chmodSync(join(planted, "node-compile-cache"), 0o777);
    expect(enabledWith(planted)).toEqual({ dir: undefined, calls: [] });
  });

  it("a Node without it, or NODE_DISABLE_COMPILE_CACHE: off, and nothing made", () => {
    const root = join(parent(), "neslink");
    expect(enableCompileCache(undefined, {}, 0, root)).toBeUndefined();
    expect(enabledWith(root, { NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual({ dir: undefined, calls: [] });
    expect(existsSync(root)).toBe(false);
  });

  it("NODE_COMPILE_CACHE is the user's choice, taken as it is", () => {
    expect(enabledWith(join(parent(), "neslink"), { NODE_COMPILE_CACHE: "/somewhere" })).toEqual({ dir: "/somewhere", calls: [undefined] });
  });

  it("root's is under /var/cache, a user's under their cache directory", () => {
    expect(cacheRoot({}, 0)).toBe("/var/cache/neslink");
    expect(cacheRoot({ XDG_CACHE_HOME: "/home/u/.c" }, 1000)).toBe("/home/u/.c/neslink");
  });
});

describe("before exec replaces the process", () => {
  it("writes the cache out where Node can (its exit never comes), and is a no-op where it cannot", () => {
    let flushed = 0;
    flushCompileCache(() => flushed++);
    expect(flushed).toBe(1);
    expect(() => flushCompileCache(undefined)).not.toThrow();
  });
});

describe("node:module is taken only where it has the cache", () => {
  it("from Node 22.1 on, not before (loading it there would cost every command for nothing)", () => {
    expect(cacheModule("20.19.0")).toBeUndefined();
    expect(cacheModule("22.0.0")).toBeUndefined();
    expect(cacheModule("22.1.0")).toBe(process.getBuiltinModule("node:module"));
    expect(cacheModule("24.0.0")).toBe(process.getBuiltinModule("node:module"));
  });
});
