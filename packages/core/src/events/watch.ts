/**
 * watch(): the kernel's notifications for links, addresses, routes,
 * neighbours and nsids in one namespace, a list, or every named namespace
 * (ones created later included), as an async iterable of typed events.
 *
 * A listener thread of its own (listener.ts) does the waiting; this side
 * queues what it sends and hands it to the consumer. Ending the iteration
 * (break, return, the AbortSignal) wakes that thread at once; it closes its
 * sockets and ends.
 */
import type { MessagePort, Worker } from "node:worker_threads";
import {
  AbortedError,
  errorFromJSON,
  type NeslinkError,
  NotANamespaceError,
  NotFoundError,
  PoolError,
  typedError,
  ValidationError,
} from "../errors.js";
import * as libc from "../ffi/libc.js";
import type { NsProvider } from "../namespace/providers.js";
import { whenAborted } from "../pool/when-aborted.js";
import type { DescriptorBits } from "../worker/descriptors.js";
import { type Listener, listenerError, startListener } from "./listener-start.js";
import { NamedDir } from "./named-dir.js";
import type { FromListener, ToListener, WatchTarget } from "./protocol.js";
import { watchOptions } from "./options.js";
import { isNamed, namedDir, providerTargets, type WatchTargets } from "./targets.js";
import type { WatchEvent, WatchGroup } from "./types.js";

export type { WatchTargets } from "./targets.js";

export interface WatchOptions {
  /** What to hear (default: all of link, address, route, neighbour, nsid). */
  groups?: readonly WatchGroup[];
  /** Start with each namespace's current state as `new` events, then a `synced` event per namespace. */
  listExisting?: boolean;
  /** Aborting ends the iteration (as `break` would) and closes every socket of the watch. */
  signal?: AbortSignal;
  /**
   * The event socket's receive buffer in bytes (default 8 MiB). When a burst
   * overflows it, the stream says so (`resync`) and catches up from a dump.
   */
  receiveBuffer?: number;
  /**
   * Events kept for a consumer that reads slower than they come (default
   * 100,000; at least 1024). Past it they are dropped, and once the consumer
   * reads again the stream says so (`resync`, reason `slow-consumer`) and lists
   * every namespace's whole state again (kept whole, however long). A `gone` is
   * never dropped.
   */
  maxQueued?: number;
}

/**
 * Listeners of open watches. A thread asleep in poll() cannot be terminated,
 * and Node waits for its threads when the process exits: on exit each is told
 * to stop and woken (synchronously: an exit handler cannot wait).
 */
const open = new Set<EventStream>();
let exitHooked = false;
function stopAllOnExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once("exit", () => {
    for (const stream of open) void stream.close();
  });
}

interface Waiter {
  resolve: (r: IteratorResult<WatchEvent>) => void;
  reject: (err: Error) => void;
}

export class EventStream implements AsyncIterableIterator<WatchEvent> {
  /** Resolves once every namespace named at the start is being watched (and, with listExisting, listed). */
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #wakeFd: number;
  readonly #descriptors: DescriptorBits;
  readonly #queue: WatchEvent[] = [];
  #waiter: Waiter | undefined;
  #error: Error | undefined;
  #ended = false;
  #closed = false;
  readonly #maxQueued: number;
  /** Shared with the listener: events taken off the port, which it counts against maxQueued with those it posted since. */
  readonly #taken: Int32Array;
  /** Queued events were dropped: later ones are dropped too until the relisting starts. */
  #dropping = false;
  /**
   * Events were dropped and the relisting is not asked for yet: it is once
   * the consumer reads again. Asked for at once, a consumer that reads no
   * more would have it dropped and asked for again, over and over.
   */
  #relistWanted = false;
  /** The relisting is arriving: it is the whole state, and is kept whole whatever maxQueued says. */
  #relisting = false;
  /** How many events at the head of the queue are the relisting's (maxQueued bounds those after it). */
  #relisted = 0;
  #closing: Promise<void> | undefined;
  /** Stops listening to the caller's signal, which may outlive this watch by far (one for a whole program). */
  #stopWaiting: (() => void) | undefined;
  readonly #exited: Promise<void>;
  #hasExited = false;
  /** Labels sent to the listener and not yet answered, and what waits for them. */
  readonly #pending = new Set<string>();
  /** The listener's socket is subscribed (or it failed first): until then `ready` waits, and so does the process. */
  #listening = false;
  #settleReady: (err?: Error) => void = () => {};
  #named: NamedDir | undefined;
  /**
   * The namespaces of a fixed list (one provider or several) not yet gone.
   * Once none is left nothing more can come, so the iteration ends after the
   * last event; `{ named: true }` can always gain a namespace and never ends so.
   */
  #alive: Set<string> | undefined;

  /** Use watch(). */
  constructor(targets: WatchTargets, options: WatchOptions) {
    // Read once, before anything is opened or started: a refusal leaves nothing behind.
    const { groups, listExisting, signal, receiveBuffer, maxQueued } = watchOptions(options);
    this.#maxQueued = maxQueued;
    const initial = this.#initialTargets(targets, listExisting);
    // An empty list has nothing to wait for: its iteration ends at once, as an empty array's would.
    if (!this.#named) this.#alive = new Set(initial.map((t) => t.label));
    this.ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (err) => (err ? reject(err) : resolve());
    });
    // A failure also reaches the consumer through next(); this keeps an unawaited `ready` from crashing the process.
    this.ready.catch(() => {});
    let listener: Listener;
    try {
      listener = startListener({ groups, named: this.#named !== undefined, receiveBuffer, maxQueued });
    } catch (err) {
      // What else the start opened, it closed.
      this.#named?.close();
      throw err;
    }
    this.#worker = listener.worker;
    this.#port = listener.port;
    this.#wakeFd = listener.wakeFd;
    this.#descriptors = listener.descriptors;
    this.#taken = listener.taken;
    this.#exited = new Promise((resolve) =>
      this.#worker.once("exit", () => {
        this.#hasExited = true;
        resolve();
      }),
    );
    this.#worker.on("message", (msg: FromListener) => this.#onMessage(msg));
    this.#worker.on("error", (err) => this.#fail(listenerError(err)));
    this.#worker.once("exit", () => this.#fail(new PoolError("the watch's listener thread ended unexpectedly")));
    open.add(this);
    stopAllOnExit();
    this.#add(initial);
    // A dir with no namespace yet is ready once it can be heard (its listener may refuse it: see ListenerOptions.named).
    if (initial.length === 0 && !this.#named) this.#settleReady();
    this.#refWhileWaited();
    if (signal?.aborted) void this.close();
    else if (signal) this.#stopWaiting = whenAborted(signal, () => void this.close());
  }

  #initialTargets(targets: WatchTargets, list: boolean): WatchTarget[] {
    if (!isNamed(targets)) return providerTargets(targets as NsProvider | readonly NsProvider[], list);
    const named = new NamedDir(namedDir(targets), (found) => this.#add(found));
    try {
      this.#named = named;
      return named.initial(list);
    } catch (err) {
      named.close();
      // Listing the dir may be refused too (out of descriptors): said as neslink says a failed call.
      throw typedError(err);
    }
  }

  #add(targets: WatchTarget[]): void {
    if (targets.length === 0 || this.#closing) return;
    for (const t of targets) this.#pending.add(t.label);
    this.#send({ type: "add", targets });
    this.#refWhileWaited();
  }

  #send(msg: ToListener): void {
    this.#port.postMessage(msg);
    libc.signalEventfd(this.#wakeFd);
  }

  #onMessage(msg: FromListener): void {
    switch (msg.type) {
      case "events":
        if (!this.#relisting) Atomics.add(this.#taken, 0, msg.events.length);
        if (this.#ended) return;
        this.#take(msg.events);
        this.#wake();
        return;
      case "dropped":
        if (!this.#dropping) this.#drop();
        this.#wake();
        return;
      case "relisting":
        this.#dropping = false;
        this.#relisting = true;
        return;
      case "relisted":
        this.#relisting = false;
        return;
      case "listening":
        this.#listening = true;
        if (this.#pending.size === 0) this.#settleReady();
        this.#refWhileWaited();
        return;
      case "added":
        this.#pending.delete(msg.label);
        if (msg.error) this.#notAdded(msg.label, errorFromJSON(msg.error));
        // Also after a dir's file that is looked at again (see #notAdded): one that is gone may never be added.
        if (this.#pending.size === 0 && this.#listening) this.#settleReady();
        this.#refWhileWaited();
        return;
      case "failed":
        this.#fail(errorFromJSON(msg.error));
        return;
      case "stopped":
        return;
    }
  }

  /**
   * A target could not be watched. A dir's file is looked at again if it is no
   * namespace (yet: its creator mounts one on it a moment after making it) or
   * is gone; any other failure (out of descriptors, say) ends the watch, as it
   * does a list's: watching on without that namespace would lose its events
   * without a word, and `ready` waited for it for ever.
   */
  #notAdded(label: string, err: NeslinkError): void {
    if (this.#named && (err instanceof NotANamespaceError || err instanceof NotFoundError)) this.#named.failed(label);
    else this.#fail(err);
  }

  /** Queues `events`, or drops them (all but `gone`) when the consumer is too far behind. */
  #take(events: WatchEvent[]): void {
    const gone = events.filter((e) => e.type === "gone");
    this.#gone(gone.map((e) => e.netns));
    if (this.#relisting) this.#relisted += events.length;
    else if (!this.#dropping && this.#queue.length - this.#relisted + events.length > this.#maxQueued) this.#drop();
    this.#queue.push(...(this.#dropping ? gone : events));
  }

  /**
   * Drops the queue but its `gone`s: memory stays bounded, and what the
   * consumer missed is sent again whole once it reads again. A namespace's end
   * is never dropped: no relisting would tell of it (its state is gone with it).
   */
  #drop(): void {
    const gone = this.#queue.filter((e) => e.type === "gone");
    this.#queue.length = 0;
    this.#queue.push(...gone);
    this.#relisted = 0;
    this.#dropping = true;
    this.#relistWanted = true;
  }

  #gone(labels: string[]): void {
    if (labels.length === 0) return;
    this.#named?.gone(labels);
    for (const label of labels) this.#alive?.delete(label);
  }

  /** The process stays alive while someone waits for an event; an idle watch does not keep a script from exiting. */
  #refWhileWaited(): void {
    // Closing, the caller awaits the listener's end (it is quick).
    const waited = this.#closing ? !this.#hasExited : this.#waiter !== undefined || this.#pending.size > 0 || !this.#listening;
    if (waited) this.#worker.ref();
    else this.#worker.unref();
  }

  #wake(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    if (this.#relistWanted && !this.#closing) {
      this.#relistWanted = false;
      this.#send({ type: "relist" });
    }
    if (this.#queue.length > 0) {
      this.#waiter = undefined;
      if (this.#relisted > 0) this.#relisted--;
      waiter.resolve({ value: this.#queue.shift() as WatchEvent, done: false });
    } else if (this.#error) {
      this.#waiter = undefined;
      waiter.reject(this.#error);
    } else if (this.#closed) {
      // Only once every socket is closed: a loop that ends has nothing left open behind it.
      this.#waiter = undefined;
      waiter.resolve({ value: undefined, done: true });
    } else if (this.#alive?.size === 0 && !this.#closing) {
      // Every watched namespace is gone and its events delivered: end as `break` would (close() wakes this again).
      void this.close();
    }
    this.#refWhileWaited();
  }

  #fail(err: Error): void {
    if (this.#ended) return;
    this.#error ??= err;
    this.#settleReady(err);
    void this.close();
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.#waiter) return Promise.reject(new ValidationError("next", "the previous next() has not settled yet"));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#wake();
    });
  }

  async return(): Promise<IteratorResult<WatchEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /**
   * As an async generator's: the stream ends (every socket closed, as by
   * return()) and the promise rejects with `err`. `yield*` passes a throw on
   * to the iterator it delegates to, and fails without this.
   */
  async throw(err?: unknown): Promise<IteratorResult<WatchEvent>> {
    await this.close();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops watching: wakes the listener, which closes its sockets and ends. Events still queued are dropped. */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#stopWaiting?.();
      this.#closing = this.#shutdown();
      this.#refWhileWaited();
    }
    this.#wake();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    open.delete(this);
    this.#ended = true;
    this.#named?.close();
    this.#queue.length = 0;
    this.#settleReady(this.#error ?? new AbortedError(new Error("the watch was closed before it was ready")));
    try {
      this.#send({ type: "stop" });
    } catch {
      // The listener is gone already: the exit below is immediate.
    }
    await this.#exited;
    // What a listener that died did not close itself.
    for (const fd of this.#descriptors.drain()) libc.close(fd);
    libc.close(this.#wakeFd);
    this.#port.close();
    this.#closed = true;
    this.#wake();
  }
}

/**
 * Watches one namespace, a list, or every named one: an async iterable of
 * typed, JSON-serialisable events, each naming its namespace.
 *
 * ```ts
 * for await (const event of watch(ns.name("lab1"), { groups: ["link"] })) console.log(event);
 * ```
 */
export function watch(targets: WatchTargets, options: WatchOptions = {}): EventStream {
  return new EventStream(targets, options);
}
