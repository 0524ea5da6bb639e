import type { Run } from "../command.js";

/**
 * A `run` that loads the command's implementation (commands/run/) when the
 * command runs. This module's neighbours, the commands' specs, are what
 * parsing, help and completion read, and every command loads them; each
 * implementation, with the helpers only it uses, is a chunk of its own in the
 * bundle, so a one-shot command compiles its own code and not every other's.
 */
export function lazyRun<M>(load: () => Promise<M>, pick: (implementation: M) => Run): Run {
  return (invocation, session) => load().then((implementation) => pick(implementation)(invocation, session));
}
