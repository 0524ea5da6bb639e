/** Messages between watch() (main thread) and its listener thread. All plain data. */
import type { MessagePort } from "node:worker_threads";
import type { ErrorJSON } from "../errors.js";
import type { ExistingNsProvider } from "../namespace/providers.js";
import type { WatchEvent, WatchGroup } from "./types.js";

export interface ListenerOptions {
  /** Where the main thread's messages arrive (read with receiveMessageOnPort: the listener's loop never yields). */
  port: MessagePort;
  /** An eventfd the main thread signals after posting, to wake the listener out of poll(). */
  wakeFd: number;
  groups: WatchGroup[];
  /**
   * Every named namespace of a dir is watched: other namespaces than the
   * listener's own are to be heard, and a socket that cannot hear them fails
   * the watch at its start, not at the first namespace found (maybe never).
   */
  named: boolean;
  /** SO_RCVBUF of the event socket, in bytes. */
  receiveBuffer: number;
  /** Events kept for the consumer (WatchOptions.maxQueued): those posted and not yet taken count too. */
  maxQueued: number;
  /** One Int32: how many events (outside relistings) the main thread has taken off the port, wrapping. */
  taken: SharedArrayBuffer;
  /** Shared bits: the descriptors the listener opened through koffi (worker/descriptors.ts), closed by the main thread if it dies. */
  descriptors: SharedArrayBuffer;
}

/** A namespace to watch: `label` names it in events, `path` (its provider's file) in errors. */
export interface WatchTarget {
  label: string;
  path: string;
  /**
   * Opened as a provider's namespace is everywhere (openProviderNs): a mount
   * dir's entry never followed, a handle's descriptor only while it still
   * refers to the handle's namespace (a copy of its provider has no tie to
   * the handle, whose number may be another namespace's by now).
   */
  provider: ExistingNsProvider;
  /** Emit its current state as events once registered. */
  list: boolean;
}

export type ToListener =
  | { type: "add"; targets: WatchTarget[] }
  /** The main thread dropped queued events: send every namespace's whole state again. */
  | { type: "relist" }
  | { type: "stop" };

export type FromListener =
  | { type: "events"; events: WatchEvent[] }
  /** The main thread fell maxQueued events behind: those after this are dropped (all but `gone`) until "relist". */
  | { type: "dropped" }
  /** Answers "relist": the events after this one are the relisting (those before it were sent before it was asked for). */
  | { type: "relisting" }
  /** The relisting is whole: the events after this one are new again. */
  | { type: "relisted" }
  /** The event socket is open and subscribed: notifications from now on are heard. */
  | { type: "listening" }
  /** A target is registered (its nsid known, its state dumped), or could not be. */
  | { type: "added"; label: string; error?: ErrorJSON }
  /** The listener cannot go on (its thread could not return to its namespace, a socket failed). */
  | { type: "failed"; error: ErrorJSON }
  /** Every socket is closed; the thread ends. */
  | { type: "stopped" };
