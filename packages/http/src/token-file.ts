/**
 * --token-file, held to what ssh asks of a private key: the token gives root control of the network (and exec with
 * --allow-exec), so a file that another user can read, write or replace is refused rather than served from.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { Socket } from "node:net";
import { addAbortSignal, type Readable } from "node:stream";
import { isatty } from "node:tty";
import { ValidationError } from "@neslink/core";
import { unsafeDirectory } from "./token-directories.js";

const FIELD = "--token-file";
/** A token is one short line: what is larger is no token, and is not read on. */
const MAX_TOKEN_BYTES = 4096;
/** How long `--token-file -` waits for the writer of standard input to finish, as a pipe given by path once was. */
const STDIN_WAIT_MS = 10_000;
const STDIN = "standard input";

/**
 * O_NOFOLLOW: a symlink in the file's place fails the open (ELOOP) instead of being followed; O_NONBLOCK: a FIFO
 * opens without waiting for a writer, and is then refused; O_NOCTTY: a terminal given does not become the server's.
 * libuv adds O_CLOEXEC to every open: no program exec'd later inherits the descriptor.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** How a token is handed over through a pipe: a FIFO opened by path is refused. */
const PIPE_IN = "pass show neslink | neslink-http --token-file -";

/**
 * The paths a shell hands one of this process's descriptors over as (bash's `<(...)` gives /dev/fd/N; /dev/stdin):
 * symlinks that name no file anyone could put in the token's place, only what the server was started with.
 */
const OWN_DESCRIPTOR = /^\/(?:dev\/(?:stdin|fd\/(\d+))|proc\/(?:self|thread-self|(\d+))\/fd\/(\d+))$/;

/** The descriptor of this process's that `path` names (/dev/stdin, /dev/fd/N, /proc/self/fd/N), else undefined. */
export function ownDescriptor(path: string, pid: number = process.pid): number | undefined {
  const m = OWN_DESCRIPTOR.exec(path);
  if (m === null) return undefined;
  const [, devFd, procPid, procFd] = m;
  if (procPid !== undefined && Number(procPid) !== pid) return undefined;
  return Number(devFd ?? procFd ?? 0);
}

/** Why a token file of this owner and mode is refused to a server running as `euid`; undefined: it is not. */
export function tokenFileRefusal(path: string, stat: Pick<Stats, "uid" | "mode">, euid: number): string | undefined {
  // Its owner can chmod it open, or put another token in it, at any time.
  if (stat.uid !== euid)
    return `is owned by uid ${stat.uid}, not by the server's user (uid ${euid}): chown ${euid} ${path} && chmod 600 ${path}`;
  return openToOthers(stat.mode, `chmod 600 ${path}`);
}

function openToOthers(mode: number, fix: string): string | undefined {
  if ((mode & 0o077) === 0) return undefined;
  return (
    `is open to group or others (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); the token gives root control of the` +
    ` network (and exec with --allow-exec): ${fix}`
  );
}

/**
 * The token in `path`: a regular file (not a symlink) only its owner, the server's user, can read or write, reached
 * through directories only root or that user can change. Opened once, and checked and read through that descriptor:
 * what the path names may have changed since.
 */
export function readTokenFile(path: string): string {
  if (path === "") throw new ValidationError(FIELD, "is empty: give the token file's path, or - for standard input");
  const euid = process.geteuid?.() ?? 0;
  // Checked before the open, and no one else can change them after it: only root or the server's user may.
  const unsafe = unsafeDirectory(path, euid);
  if (unsafe !== undefined) {
    throw new ValidationError(
      FIELD,
      `${path}: its directory ${unsafe.dir} ${unsafe.why}, who may put another file in the token's place; keep the` +
        ` token where only ${euid === 0 ? "root" : `root or uid ${euid}`} can change the directories on its way (as ssh asks of a key's)`,
    );
  }
  const fd = openToken(path);
  try {
    const stat = fstatSync(fd);
    const why = stat.isFile() ? tokenFileRefusal(path, stat, euid) : notRegular(path, stat);
    if (why !== undefined) throw new ValidationError(FIELD, `${path} ${why}`);
    return tokenIn(path, readUpTo(fd, path));
  } finally {
    closeSync(fd);
  }
}

function openToken(path: string): number {
  try {
    return openSync(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") {
      // Whoever may change the link chooses the file: given as the file itself, its own owner and mode are what count.
      throw new ValidationError(FIELD, `${path} is a symlink; give the file itself (mode 600)`);
    }
    throw new ValidationError(FIELD, `cannot open ${path}: ${code === "ENOENT" ? "no such file" : code}`);
  }
}

function notRegular(path: string, stat: Stats): string {
  // A FIFO may be written by whoever opens it next, and one no one writes to would hold the start.
  return stat.isFIFO()
    ? `is a pipe, not a regular file; give it as standard input: neslink-http --token-file - < ${path}`
    : "is not a regular file";
}

/** A regular file's bytes, at most MAX_TOKEN_BYTES of them. */
function readUpTo(fd: number, path: string): Buffer {
  const buf = Buffer.alloc(MAX_TOKEN_BYTES + 1);
  let size = 0;
  let n: number;
  do {
    n = readSync(fd, buf, size, buf.length - size, null);
    size += n;
  } while (n > 0 && size < buf.length);
  if (size > MAX_TOKEN_BYTES) throw new ValidationError(FIELD, `${path} is larger than ${MAX_TOKEN_BYTES} bytes`);
  return buf.subarray(0, size);
}

/** The token in what `where` held: whitespace around it (the newline `echo` ends it with, a CR) dropped, as ever. */
export function tokenIn(where: string, bytes: Buffer): string {
  const token = bytes.toString("utf8").trim();
  if (token !== "") return token;
  const what = bytes.length === 0 ? "is empty" : "holds only whitespace";
  throw new ValidationError(FIELD, `${where} ${what}: it should hold the token, one line of visible characters`);
}

/**
 * `--token-file -` (descriptor 0), or a path naming a descriptor the server was started with (bash's `<(...)`,
 * /dev/fd/N): the token in that pipe, socket or file, read until its writer is done (at most STDIN_WAIT_MS). What is
 * there was handed over by whoever started the server, so its owner is not asked about (`sudo neslink-http
 * --token-file - < ~/token` is one's own file); a file or FIFO others may read or write is still refused.
 */
export async function readTokenDescriptor(fd: number, given = "-"): Promise<string> {
  const where = fd === 0 ? STDIN : `descriptor ${fd}`;
  // Looked at before a stream is made on it: process.stdin makes a terminal's.
  const why = descriptorRefusal(fd);
  if (why !== undefined) throw new ValidationError(FIELD, `${given} (${where}) ${why}`);
  if (fd === 0) return readTokenStream(process.stdin, STDIN_WAIT_MS, where);
  // A file's bytes are there to read; a pipe's or socket's come when its writer sends them, read without blocking.
  if (fstatSync(fd).isFile()) return tokenIn(where, readUpTo(fd, where));
  return readTokenStream(new Socket({ fd, readable: true, writable: false }), STDIN_WAIT_MS, where);
}

/** The token in what `input` gives until it ends; refused past MAX_TOKEN_BYTES, or if it does not end within `waitMs`. */
export async function readTokenStream(input: Readable, waitMs: number, where = STDIN): Promise<string> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), waitMs);
  // Aborted, the stream is destroyed, and the loop below throws.
  addAbortSignal(timeout.signal, input);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Left early (by a throw), the loop destroys the stream: nothing more is read.
    for await (const chunk of input as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_TOKEN_BYTES) throw new ValidationError(FIELD, `${where} is larger than ${MAX_TOKEN_BYTES} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const why = timeout.signal.aborted ? `its writer did not finish within ${waitMs / 1000} s` : (err as NodeJS.ErrnoException).code;
    throw new ValidationError(FIELD, `cannot read ${where}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
  return tokenIn(where, Buffer.concat(chunks, size));
}

/** Why the stream on descriptor `fd` is no token's; undefined: it may be. */
export function descriptorRefusal(fd: number): string | undefined {
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch {
    return `is closed; pipe the token in: ${PIPE_IN}`;
  }
  // A socket is open to all by its mode, and is only ever handed over: none is opened by path.
  if (stat.isSocket()) return undefined;
  // An anonymous pipe's mode is 0600; a FIFO or a file shows its own.
  if (stat.isFIFO() || stat.isFile()) return openToOthers(stat.mode, "chmod 600 the file or FIFO given");
  return `is ${isatty(fd) ? "a terminal" : "neither a pipe nor a file"}; pipe the token in: ${PIPE_IN}`;
}
