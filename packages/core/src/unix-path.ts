/**
 * What a path must be to name a unix socket: it is copied into sockaddr_un's
 * sun_path, 108 bytes with its terminating NUL. Linux does not refuse a
 * longer one: libuv cuts it to fit, and bind then makes, or connect looks
 * for, a file of another name. Imports nothing, for the listener and the
 * koffi client alike.
 */

/** struct sockaddr_un's sun_path: the path's bytes and their terminating NUL. */
export const SUN_PATH = 108;

/** Why `path` cannot name a unix socket, said of the path (to follow its field's name), or undefined if it can. */
export function unixPathProblem(path: string): string | undefined {
  if (path === "") return "is empty";
  // A NUL would end the name early: another file's.
  if (path.includes("\0")) return "contains a NUL byte";
  const bytes = Buffer.byteLength(path);
  if (bytes >= SUN_PATH) {
    return `${path} is ${bytes} bytes long; a unix socket path holds at most ${SUN_PATH - 1} (sun_path is ${SUN_PATH} bytes with its NUL)`;
  }
  return undefined;
}
