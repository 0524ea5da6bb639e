/**
 * A wait that yields to the event loop. Not node:timers/promises: that module
 * is not in Node's start-up snapshot, so importing it costs every one-shot
 * command that loads the importer (`ns add` reaches prune.ts) its compile.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
