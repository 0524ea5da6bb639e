/**
 * Node's compile cache (Node >= 22.1: code compiled in one run is reused by
 * the next), kept only in a directory no other account can write. A cache
 * entry is code this process runs, and neslink mostly runs as root: Node's
 * default, a shared directory in /tmp, is one any local user could have made
 * first and filled. Without such a directory, no cache.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";

type Enable = (directory?: string) => unknown;
type CacheModule = { enableCompileCache?: Enable; flushCompileCache?: () => void };

/**
 * node:module where it has the compile cache (Node >= 22.1), else undefined.
 * Taken only there, not imported: on Node 20 it would load Node's ES module
 * loader (~5M instructions of every command's start) for a cache it lacks.
 */
export function cacheModule(version: string = process.versions.node): CacheModule | undefined {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 1) ? (process.getBuiltinModule("node:module") as CacheModule) : undefined;
}

/** Where neslink keeps what it caches: /var/cache/neslink for root, the user's cache directory otherwise. */
export function cacheRoot(env: NodeJS.ProcessEnv, uid: number): string {
  if (uid === 0) return "/var/cache/neslink";
  return join(env.XDG_CACHE_HOME || join(process.getBuiltinModule("node:os").homedir(), ".cache"), "neslink");
}

/** Makes `dir` (its parent must exist) or takes the one there if it is a directory of this user's that nobody else may write. */
function privateDir(dir: string, uid: number): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") return false;
  }
  const st = lstatSync(dir);
  return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
}

/**
 * Turns the compile cache on in `root`/node-compile-cache where that is
 * private (see above); returns the directory, or undefined when it stays off
 * (a Node without it, NODE_DISABLE_COMPILE_CACHE, a directory not private).
 * NODE_COMPILE_CACHE, the user's own choice, is taken as it is.
 */
export function enableCompileCache(
  enable: Enable | undefined = cacheModule()?.enableCompileCache,
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1,
  root?: string,
): string | undefined {
  if (enable === undefined || env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NODE_COMPILE_CACHE) {
    enable();
    return env.NODE_COMPILE_CACHE;
  }
  // Worked out only now: a user's home directory is found through node:os, which a Node without the cache never needs.
  const base = root ?? cacheRoot(env, uid);
  const dir = join(base, "node-compile-cache");
  try {
    mkdirSync(join(base, ".."), { recursive: true });
    if (!privateDir(base, uid) || !privateDir(dir, uid)) return undefined;
  } catch {
    return undefined;
  }
  enable(dir);
  return dir;
}

/**
 * Writes out what the compile cache gathered in this run, now: a process that
 * is about to become another program (`exec`) never reaches its exit, where
 * Node writes it (Node >= 22.10; a no-op before).
 */
export function flushCompileCache(flush = cacheModule()?.flushCompileCache): void {
  flush?.();
}
