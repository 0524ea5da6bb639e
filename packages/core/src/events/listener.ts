/**
 * The listener thread of one watch(): a thread of its own, apart from the
 * pool, so its waiting never holds a worker other work needs. It sleeps in
 * poll() on two descriptors — the event socket and an eventfd the main thread
 * signals — so it can always be woken and stopped at once, never stuck in a
 * recv() that cannot be interrupted.
 *
 * Per watched namespace it keeps the state the stream has described, to tell
 * new from changed and to diff a re-dump after an overflow. Switching
 * namespace happens only to create a dump socket, and the thread comes
 * straight back (or ends, if it cannot).
 */
// First: the load gate (ffi/load-gate.ts) must be passed before koffi loads, with the imports below.
import "../ffi/worker-load-gate.js";
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { decodeMessages, type Message } from "@neslink/codec-wasm";
import { DumpInterruptedError, NamespaceReturnError, NotFoundError, toErrorJSON } from "../errors.js";
import * as libc from "../ffi/libc.js";
import { nativeLoaded } from "../ffi/worker-load-gate.js";
import { DescriptorBits } from "../worker/descriptors.js";
import { EventSocket } from "./event-socket.js";
import { heardGroups } from "./heard.js";
import { NamespaceAccess } from "./namespace-access.js";
import type { FromListener, ListenerOptions, ToListener, WatchTarget } from "./protocol.js";
import { applyEvent, diffStates, emptyState, eventOf, type NamespaceState, stateOf } from "./state.js";
import type { WatchEvent, WatchGroup } from "./types.js";

nativeLoaded();

interface Watched {
  label: string;
  path: string;
  provider: WatchTarget["provider"];
  key: string;
  nsid: number | "self";
  /** What names it without holding it (Linux 6.18+): whether it lives is asked so once its path or its nsid cannot tell. */
  handle: Uint8Array | undefined;
  /**
   * Registered since the socket was last read to the end: what waits there
   * tagged with its nsid may be an earlier holder's of that id (destroyed, the
   * id given again). Not applied to it: it is dumped again after that read.
   */
  fresh: boolean;
  state: NamespaceState;
  /** The kernel changed state without saying so (see marksStale), or a dump was torn: dump it again before going on. */
  stale: boolean;
  /** A `resync` was sent and its `synced` is owed, once a dump gets through. */
  resyncing: boolean;
  /**
   * No dump got through yet (each was torn): its "added" is owed, and its
   * listing ("list") or its state, silently ("quiet"), comes with the first
   * dump that does.
   */
  unseeded?: "list" | "quiet";
  /**
   * Names of links deleted this round, by index: what the kernel removed with
   * them unsaid is diffed after the link left the state, and is named by them.
   * Kept until the namespace is no longer stale (see run()).
   */
  departed: Map<number, string>;
}

const POLL_TIMEOUT_MS = 1000;
/** How soon a dump torn by changes is tried again when no notification wakes the thread first. */
const RETRY_DUMP_MS = 50;
/** Events go to the main thread at least this often while a burst lasts. */
const BATCH = 512;

const options = workerData as ListenerOptions;
const port: MessagePort = options.port;
/** What the consumer asked for: only these are emitted. */
const groups: WatchGroup[] = options.groups;
/** What is heard and kept, a superset of groups: the kernel's silent removals are seen only so. */
const heard = heardGroups(groups);
const stateGroups = heard.filter((g) => g !== "nsid");
const fds = new DescriptorBits(options.descriptors);
/** What is watched, by label: every one once. A name added again may name another namespace than the one watched under it. */
const byLabel = new Map<string, Watched>();
/** The same, by the nsid its notifications come tagged with: a namespace of two names is watched under each. */
const byNsid = new Map<number | "self", Watched[]>();
let batch: WatchEvent[] = [];
/** The fresh ones (see Watched.fresh), fresh no more once the socket has been read to the end. */
const registered: Watched[] = [];
/**
 * Targets registered this round, whose "added" is told once the socket has
 * been read to the end: told before, the main thread (ready, or a dir's
 * `synced`) could change a namespace whose notifications were then still
 * taken for an earlier holder's, and folded into a dump.
 */
const toAnnounce: string[] = [];

function unwatch(w: Watched): void {
  byLabel.delete(w.label);
  const others = byNsid.get(w.nsid)?.filter((o) => o !== w) ?? [];
  if (others.length > 0) byNsid.set(w.nsid, others);
  else byNsid.delete(w.nsid);
}

function post(msg: FromListener): void {
  parentPort?.postMessage(msg);
}

function emit(event: WatchEvent): void {
  batch.push(event);
  if (batch.length >= BATCH) flush();
}

/**
 * Events posted and not yet taken off the port by the main thread count
 * against maxQueued, as those it queued do: a main thread that does not run
 * (blocked in a write to a full pipe, a long computation) takes nothing, and
 * what is posted meanwhile would pile up in the port without bound.
 */
const taken = new Int32Array(options.taken);
/** Events posted outside a relisting (wraps as `taken` does). */
let posted = 0;
/** The main thread fell maxQueued events behind: events are dropped (all but `gone`) until it asks for a relisting. */
let dropping = false;
/** A relisting is being sent: kept whole, and not counted (the main thread keeps it whole too). */
let relisting = false;

function flush(): void {
  if (batch.length === 0) return;
  let events = batch;
  batch = [];
  if (!relisting) {
    if (!dropping && ((posted - Atomics.load(taken, 0)) | 0) + events.length > options.maxQueued) {
      dropping = true;
      post({ type: "dropped" });
    }
    // A namespace's end is never dropped: no relisting would tell of it.
    if (dropping) events = events.filter((e) => e.type === "gone");
    if (events.length === 0) return;
    posted = (posted + events.length) | 0;
  }
  post({ type: "events", events });
}

const NLM_F_REPLACE = 0x100;

/**
 * Changes the kernel makes without a notification: IPv4 routes through a link
 * that goes down or away, or through an address removed, vanish silently; a
 * link's neighbours are flushed with it.
 */
function marksStale(event: WatchEvent, msg: Message): boolean {
  // A route replaced through another link: the old one goes without an RTM_DELROUTE, under another key.
  if (msg.kind === "route" && (msg.flags & NLM_F_REPLACE) !== 0) return true;
  if (event.type === "link") return event.action === "deleted" || (event.action === "changed" && event.changed.includes("up"));
  return event.type === "address" && event.action === "deleted" && event.address.family === 2;
}

function applyMessages(w: Watched, messages: readonly Message[]): void {
  for (const msg of messages) {
    const event = eventOf(w.state, w.label, msg, w.departed);
    if (!event) continue;
    if (event.type === "link" && event.action === "deleted") w.departed.set(event.link.index, event.link.name);
    applyEvent(w.state, event);
    if (groups.includes(event.type)) emit(event);
    if (marksStale(event, msg) && (groups.includes("route") || groups.includes("neighbour"))) w.stale = true;
  }
}

/**
 * Dumps the namespace again and emits what differs from what the stream
 * said, then the `synced` owed if any. A namespace changing all the time can
 * tear every try of a dump: it stays stale and is tried again on a later
 * round, the stream going on meanwhile (its notifications still come).
 */
function refresh(access: NamespaceAccess, w: Watched): void {
  let fresh: NamespaceState | undefined;
  try {
    fresh = dumpAgain(access, w);
  } catch (err) {
    if (err instanceof DumpInterruptedError) return;
    throw err;
  }
  w.stale = false;
  if (!fresh) {
    // Unreachable: if never seeded, it is no longer there to watch.
    if (w.unseeded) {
      unwatch(w);
      added(w.label, new NotFoundError("namespace", `no namespace at ${w.path}`));
    }
    // Destroyed already, its RTM_DELNSID dropped by an overflow: its end is said now, or never. Else it follows.
    else if (w.nsid !== "self" && destroyed(access, w.handle, w.nsid)) ended(w.nsid);
    return;
  }
  if (w.unseeded !== "quiet")
    for (const event of diffStates(w.label, w.state, fresh, w.departed)) if (groups.includes(event.type)) emit(event);
  w.state = fresh;
  if (w.resyncing || w.unseeded === "list") emit({ type: "synced", netns: w.label });
  w.resyncing = false;
  if (w.unseeded) {
    w.unseeded = undefined;
    added(w.label);
  }
}

/**
 * Whether a namespace that cannot be reached by its path is destroyed. Its
 * handle says (Linux 6.18+). Without one, its nsid free again says so; given
 * to another namespace since (the kernel gives the lowest free id), the id
 * cannot tell that one from it living on elsewhere, and its end is not said.
 */
function destroyed(access: NamespaceAccess, handle: Uint8Array | undefined, nsid: number): boolean {
  return !(access.lives(handle) ?? access.hasNsid(nsid));
}

/** Tells the main thread a target is registered (after the events of its listing), or could not be. */
function added(label: string, error?: unknown): void {
  flush();
  post(error === undefined ? { type: "added", label } : { type: "added", label, error: toErrorJSON(error) });
}

/** The namespace's state now; undefined if it cannot be reached. */
function dumpAgain(access: NamespaceAccess, w: Watched): NamespaceState | undefined {
  if (w.nsid === "self") return stateOf(access.dump(undefined, stateGroups));
  let opened: ReturnType<NamespaceAccess["open"]>;
  try {
    opened = access.open(w.provider);
  } catch {
    return undefined; // its file is gone
  }
  try {
    // The path may name another namespace by now: that one is not ours to dump.
    return opened.key === w.key ? stateOf(access.dump(opened.fd, stateGroups)) : undefined;
  } finally {
    access.release(opened);
  }
}

/** Registers `target`; false if its first dump was torn (see Watched.unseeded): it is watched, and seeded later. */
function register(access: NamespaceAccess, events: EventSocket, target: WatchTarget): boolean {
  const opened = access.open(target.provider);
  try {
    const previous = byLabel.get(target.label);
    // Added again while watched (a dir listed again after a `gone` of another namespace under the name).
    if (previous?.key === opened.key) return previous.unseeded === undefined;
    const self = opened.key === access.originKey;
    if (!self && events.allNamespaces) throw events.allNamespaces;
    const nsid = self ? "self" : access.nsidOf(opened.fd);
    // The name now names another namespace: nothing more of the first comes under it, and the new one is listed.
    if (previous) end(previous);
    // One namespace holds an id at a time: those watched under it until now are destroyed, their RTM_DELNSID not read
    // yet (or dropped by an overflow).
    if (nsid !== "self") for (const other of byNsid.get(nsid) ?? []) if (other.key !== opened.key) end(other);
    const w: Watched = {
      label: target.label,
      path: target.path,
      provider: target.provider,
      key: opened.key,
      nsid,
      handle: self ? undefined : access.handleOf(opened.fd),
      fresh: !self,
      state: emptyState(),
      stale: false,
      resyncing: false,
      departed: new Map(),
    };
    let state: NamespaceState | undefined;
    try {
      state = stateOf(access.dump(self ? undefined : opened.fd, stateGroups));
    } catch (err) {
      // A namespace that never stops changing: heard from now on, and dumped again on a later round.
      if (!(err instanceof DumpInterruptedError)) throw err;
    }
    byLabel.set(w.label, w);
    byNsid.set(nsid, [...(byNsid.get(nsid) ?? []), w]);
    if (w.fresh) registered.push(w);
    if (!state) {
      w.stale = true;
      w.unseeded = target.list ? "list" : "quiet";
      return false;
    }
    if (target.list) {
      for (const event of diffStates(w.label, w.state, state)) if (groups.includes(event.type)) emit(event);
      emit({ type: "synced", netns: w.label });
    }
    w.state = state;
    return true;
  } finally {
    access.release(opened);
  }
}

function handleNsid(access: NamespaceAccess, from: number | "self", msg: Message & { kind: "nsid" }): void {
  if (groups.includes("nsid") && msg.nsid !== null) {
    // Not a fresh one's: it may be an earlier holder's of its id (one of its own, sent as it was registered, is lost).
    for (const source of byNsid.get(from) ?? [])
      if (!source.fresh)
        emit({ type: "nsid", action: msg.name === "RTM_NEWNSID" ? "new" : "deleted", netns: source.label, nsid: msg.nsid });
  }
  // Our own namespace took back the id of a watched one: the kernel is destroying it.
  if (from === "self" && msg.name === "RTM_DELNSID" && msg.nsid !== null) {
    const nsid = msg.nsid;
    // The kernel gives the lowest free id: one taken back from a namespace destroyed while a watched one was being
    // registered may be the id that one got, and this the earlier holder's end, queued before.
    if (!byNsid.get(nsid)?.some((w) => access.lives(w.handle) ?? access.holds(w.provider, w.key, nsid))) ended(nsid);
  }
}

/** Nothing more comes from `w`'s namespace under its label. */
function end(w: Watched): void {
  unwatch(w);
  emit({ type: "gone", netns: w.label });
}

/** The namespace our own gave `nsid` is destroyed: nothing more comes from it, under any of its labels. */
function ended(nsid: number): void {
  for (const w of byNsid.get(nsid) ?? []) end(w);
}

const RTM_NEWNSID = 88;
const RTM_DELNSID = 89;

/** Whether a notification datagram is RTM_NEWNSID / RTM_DELNSID (the kernel sends each notification alone), read from its header. */
function isNsid(bytes: Uint8Array): boolean {
  const type = bytes.length >= 6 ? (bytes[4] as number) | ((bytes[5] as number) << 8) : -1;
  return type === RTM_NEWNSID || type === RTM_DELNSID;
}

/** Reads until the queue is empty; true if the kernel dropped notifications meanwhile. */
function drain(access: NamespaceAccess, events: EventSocket): boolean {
  let overflowed = false;
  for (;;) {
    const got = events.receive();
    if (got === "empty") return overflowed;
    if (got === "overflow") {
      overflowed = true;
      continue;
    }
    const ws = byNsid.get(got.nsid);
    // Of an unwatched namespace only our own's nsid notifications matter (they tell a watched one's end).
    const messages = ws || (got.nsid === "self" && isNsid(got.bytes)) ? decodeMessages(got.bytes) : [];
    const state: Message[] = [];
    for (const msg of messages) {
      if (msg.kind === "nsid") handleNsid(access, got.nsid, msg);
      else state.push(msg);
    }
    for (const w of ws ?? []) {
      // Maybe an earlier holder's of its id: not applied, but its state is dumped again (see Watched.fresh).
      if (w.fresh) w.stale = true;
      else applyMessages(w, state);
    }
  }
}

/** Every watched namespace's whole state, for a consumer whose queued events were dropped. */
function relist(): void {
  flush();
  dropping = false;
  relisting = true;
  post({ type: "relisting" });
  for (const w of byLabel.values()) {
    emit({ type: "resync", netns: w.label, reason: "slow-consumer" });
    for (const event of diffStates(w.label, emptyState(), w.state)) if (groups.includes(event.type)) emit(event);
    // One not seeded yet is synced once it is.
    if (w.unseeded) w.resyncing = true;
    else emit({ type: "synced", netns: w.label });
  }
  flush();
  relisting = false;
  post({ type: "relisted" });
}

/** Handles the main thread's messages; false once told to stop. */
function commands(access: NamespaceAccess, events: EventSocket): boolean {
  for (let got = receiveMessageOnPort(port); got; got = receiveMessageOnPort(port)) {
    const msg = got.message as ToListener;
    if (msg.type === "stop") return false;
    if (msg.type === "relist") {
      relist();
      continue;
    }
    for (const target of msg.targets) {
      try {
        if (register(access, events, target)) toAnnounce.push(target.label);
      } catch (err) {
        if (err instanceof NamespaceReturnError) throw err;
        // No other namespace can be heard at all: the whole watch fails, or one of every named namespace would wait on, deaf.
        if (err === events.allNamespaces) post({ type: "failed", error: toErrorJSON(err) });
        else added(target.label, err);
      }
    }
  }
  return true;
}

function run(): void {
  const access = new NamespaceAccess(fds);
  let events: EventSocket | undefined;
  try {
    events = new EventSocket(heard, options.receiveBuffer);
    fds.add(events.fd);
    if (options.named && events.allNamespaces) {
      // Deaf to every other namespace, a watch of a dir with none yet would wait on for ever, hearing nothing.
      post({ type: "failed", error: toErrorJSON(events.allNamespaces) });
      return;
    }
    post({ type: "listening" });
    const pollFds = new Uint8Array(16);
    const view = new DataView(pollFds.buffer);
    view.setInt32(0, options.wakeFd, true);
    view.setInt16(4, libc.POLLIN, true);
    view.setInt32(8, events.fd, true);
    view.setInt16(12, libc.POLLIN, true);
    let timeout = POLL_TIMEOUT_MS;
    for (;;) {
      // Woken at once by the eventfd; the timeout only bounds how long a stuck wake-up could keep the thread.
      libc.poll(pollFds, timeout);
      libc.drainEventfd(options.wakeFd);
      if (!commands(access, events)) return;
      // drain() reads until the queue is empty, so no notification older than the dumps below waits behind them:
      // one queued meanwhile is not lost, and the state converges as it is applied. One dropped meanwhile is another overflow.
      const overflowed = drain(access, events);
      // Read to the end: what comes now was sent after they were registered.
      for (const w of registered) w.fresh = false;
      registered.length = 0;
      if (overflowed) {
        // Which namespace lost what is not said, so every one is dumped again.
        for (const w of byLabel.values()) {
          if (!w.resyncing) emit({ type: "resync", netns: w.label, reason: "overflow" });
          w.resyncing = true;
          w.stale = true;
        }
      }
      let torn = false;
      for (const w of byLabel.values()) {
        if (w.stale) refresh(access, w);
        torn ||= w.stale;
        // Their names were needed only until what went with them was diffed.
        if (!w.stale) w.departed.clear();
      }
      // What they held meanwhile was dumped again just above: from here on, their notifications are applied one by one.
      for (const label of toAnnounce.splice(0)) added(label);
      timeout = torn ? RETRY_DUMP_MS : POLL_TIMEOUT_MS;
      flush();
    }
  } finally {
    if (events) {
      fds.delete(events.fd);
      events.close();
    }
    access.close();
  }
}

try {
  run();
  flush();
  post({ type: "stopped" });
} catch (err) {
  flush();
  post({ type: "failed", error: toErrorJSON(err) });
  // A thread that could not return to its namespace must run nothing more.
  process.exit(1);
}
