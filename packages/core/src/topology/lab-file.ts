/**
 * Files neslink keeps in a lab's directory, /run/neslink/topologies/<lab>/,
 * where someone else may have put anything in their place: read without
 * following a symlink or waiting on a FIFO (a regular file only), written to
 * a new file (O_EXCL: nothing planted is opened) then renamed over the path,
 * which replaces whatever is there without following it.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, type Stats, writeSync } from "node:fs";
import { dirname } from "node:path";
import { readRegularFile } from "../files/regular.js";

/** Replaces the file at `path` with `text`, in one rename: a reader sees the old one or the new one. Throws the failing call's error. */
export function writeLabFile(path: string, text: string): void {
  const dir = dirname(path);
  const temp = `${path}.${randomBytes(6).toString("hex")}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The lab's directory itself, not a symlink someone put in its place (that would take the file elsewhere).
    if (!lstatSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Whether a file or directory is this user's and no one else may write to it. */
const ownedAlone = (s: { uid: number; mode: number }) => s.uid === process.geteuid?.() && (s.mode & 0o022) === 0;

/**
 * The text of the file at `path` if only this user could have written it: a regular file of this user's, writable
 * by no one else, in a directory (not a symlink) of the same kind; undefined for anything else, or larger than
 * `maxBytes`.
 */
export function readOwnLabFile(path: string, maxBytes: number): string | undefined {
  try {
    const dir = lstatSync(dirname(path));
    if (!dir.isDirectory() || !ownedAlone(dir)) return undefined;
    const refuse = (s: Stats) => (ownedAlone(s) ? undefined : "is another user's or writable by others");
    return readRegularFile("record", path, { maxBytes, follow: false, refuse }).toString("utf8");
  } catch {
    return undefined;
  }
}
