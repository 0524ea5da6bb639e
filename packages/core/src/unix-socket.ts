/**
 * @neslink/core/unix-socket — listening on a unix socket path, for the
 * adapters (the HTTP server's --socket, the CLI's agent): the socket is
 * created mode 0600, never for a moment connectable by others, and a socket
 * left behind by a server that was killed is replaced only when nothing
 * answers on it. Loads no pool and no codec.
 */
import { lstat, stat, unlink } from "node:fs/promises";
import { connect, type Server } from "node:net";
import { dirname } from "node:path";
import { NeslinkError, ValidationError } from "./errors.js";
import { unixPathProblem } from "./unix-path.js";

/** bind(2) creates the socket file with mode 0777 & ~umask: this umask makes it 0600. */
const PRIVATE_UMASK = 0o177;

/** Whether a server is listening on the socket at `path` (ECONNREFUSED: it is stale). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", (err: NodeJS.ErrnoException) => {
      probe.destroy();
      if (err.code === "ECONNREFUSED" || err.code === "ENOENT") resolve(false);
      else reject(err);
    });
  });
}

/** Clears the way for listening at `path`: nothing there, or a stale socket (removed). Anything else is refused, untouched. */
async function clearStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw await bindError(path, err as NodeJS.ErrnoException);
  }
  if (!isSocket) throw new ValidationError("socket", `${path} exists and is not a socket; refusing to replace it`);
  if (await answers(path)) throw new NeslinkError("EADDRINUSE", `${path}: a server is already listening on this socket`);
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
}

/**
 * A failed bind said for what it was: libuv turns bind's ENOENT (the directory is missing) into EACCES, so that even
 * root was told "permission denied". The directory is looked at again to tell the two apart.
 */
async function bindError(path: string, err: NodeJS.ErrnoException): Promise<Error> {
  if (err.code !== "EACCES" && err.code !== "ENOENT" && err.code !== "ENOTDIR") return err;
  const dir = dirname(path);
  const why = await stat(dir).then(
    (s) => (s.isDirectory() ? undefined : "is not a directory"),
    (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? "does not exist" : e.code === "ENOTDIR" ? "is not a directory" : undefined),
  );
  return why === undefined ? err : new ValidationError("socket", `cannot listen at ${path}: its directory ${dir} ${why}`);
}

/**
 * Refuses a `path` no socket can be made at, before anything is: bind would
 * make one of a shorter name (see unix-path.ts), which a client of the full
 * name never finds and which then blocks the next start. `field`: the input
 * the path came from, as the caller's user knows it (`--socket`).
 */
export function checkSocketPath(path: string, field = "socket"): void {
  const problem = unixPathProblem(path);
  if (problem !== undefined) throw new ValidationError(field, problem);
}

/** Listens on the unix socket `path` (see the module comment). Call from the main thread: umask is process-wide. */
export async function listenUnix(server: Server, path: string, field = "socket"): Promise<void> {
  checkSocketPath(path, field);
  await clearStale(path);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => void bindError(path, err).then(reject, reject);
    server.once("error", failed);
    // listen() binds synchronously: the umask is restored within this call (a worker thread creating a file in that instant would get it too).
    const previous = process.umask(PRIVATE_UMASK);
    try {
      server.listen(path, () => {
        server.off("error", failed);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}
