/**
 * Namespaces of a test's own mount dir, made and ended with util-linux, and
 * the nsids the host namespace gives them, read and set by path as `ip netns
 * set` does by name. Not in /run/netns: there, another process watching every
 * named namespace (a test of another package, `neslink monitor`) may give one
 * an nsid first, or hold it for an instant while it dumps it.
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync, rmSync, writeFileSync } from "node:fs";
import { hasErrno } from "../../src/errno.js";
import { NetlinkError } from "../../src/errors.js";
import { getNsid } from "../../src/netlink/nsid.js";
import { NetlinkSocket } from "../../src/netlink/socket.js";

/** A new namespace mounted at `path` (its dir must exist). */
export function makeNamespace(path: string): void {
  writeFileSync(path, "");
  execFileSync("unshare", [`--net=${path}`, "true"]);
}

/** Unmounts and removes the namespace file at `path`: nothing else holding it, the kernel destroys it. */
export function dropNamespace(path: string): void {
  execFileSync("umount", [path]);
  rmSync(path);
}

/** Runs `argv` (e.g. `ip link add ...`) inside the namespace at `path`. */
export function inNamespace(path: string, ...argv: string[]): string {
  return execFileSync("nsenter", [`--net=${path}`, ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function withNamespace<T>(path: string, fn: (socket: NetlinkSocket, fd: number) => T): T {
  const fd = openSync(path, "r");
  const socket = new NetlinkSocket();
  try {
    return fn(socket, fd);
  } finally {
    socket.close();
    closeSync(fd);
  }
}

/** The nsid the host namespace gives the namespace at `path`; -1 if none. */
export function nsidAt(path: string): number {
  return withNamespace(path, (socket, fd) => getNsid(socket, fd));
}

/**
 * Gives the namespace at `path` the nsid `nsid` (as `ip netns set NAME NSID`)
 * the moment it is free: the kernel takes an id back as it destroys its
 * holder, and gives the lowest free one to whoever asks next (another test's
 * watch, say), so it is asked for again and again, not after a look. False if
 * it is not free within `ms`.
 */
export function takeNsid(path: string, nsid: number, ms: number): boolean {
  const end = Date.now() + ms;
  return withNamespace(path, (socket, nsFd) => {
    for (;;) {
      try {
        socket.transact([{ request: { type: "newNsid", nsFd, nsid }, label: "RTM_NEWNSID" }]);
        return true;
      } catch (err) {
        // EEXIST: the id is still another's (or this namespace has one already, and never gets this one).
        if (!(err instanceof NetlinkError && hasErrno(err, "EEXIST"))) throw err;
        if (Date.now() > end) return false;
      }
    }
  });
}
