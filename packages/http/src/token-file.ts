/**
 * --token-file, held to what ssh asks of a private key: the token gives root control of the network (and exec with
 * --allow-exec), so a file that another user can read, write or replace is refused rather than served from.
 */
import { lstatSync, type Stats, statSync } from "node:fs";
import { readRegularFile, ValidationError } from "@neslink/core";

const FIELD = "--token-file";

/** Why a token file (or named pipe) of this owner and mode is refused to a server running as `euid`; undefined: it is not. */
export function tokenFileRefusal(path: string, stat: Pick<Stats, "uid" | "mode">, euid: number): string | undefined {
  // Its owner can chmod it open, or put another token in it, at any time.
  if (stat.uid !== euid)
    return `is owned by uid ${stat.uid}, not by the server's user (uid ${euid}): chown ${euid} ${path} && chmod 600 ${path}`;
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return (
    `is open to group or others (mode ${mode.toString(8).padStart(4, "0")}); the token gives root control of the network` +
    ` (and exec with --allow-exec): chmod 600 ${path}`
  );
}

/** The token in `path`: a regular file only its owner, the server's user, can read or write, or a pipe (bash's `<(...)`). */
export function readTokenFile(path: string): string {
  const euid = process.geteuid?.() ?? 0;
  // A named pipe is checked before it is read: one others may write to lets them choose the token. bash's `<(...)`
  // (/dev/fd/N, a link to the pipe) is the caller's own, 0600.
  const target = statSync(path, { throwIfNoEntry: false });
  if (target?.isFIFO()) {
    const why = tokenFileRefusal(path, target, euid);
    if (why !== undefined) throw new ValidationError(FIELD, `${path} ${why}`);
  }
  const refuse = (stat: Stats) =>
    // Whoever may change the link chooses the file: given as the file itself, its own owner and mode are what count.
    lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()
      ? "is a symlink; give the file itself (mode 600)"
      : tokenFileRefusal(path, stat, euid);
  return readRegularFile(FIELD, path, { maxBytes: 4096, pipeWaitMs: 10_000, refuse }).toString("utf8").trim();
}
