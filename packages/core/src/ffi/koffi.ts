/**
 * koffi and the one libc handle core declares its calls on, loaded the short
 * way. `import "koffi"` spends ~15 ms of CPU finding its native module before
 * anything is declared (it parses the ELF headers of the node binary to tell
 * glibc from musl, resolves its platform package through the module loader,
 * wraps deprecated calls), and every thread that loads core pays it: each
 * one-shot CLI command and each pool worker. On Linux x64 with glibc the
 * native module is the file of koffi's platform package that koffi itself
 * would load; process.dlopen takes it in ~2 ms, found beside the koffi that
 * Node's resolution gives this file (the nearest node_modules above it that
 * holds koffi), and only if it is that koffi's version (checked before it
 * is loaded, so that a mismatch never loads two native modules). Elsewhere
 * (on musl the glibc build does not load), or if anything is off, koffi's
 * entry does it its way.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type * as KoffiModule from "koffi";

type Koffi = typeof KoffiModule;

const PLATFORM = "@koromix/koffi-linux-x64";

/** The version in the package.json of the package at `dir`; undefined if there is none. */
function versionAt(dir: string): string | undefined {
  try {
    return JSON.parse(readFileSync(`${dir}/package.json`, "utf8")).version;
  } catch {
    return undefined;
  }
}

function nativeModule(): Koffi | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const version = versionAt(`${dir}/node_modules/koffi`);
    if (version === undefined) continue;
    // The koffi this file's imports resolve to: its own platform package sits beside it, or koffi's way finds the right one.
    if (versionAt(`${dir}/node_modules/${PLATFORM}`) !== version) return undefined;
    const module = { exports: {} as Koffi };
    try {
      process.dlopen(module, `${dir}/node_modules/${PLATFORM}/linux_x64/koffi.node`);
    } catch {
      return undefined;
    }
    return module.exports;
  }
  return undefined;
}

export const koffi: Koffi = nativeModule() ?? (createRequire(import.meta.url)("koffi") as Koffi);

/** The C library, loaded once for every declaration in ffi/. */
export const libc = koffi.load("libc.so.6");
