/**
 * Where a process listens, as the kernel sees it: its descriptors that are
 * sockets, matched with the listening sockets of its network namespace's
 * tables (/proc/PID/net/tcp, tcp6, unix). It is how a lock's holder that is a
 * server is told apart from another of its kind (lock-holder.ts), with
 * nothing the server must publish, nor anything left stale once it exits.
 * Read on an error path only: a readlink per descriptor of that process.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** A pid as /proc/locks gives it: only such a process is looked up. */
const PID = /^[1-9]\d*$/;
const SOCKET = /^socket:\[(\d+)\]$/;
/** /proc/net/unix's __SO_ACCEPTCON flag: the socket listens. */
const ACCEPTING = 0x10000;
/** /proc/net/tcp's TCP_LISTEN state. */
const LISTEN = "0A";
/** The host's byte order, without node:os (a module more for every command that loads this one's chunk). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The inodes of process `pid`'s sockets; none when its descriptors cannot be read (gone, or not ours to read). */
function socketInodes(pid: string): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const inode = SOCKET.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // Closed meanwhile.
    }
  }
  return inodes;
}

function table(pid: string, name: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/net/${name}`, "utf8").split("\n").slice(1);
  } catch {
    return [];
  }
}

/**
 * An address of /proc/net/tcp(6), IPv6 in brackets: 32-bit words in hex, each in the host's byte
 * order (the kernel prints a network-order word as an integer).
 */
function address(hex: string): string {
  const bytes = Buffer.from(hex, "hex");
  if (LITTLE_ENDIAN) for (let at = 0; at < bytes.length; at += 4) bytes.subarray(at, at + 4).reverse();
  if (bytes.length === 4) return bytes.join(".");
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  // The URL parser writes IPv6 as RFC 5952 does (the longest run of zeros as ::), in brackets.
  return new URL(`http://[${groups.join(":")}]`).hostname;
}

/** Process `pid`'s listening TCP sockets, as "ADDRESS:PORT" ("[ADDRESS]:PORT" for IPv6). */
function tcp(pid: string, inodes: ReadonlySet<string>): string[] {
  return ["tcp", "tcp6"].flatMap((name) =>
    table(pid, name).flatMap((line) => {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (local === undefined || state !== LISTEN || inode === undefined || !inodes.has(inode)) return [];
      const [host = "", port = ""] = local.split(":");
      return [`${address(host)}:${Number.parseInt(port, 16)}`];
    }),
  );
}

/** One line of /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path (the path may hold spaces). */
const UNIX_LINE = /^\s*\S+:\s+\S+\s+\S+\s+([0-9A-Fa-f]+)\s+\S+\s+\S+\s+(\d+) (.+)$/;

/**
 * Process `pid`'s listening unix sockets that have a name: their paths, or an
 * abstract name as the kernel writes it, each NUL an "@". Trailing ones are
 * cut: Node binds an abstract name padded with NULs to the whole sun_path.
 */
function unix(pid: string, inodes: ReadonlySet<string>): string[] {
  return table(pid, "unix").flatMap((line) => {
    const [, flags = "0", inode = "", path] = UNIX_LINE.exec(line) ?? [];
    if (path === undefined || (Number.parseInt(flags, 16) & ACCEPTING) === 0 || !inodes.has(inode)) return [];
    return [path.startsWith("@") ? `@${path.slice(1).replace(/@+$/, "")}` : path];
  });
}

/**
 * Where process `pid` (as /proc/locks gives it) listens: TCP as
 * "127.0.0.1:7470" or "[::1]:7470", unix sockets by path, in the order of the
 * kernel's tables; none when it does not, is gone, or cannot be looked at.
 */
export function listeningOn(pid: string): string[] {
  if (!PID.test(pid)) return [];
  const inodes = socketInodes(pid);
  if (inodes.size === 0) return [];
  return [...tcp(pid, inodes), ...unix(pid, inodes)];
}
