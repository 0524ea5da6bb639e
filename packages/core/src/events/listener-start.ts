/**
 * Starting a watch's listener thread, or failing to with nothing left open.
 * Short of descriptors (EMFILE), any one a start needs may be the one refused:
 * the wake-up eventfd, the thread's event loop (see thread-start.ts), a file
 * of its code, a socket.
 * Whichever it is, what was opened before it is closed, and the failure is a
 * typed error naming the limit (SystemCallError's message), not Node's own.
 */
import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { type NeslinkError, PoolError, typedError } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { LISTENER_FILE } from "../files/own.js";
import { ensureRoom, systemCallErrorOf, THREAD_LOOP_DESCRIPTORS } from "../pool/thread-start.js";
import { startWorker } from "../pool/worker-argv.js";
import { DescriptorBits } from "../worker/descriptors.js";
import type { ListenerOptions } from "./protocol.js";

export interface Listener {
  worker: Worker;
  /** The main thread's end of the listener's port. */
  port: MessagePort;
  /** The eventfd that wakes the listener out of poll(); the caller closes it once the thread has exited. */
  wakeFd: number;
  /** What the listener opened, shared: the caller closes what a thread that died left open. */
  descriptors: DescriptorBits;
  /** Events taken off the port (ListenerOptions.taken). */
  taken: Int32Array;
}

/** What the watch decides of its listener's options; the rest is made here. */
export type ListenerSettings = Omit<ListenerOptions, "port" | "wakeFd" | "taken" | "descriptors">;

/** Starts the listener thread of a watch; throws, having closed what it opened, if it cannot. */
export function startListener(settings: ListenerSettings): Listener {
  // First, while nothing is open: it reads the descriptor limit from a file, and that open may be refused too.
  let shared: SharedArrayBuffer;
  try {
    shared = DescriptorBits.allocate();
  } catch (err) {
    throw typedError(err);
  }
  const wakeFd = libc.eventfd("the watch's wake-up");
  let port: MessagePort | undefined;
  try {
    ensureRoom(THREAD_LOOP_DESCRIPTORS, "room for the watch's listener thread to start");
    const taken = new SharedArrayBuffer(4);
    const channel = new MessageChannel();
    port = channel.port1;
    const worker = startWorker(LISTENER_FILE, {
      workerData: { ...settings, port: channel.port2, wakeFd, taken, descriptors: shared } satisfies ListenerOptions,
      transferList: [channel.port2],
    });
    return { worker, port, wakeFd, descriptors: new DescriptorBits(shared), taken: new Int32Array(taken) };
  } catch (err) {
    port?.close();
    libc.close(wakeFd);
    throw typedError(err);
  }
}

/** A listener thread's `error` event as a typed error: out of descriptors, a SystemCallError (systemCallErrorOf). */
export function listenerError(err: Error): NeslinkError {
  return (
    systemCallErrorOf(err, "the watch's listener thread could not start") ??
    new PoolError(`the watch's listener thread failed: ${err.message}`)
  );
}
