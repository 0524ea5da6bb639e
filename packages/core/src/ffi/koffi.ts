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
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as KoffiModule from "koffi";
import { nearestPackage } from "../files/package-entry.js";

type Koffi = typeof KoffiModule;

const PLATFORM = "@koromix/koffi-linux-x64";

function nativeModule(): Koffi | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  const koffi = nearestPackage("koffi", dirname(fileURLToPath(import.meta.url)));
  // A manifest without a version (one Node could not read) matches nothing: koffi's way then meets what Node makes of it.
  if (typeof koffi?.manifest.version !== "string") return undefined;
  // The koffi this file's imports resolve to: its own platform package sits beside it, or koffi's way finds the right one.
  const platform = nearestPackage(PLATFORM, dirname(dirname(koffi.root)));
  if (platform?.root !== join(dirname(koffi.root), PLATFORM) || platform.manifest.version !== koffi.manifest.version) {
    return undefined;
  }
  const module = { exports: {} as Koffi };
  try {
    process.dlopen(module, `${platform.root}/linux_x64/koffi.node`);
  } catch {
    return undefined;
  }
  return module.exports;
}

// node:module only for koffi's own way: it would load Node's ES module loader for every command.
export const koffi: Koffi = nativeModule() ?? (process.getBuiltinModule("node:module").createRequire(import.meta.url)("koffi") as Koffi);

/** The C library, loaded once for every declaration in ffi/. */
export const libc = koffi.load("libc.so.6");
