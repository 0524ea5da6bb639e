/**
 * stdio "merged": the program's stdout and stderr are one pipe, as a shell's
 * `2>&1` makes them, so that what it writes to both is read in the order it
 * wrote it (two pipes, each read when it has data, lose that order). Node
 * makes a pipe per stream and has no pipe() of its own: this one is libc's,
 * its write end given as both and closed here once the child has its copies.
 * The read end becomes the child's `stdout` (its `stderr` stays null), so
 * that whoever reads, pauses or closes a child's output handles it as any
 * other; Node's own "close" of the child does not wait for it (see whenEnded).
 */
import type { ChildProcess, IOType } from "node:child_process";
import { Socket } from "node:net";
import * as libc from "../ffi/libc.js";

/** Calls `spawn` with stdio [input, W, W], W the write end of a new pipe; the child's stdout reads the other end. */
export function spawnMerged(input: IOType, spawn: (stdio: [IOType, number, number]) => ChildProcess): ChildProcess {
  const [readEnd, writeEnd] = libc.pipe();
  let output: Socket;
  let child: ChildProcess;
  try {
    output = new Socket({ fd: readEnd, readable: true, writable: false });
  } catch (err) {
    libc.close(readEnd);
    libc.close(writeEnd);
    throw err;
  }
  try {
    child = spawn([input, writeEnd, writeEnd]);
  } catch (err) {
    output.destroy();
    throw err;
  } finally {
    // The child holds its copies now: one kept here too, the pipe would never end.
    libc.close(writeEnd);
  }
  // A child that could not start (its "error" comes with no pid) writes nothing: nobody would read the end left.
  child.once("error", () => {
    if (child.pid === undefined) output.destroy();
  });
  child.stdout = output;
  return child;
}
