/**
 * Talking to a fixture (test/fixtures) by lines: its stdout read a line at a
 * time, and the line that lets it go on written so that it is in its pipe
 * before the test blocks its own event loop (ptrace's stopAt is synchronous:
 * a write still queued then never reaches the fixture).
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** The fixture's next line, each call; its end before one is an error. */
export function linesOf(child: ChildProcess): () => Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("the fixture ended early");
    return value as string;
  };
}

/** Says "go" to the fixture (its stdin's last line), once it is in the pipe. */
export function go(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.stdin?.end("go\n", resolve));
}
