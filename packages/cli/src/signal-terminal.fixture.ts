/** A Terminal for unit tests whose signals the test sends, and whose raise does not end the process (as in an interactive shell's line). */
import { PassThrough } from "node:stream";
import type { Terminal } from "./command.js";

export function signalTerminal() {
  const raised: NodeJS.Signals[] = [];
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  const terminal: Terminal = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    onSignals: (_signals, h) => {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    raise: (signal) => raised.push(signal),
  };
  return { terminal, raised, send: (signal: NodeJS.Signals) => handler?.(signal), listening: () => handler !== undefined };
}
