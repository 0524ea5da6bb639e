/**
 * Typed errors with stable codes. Every error neslink throws is a
 * `NeslinkError`; `NeslinkError.isInstance` works across copies of the
 * package and across worker threads (errors cross as plain JSON and are
 * rebuilt here by `errorFromJSON`).
 */
import { type Errno, errnoName, errno as errnos } from "./errno.js";

export { type Errno, errnoName };

const MARKER = Symbol.for("@neslink/core/error");

/**
 * Every code a NeslinkError carries besides errno names: core's and its
 * adapters'. One list: a new code is added here (and to the README's
 * "Errors" section, which a test holds to this list).
 */
export const ERROR_CODES = [
  // core
  "ERR_INVALID_ARGUMENT",
  "ERR_NS_NOT_FOUND",
  "ERR_LINK_NOT_FOUND",
  "ERR_ADDR_NOT_FOUND",
  "ERR_IP_ROUTE_NOT_FOUND",
  "ERR_NS_EXISTS",
  "ERR_NOT_A_NAMESPACE",
  "ERR_NS_DIR_BUSY",
  "ERR_LINK_EXISTS",
  "ERR_LINK_UNDELETABLE",
  "ERR_KIND_UNSUPPORTED",
  "ERR_DUMP_INTERRUPTED",
  "ERR_ACTION_FAILED",
  "ERR_NS_ENTER",
  "ERR_NS_RETURN",
  "ERR_POOL",
  "ERR_TIMEOUT",
  "ERR_ABORTED",
  "ERR_EXEC_MAX_BUFFER",
  "ERR_EXEC_TIMEOUT",
  "ERR_EXEC_FAILED",
  "ERR_UNKNOWN",
  // topologies
  "ERR_TOPOLOGY_INVALID",
  "ERR_TOPOLOGY_CONFLICT",
  "ERR_TOPOLOGY_LOCKED",
  "ERR_TOPOLOGY_PLAN_CHANGED",
  "ERR_TOPOLOGY_APPLY",
  "ERR_PROCESS_NOT_RUNNING",
  // the HTTP adapter's own refusals
  "ERR_UNAUTHORIZED",
  "ERR_EXEC_DISABLED",
  "ERR_ROUTE_NOT_FOUND",
  "ERR_METHOD_NOT_ALLOWED",
  "ERR_BODY_TOO_LARGE",
  "ERR_UNSUPPORTED_MEDIA_TYPE",
  "ERR_TOO_MANY_CONNECTIONS",
  "ERR_SHUTTING_DOWN",
  "ERR_DRAIN_TIMEOUT",
  "ERR_BODY_INCOMPLETE",
  // the CLI's agent
  "ERR_AGENT_UNAVAILABLE",
  "ERR_AGENT_LOST",
  "ERR_REQUEST_TIMEOUT",
] as const;

export type NeslinkCode = (typeof ERROR_CODES)[number];

/** What `NeslinkError.code` may be: one of ERROR_CODES, or an errno name for a SystemCallError. */
export type ErrorCode = NeslinkCode | Errno;

const neslinkCodes: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `code` is one of neslink's codes or an errno name. */
function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && (neslinkCodes.has(code) || /^E[A-Z0-9]+$/.test(code));
}

/** Plain-data form of any NeslinkError: what crosses threads, HTTP and the CLI's --json. */
export interface ErrorJSON {
  name: string;
  code: string;
  message: string;
  errno?: number;
  syscall?: string;
  extAck?: string | null;
  extAckOffset?: number | null;
  field?: string;
  actionIndex?: number;
  linkActionIndex?: number;
  doneAfter?: number[];
  action?: string;
  kind?: string;
  returned?: boolean;
  /** NamespaceDirBusyError's. */
  dir?: string;
  holder?: string;
  cause?: ErrorJSON;
}

export class NeslinkError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  static isInstance(value: unknown): value is NeslinkError {
    return typeof value === "object" && value !== null && MARKER in value;
  }

  toJSON(): ErrorJSON {
    const json: ErrorJSON = { name: this.name, code: this.code, message: this.message };
    if (this.cause !== undefined) json.cause = toErrorJSON(this.cause);
    return json;
  }
}

// On the prototype, so errors rebuilt by errorFromJSON carry it too.
Object.defineProperty(NeslinkError.prototype, MARKER, { value: true });

/**
 * Characters a name must not hide, nor text print raw: controls (Unicode's Cc:
 * C0, DEL and C1; an escape sequence recolours, retitles or rewrites a
 * terminal), format characters (Cf: zero-width ones, bidi controls, the soft
 * hyphen, invisible operators, tag characters: each prints as nothing, or
 * reorders what follows) and the line and paragraph separators (Zl, Zp:
 * U+2028, U+2029, a line break to some terminals and editors). They make two
 * different names print alike, or one print as another. Names given to
 * neslink are refused with one (validate.ts); names the kernel reports, which
 * anyone may have made, can hold them, and an adapter escapes them where it
 * prints.
 *
 * Cc, Zl and Zp are spelled as their code points, which Unicode's stability
 * policy fixes for good (Cc is U+0000-001F and U+007F-009F); only Cf, which
 * grows, is looked up. Each \p{...} costs V8 an ICU lookup where the regular
 * expression is parsed (~0.5M instructions), at every start of every command.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this expression's job.
export const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/u;

let everyHidden: RegExp | undefined;

/**
 * HIDDEN_CHARACTERS with the g flag, for replace(): made at its first use and
 * shared (replace() starts from, and leaves, lastIndex 0), so that a command
 * parses the expression once, and only if it escapes something.
 */
export function everyHiddenCharacter(): RegExp {
  everyHidden ??= new RegExp(HIDDEN_CHARACTERS.source, "gu");
  return everyHidden;
}

/**
 * `text` cut to its first `max` characters, "..." saying so: what a message
 * quotes of someone else's text (a program's error, a command line) can be
 * as long as they made it, and the message is printed whole.
 */
export function clipped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** How much of a program's last line a message quotes (its whole output is kept elsewhere: a log, a result). */
const QUOTED_CHARS = 200;

/**
 * The last line of what a program wrote that is not blank, trimmed and
 * clipped, or "": what usually says why it failed, for an error to quote.
 */
export function lastLine(text: string): string {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  return clipped(line ?? "", QUOTED_CHARS);
}

/**
 * How much of a value a message shows: enough to tell which it is. A value
 * can be as long as whoever sent it made it (a 10 MB interface name was
 * printed whole, twice with --json), and a message is printed whole.
 */
export const SHOWN_CHARS = 64;

/** What a message of its own says at most; past it, its middle is cut (what it says of its values is at its ends). */
export const MESSAGE_CHARS = 1024;

/** The first `n` characters of `text`, a surrogate pair kept whole or left out. */
function startOf(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** The last `n` characters of `text`, a surrogate pair kept whole or left out. */
function endOf(text: string, n: number): string {
  const code = text.charCodeAt(text.length - n);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? text.length - n + 1 : text.length - n);
}

/**
 * A bad value as a message shows it: as JSON where it has a JSON form, else
 * as JavaScript writes it; past SHOWN_CHARS, its start and its size
 * (`"eth0eth0..."… (10485760 bytes)`). JSON.stringify throws on a BigInt (and
 * a cycle), which would replace the typed error by a TypeError, and shows NaN
 * and Infinity as null.
 */
export function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string")
    return value.length > SHOWN_CHARS
      ? `${JSON.stringify(startOf(value, SHOWN_CHARS))}… (${Buffer.byteLength(value)} bytes)`
      : JSON.stringify(value);
  let text: string;
  try {
    text = typeof value === "bigint" ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    return Array.isArray(value) ? "an array" : typeof value;
  }
  return text.length > SHOWN_CHARS ? `${startOf(text, SHOWN_CHARS)}… (${text.length} characters)` : text;
}

/**
 * A message cut in its middle past MESSAGE_CHARS: what every message goes
 * through where it is made (ValidationError, TopologyError's problems), so that
 * a value a message quotes without shown() cannot make it long either.
 */
export function boundedMessage(text: string): string {
  if (text.length <= MESSAGE_CHARS) return text;
  const start = startOf(text, MESSAGE_CHARS / 2);
  const end = endOf(text, MESSAGE_CHARS / 4);
  return `${start}… (${text.length - start.length - end.length} characters cut) …${end}`;
}

/** Bad input: names the field at fault. Raised before anything touches the kernel. */
export class ValidationError extends NeslinkError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("ERR_INVALID_ARGUMENT", `${field}: ${boundedMessage(message)}`);
    this.field = field;
  }
  /** What is wrong, without the field's name: said again of another name for the same input (a CLI word for a parameter). */
  get reason(): string {
    return this.message.slice(this.field.length + 2);
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), field: this.field };
  }
}

/**
 * The capability an EPERM from this call means the caller lacks: namespace
 * switches and mounts need CAP_SYS_ADMIN, netlink changes CAP_NET_ADMIN
 * (netlink reads need none).
 */
function neededCapability(syscall: string): string | undefined {
  if (/^(setns|unshare|mount|umount2)$/.test(syscall)) return "CAP_SYS_ADMIN";
  if (syscall.startsWith("netlink ")) return "CAP_NET_ADMIN";
  return undefined;
}

/**
 * The limit an EMFILE or ENFILE says is reached, named: the bare code does not
 * say which limit, nor that it is one that can be raised.
 */
function reachedLimit(syscall: string, errno: number): string | undefined {
  const descriptors = "the process's limit on open descriptors (RLIMIT_NOFILE, `ulimit -n`)";
  // Node's fs.watch: inotify_init1 says EMFILE for either limit.
  if (errno === errnos.EMFILE && syscall === "watch")
    return `${descriptors} or the user's on inotify instances (fs.inotify.max_user_instances) is reached`;
  if (errno === errnos.EMFILE) return `${descriptors} is reached`;
  if (errno === errnos.ENFILE) return "the system's limit on open files (fs.file-max) is reached";
  return undefined;
}

/**
 * A failed system call, in Node's `{ errno, code, syscall }` shape. errno is
 * positive (as in `os.constants.errno`); code is its name, e.g. "EPERM".
 */
export class SystemCallError extends NeslinkError {
  readonly errno: number;
  readonly syscall: string;
  constructor(syscall: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    const capability = errno === errnos.EPERM ? neededCapability(syscall) : undefined;
    const why = capability ? `needs ${capability}` : reachedLimit(syscall, errno);
    super(code, `${syscall} failed: ${code}${detail ? ` (${detail})` : ""}${why ? `: ${why}` : ""}`);
    this.errno = errno;
    this.syscall = syscall;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), errno: this.errno, syscall: this.syscall };
  }
}

/** The kernel refused a netlink request; `extAck` is its own explanation when it gave one. */
export class NetlinkError extends SystemCallError {
  readonly extAck: string | null;
  readonly extAckOffset: number | null;
  constructor(request: string, errno: number, extAck: string | null, extAckOffset: number | null) {
    super(`netlink ${request}`, errno, extAck ?? undefined);
    this.extAck = extAck;
    this.extAckOffset = extAckOffset;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), extAck: this.extAck, extAckOffset: this.extAckOffset };
  }
}

const NOT_FOUND = {
  namespace: "ERR_NS_NOT_FOUND",
  link: "ERR_LINK_NOT_FOUND",
  address: "ERR_ADDR_NOT_FOUND",
  route: "ERR_IP_ROUTE_NOT_FOUND",
} as const;

/**
 * Something looked up by name, index, alias or path, or to be deleted (an
 * address, a route), does not exist. `cause` is the kernel's own answer
 * when it gave one (ENODEV, EADDRNOTAVAIL, ESRCH).
 */
export class NotFoundError extends NeslinkError {
  constructor(what: keyof typeof NOT_FOUND, message: string, options?: { cause?: unknown }) {
    super(NOT_FOUND[what], message, options);
  }
}

/** Something to be created already exists; `cause` is the kernel's own answer (EEXIST) when it gave one. */
export class AlreadyExistsError extends NeslinkError {
  constructor(what: "namespace" | "link", message: string, options?: { cause?: unknown }) {
    super(what === "namespace" ? "ERR_NS_EXISTS" : "ERR_LINK_EXISTS", message, options);
  }
}

/**
 * A path that should name a network namespace is something else: a symlink,
 * FIFO, directory, device, plain file, or an entry whose namespace is no
 * longer mounted. Nothing was entered, unmounted or removed.
 */
export class NotANamespaceError extends NeslinkError {
  constructor(path: string, reason: string) {
    super("ERR_NOT_A_NAMESPACE", `${path} is not a network namespace: ${reason}`);
  }
}

/**
 * A mount dir's lock (the one deletes and creates of its namespaces take,
 * namespace/deleting.ts) is held by a process that is not getting on with
 * what it does there: stopped, or using no CPU. Nothing was changed by the
 * call that gave up; it can be run again once that process has finished.
 */
export class NamespaceDirBusyError extends NeslinkError {
  readonly dir: string;
  /** The holder's pid as /proc/locks gives it; "" when it could not be named. */
  readonly holder: string;

  constructor(dir: string, holder: string, message: string) {
    super("ERR_NS_DIR_BUSY", message);
    this.dir = dir;
    this.holder = holder;
  }

  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), dir: this.dir, holder: this.holder };
  }
}

/** A dump was torn by concurrent changes (NLM_F_DUMP_INTR) on every retry. */
export class DumpInterruptedError extends NeslinkError {
  constructor(request: string, attempts: number) {
    super("ERR_DUMP_INTERRUPTED", `${request}: dump interrupted by concurrent changes ${attempts} times`);
  }
}

/** The code an error wrapping `cause` carries: the cause's own, so callers see what went wrong first. */
function codeOf(cause: unknown, fallback: NeslinkCode): ErrorCode {
  let code: unknown;
  try {
    code = NeslinkError.isInstance(cause) ? cause.code : (cause as { code?: unknown } | undefined)?.code;
  } catch {
    // A getter or Proxy trap of what custom code threw: it has no code to give.
  }
  return isErrorCode(code) && code !== "ERR_UNKNOWN" ? code : fallback;
}

const reasonOf = (cause: unknown) => (cause instanceof Error ? cause.message : thrownText(cause));

/** Where in the caller's actions: "action #2: addAddr", "action #0, link action #1: mtu", or a link provider alone. */
function placeOf(actionIndex: number, action: string, linkActionIndex: number | undefined): string {
  const at = [
    actionIndex >= 0 && `action #${actionIndex}`,
    linkActionIndex !== undefined && linkActionIndex >= 0 && `link action #${linkActionIndex}`,
  ];
  const where = at.filter(Boolean).join(", ");
  return where ? `${where}: ${action}` : action;
}

/**
 * An action of nsDo / linkDo failed. Its `code` is its cause's (ERR_NS_EXISTS,
 * EEXIST, ...; ERR_ACTION_FAILED only for a cause without one) and its message
 * leads with the cause's; `actionIndex` and `action` say which action, and
 * `returned` whether the worker thread got back to its own namespace.
 * Inside `na.link`, `linkActionIndex` says which of its link actions (-1: its
 * link provider). For linkDo, `actionIndex` is into its link actions, -1 for
 * its link provider (which `action` names, e.g. `link provider (new bridge "br0")`).
 * The actions after it did not run, but for those `doneAfter` lists.
 */
export class ActionError extends NeslinkError {
  readonly actionIndex: number;
  readonly action: string;
  readonly returned: boolean;
  readonly linkActionIndex?: number;
  /**
   * Actions after `actionIndex` that were done all the same, in order: links that consecutive creations made in the
   * same datagram as one that was gone by the time it was looked up (someone deleted it meanwhile). They are made,
   * and stay; absent when there are none.
   */
  readonly doneAfter?: number[];
  /**
   * `direct`: the error of a one-call form (exec, spawn, addNamed), whose one action is
   * the call: its message names the action alone, "(exec)", not by an index
   * into actions the caller never listed; its fields are nsDo's.
   */
  constructor(
    actionIndex: number,
    action: string,
    returned: boolean,
    cause: unknown,
    linkActionIndex?: number,
    direct = false,
    doneAfter?: readonly number[],
  ) {
    const place = direct ? action : placeOf(actionIndex, action, linkActionIndex);
    super(codeOf(cause, "ERR_ACTION_FAILED"), `${reasonOf(cause)} (${place})`, { cause });
    this.actionIndex = actionIndex;
    this.action = action;
    this.returned = returned;
    if (linkActionIndex !== undefined) this.linkActionIndex = linkActionIndex;
    if (doneAfter !== undefined && doneAfter.length > 0) this.doneAfter = [...doneAfter];
  }
  override toJSON(): ErrorJSON {
    const json: ErrorJSON = { ...super.toJSON(), actionIndex: this.actionIndex, action: this.action, returned: this.returned };
    if (this.linkActionIndex !== undefined) json.linkActionIndex = this.linkActionIndex;
    if (this.doneAfter !== undefined) json.doneAfter = this.doneAfter;
    return json;
  }
}

/** `err` as a one-call form (exec, spawn, addNamed, removeNamed) fails: the ActionError of its one action said as the call's (see ActionError). */
export function asDirectCall(err: unknown): unknown {
  if (!(err instanceof ActionError) || err.actionIndex !== 0 || err.linkActionIndex !== undefined) return err;
  return new ActionError(0, err.action, err.returned, err.cause, undefined, true);
}

/**
 * The namespace the work asked for could not be entered or created. The worker
 * thread did not act; `returned` is false only if it also could not get back.
 * Its code is its cause's (ERR_NS_NOT_FOUND, ERR_NS_EXISTS, EPERM, ...).
 */
export class NamespaceEnterError extends NeslinkError {
  readonly returned: boolean;
  constructor(provider: string, returned: boolean, cause: unknown) {
    super(codeOf(cause, "ERR_NS_ENTER"), `${reasonOf(cause)} (entering the namespace of provider "${provider}")`, { cause });
    this.returned = returned;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), returned: this.returned };
  }
}

/**
 * The kernel has no such link type: it answered EOPNOTSUPP "Unknown device
 * type", which is what a kind whose module is neither built in nor loaded gets.
 */
export class KindUnsupportedError extends NeslinkError {
  readonly kind: string;
  constructor(kind: string, cause: unknown) {
    super("ERR_KIND_UNSUPPORTED", `this kernel has no "${kind}" link type: its module is not built in or not loaded (${reasonOf(cause)})`, {
      cause,
    });
    this.kind = kind;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), kind: this.kind };
  }
}

/**
 * A worker thread could not get back to its original namespace. It has been
 * ended and replaced; this is what mustNsDo makes fatal.
 */
export class NamespaceReturnError extends NeslinkError {
  constructor(cause: unknown) {
    super("ERR_NS_RETURN", "the worker thread could not return to its original network namespace", { cause });
  }
}

/**
 * A program run by `na.exec` passed a limit the caller set: its output grew
 * past `maxBuffer` (ERR_EXEC_MAX_BUFFER) or it ran past `timeoutMs`
 * (ERR_EXEC_TIMEOUT). It was killed; `field` names the limit.
 */
export class ExecLimitError extends NeslinkError {
  readonly field: "maxBuffer" | "timeoutMs";
  constructor(field: "maxBuffer" | "timeoutMs", message: string) {
    super(field === "maxBuffer" ? "ERR_EXEC_MAX_BUFFER" : "ERR_EXEC_TIMEOUT", message);
    this.field = field;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), field: this.field };
  }
}

/** The pool was closed, or its worker died, before the work finished. */
export class PoolError extends NeslinkError {
  constructor(message: string) {
    super("ERR_POOL", message);
  }
}

/** A task did not finish within its timeoutMs; if it had started, its worker was ended and replaced. */
export class TimeoutError extends NeslinkError {
  constructor(timeoutMs: number) {
    super("ERR_TIMEOUT", `the task did not finish within ${timeoutMs} ms`);
  }
}

/** A task's AbortSignal aborted before it finished; if it had started, its worker was ended and replaced. */
export class AbortedError extends NeslinkError {
  constructor(reason: unknown) {
    super("ERR_ABORTED", `the task was aborted${reason instanceof Error ? `: ${reason.message}` : ""}`, { cause: reason });
  }
}

/** What a Node error was about: a file's path, or the address and port a socket was for. */
function nodeErrorSubject(err: Error): string | undefined {
  const { path, address, port } = err as { path?: string; address?: string; port?: number };
  if (path !== undefined) return path;
  if (address === undefined) return undefined;
  // A unix socket's error has its path as the address and port -1.
  return port === undefined || port < 0 ? address : `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** Any thrown value as plain data; never throws itself (a Proxy's traps, say, are read by the checks below). */
export function toErrorJSON(err: unknown): ErrorJSON {
  try {
    return flattened(err);
  } catch {
    return { name: "Error", code: "ERR_UNKNOWN", message: `(${typeof err} that could not be read)` };
  }
}

function flattened(err: unknown): ErrorJSON {
  if (NeslinkError.isInstance(err)) return err.toJSON();
  if (err instanceof Error) {
    const { code, errno, syscall } = err as NodeJS.ErrnoException;
    // Node's own failed system calls (fs, child_process, net) become SystemCallErrors too; not a resolver's
    // failure (getaddrinfo's ENOTFOUND: libuv's errno -3008, no OS errno's name), which keeps Node's code.
    if (typeof errno === "number" && typeof syscall === "string" && !/^E\d+$/.test(errnoName(Math.abs(errno)))) {
      return new SystemCallError(syscall, Math.abs(errno), nodeErrorSubject(err)).toJSON();
    }
    return { name: err.name, code: typeof code === "string" ? code : "ERR_UNKNOWN", message: err.message };
  }
  return { name: "Error", code: "ERR_UNKNOWN", message: thrownText(err) };
}

/**
 * What was thrown that is no Error, as text: a string as it is, anything
 * else as its JSON (String() says "[object Object]", and throws for an object
 * without a prototype or with a throwing toString).
 */
function thrownText(value: unknown): string {
  return typeof value === "string" ? value : asText(value);
}

/** Any thrown value as a NeslinkError: neslink's own as it is, Node's failed system call (fs, a worker's start) as a SystemCallError. */
export function typedError(err: unknown): NeslinkError {
  return NeslinkError.isInstance(err) ? err : errorFromJSON(toErrorJSON(err));
}

const classes: Record<string, { prototype: NeslinkError }> = {
  NeslinkError,
  ValidationError,
  SystemCallError,
  NetlinkError,
  NotFoundError,
  AlreadyExistsError,
  NotANamespaceError,
  NamespaceDirBusyError,
  DumpInterruptedError,
  ActionError,
  NamespaceEnterError,
  KindUnsupportedError,
  NamespaceReturnError,
  ExecLimitError,
  PoolError,
  TimeoutError,
  AbortedError,
};

/**
 * Rebuilds the typed error that `toErrorJSON` flattened on another thread, or
 * that came as JSON from another process (the agent, an HTTP server): what
 * is not such an object becomes an ERR_UNKNOWN NeslinkError saying what it
 * was, and a key read from the text (`__proto__`, a `name` of
 * Object.prototype's) stays data, never a prototype or a class.
 */
export function errorFromJSON(json: ErrorJSON): NeslinkError {
  // The chain of causes, outermost first, walked without recursion: a peer's text can nest them deeper than the stack.
  const chain: ErrorJSON[] = [];
  // A Set, not the chain's includes: that made a deep chain quadratic (100,000 causes took 15 s).
  const seen = new Set<unknown>();
  for (let at: unknown = json; ; at = (at as { cause?: unknown }).cause) {
    if (chain.length > 0 && (at === undefined || at === null || seen.has(at))) break;
    const usable = typeof at === "object" && at !== null && !Array.isArray(at);
    seen.add(at);
    chain.push(usable ? (at as ErrorJSON) : { name: "Error", code: "ERR_UNKNOWN", message: shownJSON(at) });
    if (!usable) break;
  }
  let err: NeslinkError | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    err = rebuilt(chain[i] as ErrorJSON, err);
    Error.captureStackTrace(err, errorFromJSON);
  }
  return err as NeslinkError;
}

function rebuilt(json: ErrorJSON, cause: NeslinkError | undefined): NeslinkError {
  const known = typeof json.name === "string" && Object.hasOwn(classes, json.name) ? classes[json.name] : undefined;
  const err: NeslinkError = Object.create((known ?? NeslinkError).prototype);
  const { cause: _, ...given } = json;
  const fields = { ...given, ...headOf(given) };
  // Defined, not assigned: an own "__proto__" key (JSON.parse makes one) would otherwise replace the prototype.
  for (const [key, value] of Object.entries(fields))
    Object.defineProperty(err, key, { value, enumerable: true, writable: true, configurable: true });
  if (cause) Object.defineProperty(err, "cause", { value: cause, enumerable: true, writable: true, configurable: true });
  // A class of its own (a topology's, an adapter's: modules this one does not load) would lose its fields
  // (`problems`, `conflicts`, `failures`...) to NeslinkError's toJSON: flattened again, it gives what it came with.
  if (!known)
    Object.defineProperty(err, "toJSON", {
      value: () => ({ ...fields, ...(err.cause !== undefined && { cause: toErrorJSON(err.cause) }) }),
    });
  return err;
}

/**
 * The name, code and message of an error's JSON as ErrorJSON has them, strings: a peer's `code: 5` kept as given
 * would reach an adapter's status table, or a `code.startsWith`, as something else. A code that is no string
 * becomes ERR_UNKNOWN, its value said in the message; a message that is none is written out as JSON.
 */
function headOf(json: Omit<ErrorJSON, "cause">): Pick<ErrorJSON, "name" | "code" | "message"> {
  const { name, code, message } = json as Record<string, unknown>;
  const text = typeof message === "string" ? message : message === undefined ? "" : asText(message);
  const badCode = code !== undefined && typeof code !== "string" ? ` (its code was ${asText(code)}, not a string)` : "";
  return {
    name: typeof name === "string" ? name : "Error",
    code: typeof code === "string" ? code : "ERR_UNKNOWN",
    message: `${text}${badCode}`,
  };
}

/**
 * A value as JSON text, at most 200 characters; String() where JSON has no
 * text for it (a bigint, a cycle); its type where neither has (a toJSON and
 * a toString that throw, a Proxy's traps).
 */
function asText(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {}
  try {
    return String(value).slice(0, 200);
  } catch {
    return `(${typeof value})`;
  }
}

/** What a value that is no error's JSON was, for the message of the ERR_UNKNOWN error made of it. */
function shownJSON(value: unknown): string {
  if (Array.isArray(value)) return "an array, not an error's JSON";
  if (value === null || value === undefined) return `${value}, not an error's JSON`;
  return `${typeof value} ${String(value).slice(0, 200)}, not an error's JSON`;
}

/**
 * The error that says what actually went wrong: ActionError and
 * NamespaceEnterError only say where, and wrap it once, so it is their cause.
 * Adapters map this one's `code` (to an HTTP status, an exit code, a message).
 */
export function rootCause(err: unknown): unknown {
  const wraps = err instanceof ActionError || err instanceof NamespaceEnterError;
  return wraps && err.cause !== undefined ? err.cause : err;
}

/**
 * Whether `err` (or what it wraps) is the kernel refusing to delete a link (or a group of them) with EOPNOTSUPP: a
 * device with no rtnetlink delete, such as a physical NIC or VF moved into a namespace. It refuses it every time; the
 * device goes back to the initial namespace when the kernel destroys the one it is in.
 */
export function isUndeletable(err: unknown): boolean {
  return [err, rootCause(err)].some((e) => (e as { code?: unknown } | null | undefined)?.code === "EOPNOTSUPP");
}

/**
 * Whether `err` (or what it wraps) is the kernel refusing for want of
 * privilege (EPERM, EACCES): what could not be read then is unknown, not
 * absent, and a search must say so rather than report nothing found.
 */
export function isDenied(err: unknown): boolean {
  const code = (rootCause(err) as { code?: unknown } | null | undefined)?.code ?? (err as { code?: unknown } | null | undefined)?.code;
  return code === "EPERM" || code === "EACCES";
}
