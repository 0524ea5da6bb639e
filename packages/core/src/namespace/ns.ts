/** Namespace providers under their short names (`ns.name("x")`): what lean, index and read export as `ns`. */
import * as nsProviders from "./providers.js";

/** Namespace providers: which namespace nsDo works in. */
export const ns = {
  now: nsProviders.now,
  name: nsProviders.name,
  path: nsProviders.path,
  process: nsProviders.processNs,
  thread: nsProviders.thread,
  handle: nsProviders.handle,
  create: nsProviders.create,
  createNamed: nsProviders.createNamed,
  custom: nsProviders.custom,
} as const;
