/**
 * Typed errors with stable codes. Every error neslink throws is a
 * `NeslinkError`; `NeslinkError.isInstance` works across copies of the
 * package and across worker threads (errors cross as plain JSON and are
 * rebuilt here by `errorFromJSON`).
 */
import { constants } from "node:os";

const MARKER = Symbol.for("@neslink/core/error");

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
  action?: string;
  returned?: boolean;
  cause?: ErrorJSON;
}

export class NeslinkError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
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

/** Bad input: names the field at fault. Raised before anything touches the kernel. */
export class ValidationError extends NeslinkError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("ERR_INVALID_ARGUMENT", `${field}: ${message}`);
    this.field = field;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), field: this.field };
  }
}

/** Linux errnos that Node's os.constants.errno leaves out but the kernel's network code returns. */
const LINUX_ONLY_ERRNOS: Record<string, number> = {
  ENOTBLK: 15,
  EXFULL: 54,
  ENONET: 64,
  ENOPKG: 65,
  EREMOTE: 66,
  EBADFD: 77,
  ESOCKTNOSUPPORT: 94,
  EPFNOSUPPORT: 96,
  ESHUTDOWN: 108,
  ETOOMANYREFS: 109,
  EHOSTDOWN: 112,
  EUCLEAN: 117,
  EREMOTEIO: 121,
  ENOMEDIUM: 123,
  EMEDIUMTYPE: 124,
  ENOKEY: 126,
  EKEYEXPIRED: 127,
  EKEYREVOKED: 128,
  EKEYREJECTED: 129,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
  ERFKILL: 132,
  EHWPOISON: 133,
};

const errnoNames = new Map<number, string>(
  Object.entries({ ...LINUX_ONLY_ERRNOS, ...constants.errno }).map(([name, value]) => [value, name]),
);

/** The errno constant name for a positive errno, e.g. 2 -> "ENOENT". */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
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
    super(code, `${syscall} failed: ${code}${detail ? ` (${detail})` : ""}`);
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

/** Something looked up by name, index, alias or path does not exist. */
export class NotFoundError extends NeslinkError {
  constructor(what: "namespace" | "link", message: string) {
    super(what === "namespace" ? "ERR_NS_NOT_FOUND" : "ERR_LINK_NOT_FOUND", message);
  }
}

/** Something to be created already exists. */
export class AlreadyExistsError extends NeslinkError {
  constructor(what: "namespace" | "link", message: string) {
    super(what === "namespace" ? "ERR_NS_EXISTS" : "ERR_LINK_EXISTS", message);
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

/** A dump was torn by concurrent changes (NLM_F_DUMP_INTR) on every retry. */
export class DumpInterruptedError extends NeslinkError {
  constructor(request: string, attempts: number) {
    super("ERR_DUMP_INTERRUPTED", `${request}: dump interrupted by concurrent changes ${attempts} times`);
  }
}

/**
 * An action of nsDo / linkDo failed. `actionIndex` and `action` say which;
 * `returned` says whether the worker thread got back to its own namespace.
 */
export class ActionError extends NeslinkError {
  readonly actionIndex: number;
  readonly action: string;
  readonly returned: boolean;
  constructor(actionIndex: number, action: string, returned: boolean, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("ERR_ACTION_FAILED", `action #${actionIndex} (${action}) failed: ${reason}`, { cause });
    this.actionIndex = actionIndex;
    this.action = action;
    this.returned = returned;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), actionIndex: this.actionIndex, action: this.action, returned: this.returned };
  }
}

/**
 * The namespace the work asked for could not be entered or created. The worker
 * thread did not act; `returned` is false only if it also could not get back.
 */
export class NamespaceEnterError extends NeslinkError {
  readonly returned: boolean;
  constructor(message: string, returned: boolean, cause: unknown) {
    super("ERR_NS_ENTER", message, { cause });
    this.returned = returned;
  }
  override toJSON(): ErrorJSON {
    return { ...super.toJSON(), returned: this.returned };
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

/** The pool was closed, or its worker died, before the work finished. */
export class PoolError extends NeslinkError {
  constructor(message: string) {
    super("ERR_POOL", message);
  }
}

/** Any thrown value as plain data. */
export function toErrorJSON(err: unknown): ErrorJSON {
  if (NeslinkError.isInstance(err)) return err.toJSON();
  if (err instanceof Error) {
    const { code, errno, syscall } = err as NodeJS.ErrnoException;
    // Node's own failed system calls (fs, child_process) become SystemCallErrors too.
    if (typeof errno === "number" && typeof syscall === "string") {
      return new SystemCallError(syscall, Math.abs(errno), (err as { path?: string }).path).toJSON();
    }
    return { name: err.name, code: typeof code === "string" ? code : "ERR_UNKNOWN", message: err.message };
  }
  return { name: "Error", code: "ERR_UNKNOWN", message: String(err) };
}

const classes: Record<string, { prototype: NeslinkError }> = {
  NeslinkError,
  ValidationError,
  SystemCallError,
  NetlinkError,
  NotFoundError,
  AlreadyExistsError,
  NotANamespaceError,
  DumpInterruptedError,
  ActionError,
  NamespaceEnterError,
  NamespaceReturnError,
  PoolError,
};

/** Rebuilds the typed error that `toErrorJSON` flattened on another thread. */
export function errorFromJSON(json: ErrorJSON): NeslinkError {
  const err: NeslinkError = Object.create((classes[json.name] ?? NeslinkError).prototype);
  const { cause, ...fields } = json;
  Object.assign(err, fields);
  if (cause) Object.assign(err, { cause: errorFromJSON(cause) });
  Error.captureStackTrace(err, errorFromJSON);
  return err;
}

/**
 * The error that says what actually went wrong: ActionError and
 * NamespaceEnterError only say where, so their cause is followed. Adapters map
 * this one's `code` (to an HTTP status, an exit code, a message).
 */
export function rootCause(err: unknown): unknown {
  let current = err;
  while ((current instanceof ActionError || current instanceof NamespaceEnterError) && current.cause !== undefined) {
    current = current.cause;
  }
  return current;
}
