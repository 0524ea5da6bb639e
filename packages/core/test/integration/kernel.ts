/**
 * Test helpers that ask the kernel through iproute2, and clean up what a test
 * made. Every namespace and link a test creates starts with its file's own
 * unique prefix; cleanup touches nothing else.
 */
import { type ChildProcess, execFile, execFileSync, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import koffi from "koffi";
import { parseMountinfo } from "../../src/mountinfo.js";
import { groupLeft } from "../processes.js";

/** A short unique prefix (link names are at most 15 bytes): `tag` + 6 hex chars. */
export function uniquePrefix(tag = "nt"): string {
  return `${tag}${randomBytes(3).toString("hex")}`;
}

export function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `ip -j -d ...` parsed. */
export function ipJson<T = Record<string, unknown>[]>(...args: string[]): T {
  return JSON.parse(ip("-j", "-d", ...args) || "[]") as T;
}

/**
 * Names `ip netns list` lists (the entries of its dir), read from the dir: its
 * -j output writes a name with a control character raw, and does not parse.
 * Only those starting with `prefix` when given (other tests may run alongside).
 */
export function netnsList(prefix = ""): string[] {
  return (existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : []).filter((name) => name.startsWith(prefix));
}

const NETNS_DIR = "/run/netns";

/**
 * `ip -j netns list` (in `netns` if given: the ids are those its namespace gives), the entries starting with `prefix`,
 * sorted by name. ip writes a name's control characters raw (another test's odd names may be listed meanwhile): they
 * are escaped here so that its one line parses. Its complaint of a stale entry (another test's) is not read.
 */
export function ipNetnsJson(prefix: string, netns?: string): { name: string; id?: number }[] {
  const out = ip(...(netns === undefined ? [] : ["-n", netns]), "-j", "netns", "list");
  const escaped = [...out.trim()].map((c) => (c < " " ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c)).join("");
  return (JSON.parse(escaped || "[]") as { name: string; id?: number }[])
    .filter((n) => n.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Links of a named namespace as iproute2 reports them. */
export function linksIn(
  nsName: string,
): { ifindex: number; ifname: string; flags: string[]; mtu: number; address?: string; linkinfo?: { info_kind?: string } }[] {
  return ipJson("-n", nsName, "link", "show");
}

/** The veths of a named namespace as iproute2 reports them, by name: whether each has its peer (an index and nsid, or a name). */
export function vethsIn(nsName: string): Map<string, boolean> {
  const links = ipJson<{ ifname: string; link_index?: number; link?: string; linkinfo?: { info_kind?: string } }[]>(
    "-n",
    nsName,
    "link",
    "show",
  );
  return new Map(
    links.filter((l) => l.linkinfo?.info_kind === "veth").map((l) => [l.ifname, l.link_index !== undefined || l.link !== undefined]),
  );
}

/**
 * Named namespaces held open by this process until `release()`, so that what a destroy or an apply deleted in them can
 * be read after it let them go: `hold(netns)` gives the path to enter one by (its name is gone once it is unmounted).
 */
export function namespaceHolder(): { hold(netns: string): string; release(): void } {
  const held: number[] = [];
  return {
    hold(netns) {
      const fd = openSync(`${NETNS_DIR}/${netns}`, "r");
      held.push(fd);
      return `/proc/${process.pid}/fd/${fd}`;
    },
    release() {
      for (const fd of held.splice(0)) closeSync(fd);
    },
  };
}

/** The link names iproute2 sees inside the namespace file at `path` (entered by nsenter: no name needed). */
export function linksAt(path: string): string[] {
  return (
    JSON.parse(execFileSync("nsenter", [`--net=${path}`, "ip", "-j", "link", "show"], { encoding: "utf8" })) as { ifname: string }[]
  ).map((l) => l.ifname);
}

/**
 * Programs waiting in `nsName` on `gate` (a path in their command line) until
 * the test creates it: a test that must see programs still running when
 * something else answers waits on them, not on a clock.
 */
export const gate = {
  argv: (path: string): string[] => ["sh", "-c", `while [ ! -e ${path} ]; do sleep 0.05; done`],
  /** How many of them run in the namespace now: not their `sleep` children, nor a fork of theirs that has not yet become one (it still shows their command line). */
  waiting(nsName: string, path: string): number {
    const parents = new Map<string, string>();
    for (const pid of ip("netns", "pids", nsName).split("\n")) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path))
          parents.set(pid, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] as string);
      } catch {
        // ended since the listing
      }
    }
    return [...parents.values()].filter((ppid) => !parents.has(ppid)).length;
  },
  open: (path: string): void => writeFileSync(path, ""),
};

/** The command line of every process, its words joined by NULs. */
export function commandLines(): string[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8");
      } catch {
        return "";
      }
    });
}

/** Deletes every namespace, host link, lab program cgroup (with its processes) and lab log directory whose name starts with `prefix`. */
export function cleanup(prefix: string): void {
  for (const dir of labCgroups(prefix)) removeCgroup(dir);
  // A lab's lock file and its programs' logs: a test that ends its lab without destroy leaves them.
  for (const e of existsSync(LAB_DIR) ? readdirSync(LAB_DIR) : [])
    if (e.startsWith(prefix)) rmSync(`${LAB_DIR}/${e}`, { recursive: true, force: true });
  for (const name of netnsList()) {
    if (name.startsWith(prefix)) ip("netns", "del", name);
  }
  // Listed again after each delete: deleting one end of a veth pair deletes the other, and the kernel deletes a veth
  // whose peer's namespace it is destroying on its own, between a listing and the delete.
  for (let left = hostLinks(prefix); left.length > 0; left = hostLinks(prefix)) {
    const name = left[0] as string;
    try {
      ip("link", "del", name);
    } catch (err) {
      if (hostLinks(prefix).includes(name)) throw err;
    }
  }
}

/** Where topologies keep their locks and their programs' logs. */
const LAB_DIR = "/run/neslink/topologies";

/** The cgroup v2 directories of the labs whose name starts with `prefix` (topology programs run there). */
function labCgroups(prefix: string): string[] {
  return parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"))
    .filter((m) => m.fstype === "cgroup2")
    .map((m) => `${m.at}/neslink`)
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).flatMap((lab) => (lab.startsWith(prefix) ? [`${d}/${lab}`] : [])));
}

/** Kills everything in a cgroup tree, waits until it is empty, removes it. */
function removeCgroup(dir: string): void {
  writeFileSync(`${dir}/cgroup.kill`, "1");
  for (let i = 0; i < 500 && readFileSync(`${dir}/cgroup.events`, "utf8").includes("populated 1"); i++)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  const remove = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) remove(`${d}/${e.name}`);
    rmdirSync(d);
  };
  remove(dir);
}

/**
 * The host namespace's link names, less those other test files make in it
 * meanwhile (named by uniquePrefix: one to three letters, six hex digits):
 * files run side by side, so a whole-host comparison leaves theirs out and
 * keeps everything else, `own`'s included.
 */
export function hostLinkNames(own: string): string[] {
  return ipJson<{ ifname: string }[]>("link", "show")
    .map((l) => l.ifname)
    .filter((n) => n.startsWith(own) || !/^[a-z]{1,3}[0-9a-f]{6}/.test(n));
}

function hostLinks(prefix: string): string[] {
  return ipJson<{ ifname: string }[]>("link", "show")
    .map((l) => l.ifname)
    .filter((n) => n.startsWith(prefix));
}

/**
 * Network namespace inodes referenced by this process's open descriptors, however each was opened: an open of
 * /proc/PID/ns/net reads as `net:[ino]`, one of a /run/netns entry (a mount of it) as that path. Each is told by its
 * file: on nsfs (the device /proc/self/ns/net is on), of a network namespace.
 */
export function heldNamespaceInodes(): number[] {
  const held: number[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    let st: Stats;
    try {
      st = fstatSync(Number(fd));
    } catch {
      continue; // closed between readdir and fstat
    }
    if (st.dev === NSFS_DEV && ioctl(Number(fd), NS_GET_NSTYPE) === CLONE_NEWNET) held.push(st.ino);
  }
  return held;
}

export function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/**
 * Holds this thread (its event loop: nothing a watch's listener posts is taken meanwhile) until every netlink socket
 * of this process in its own namespace has nothing queued to read: a watch's listener has read every notification
 * sent so far. A consumer that must fall behind stays behind this way however slow the listener is to run, where a
 * fixed pause let a loaded machine's listener post too few for a drop. False if that took past `ms`.
 */
export function holdUntilNetlinkRead(ms = FAIL_AFTER_MS): boolean {
  const end = Date.now() + ms;
  const socketOf = (fd: string) => {
    try {
      return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    } catch {
      return undefined; // closed since the listing
    }
  };
  const ours = new Set(readdirSync("/proc/self/fd").map(socketOf));
  const queued = () => {
    const [header, ...rows] = readFileSync("/proc/net/netlink", "utf8").trim().split("\n");
    const columns = (header as string).trim().split(/\s+/);
    const [eth, rmem, inode] = ["Eth", "Rmem", "Inode"].map((c) => columns.indexOf(c)) as [number, number, number];
    return rows.some((row) => {
      const cells = row.trim().split(/\s+/);
      return cells[eth] === "0" && ours.has(cells[inode] as string) && cells[rmem] !== "0";
    });
  };
  while (queued()) {
    if (Date.now() > end) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  return true;
}

/** The inode of a named namespace ("ip netns identify" needs a pid; stat the file instead). */
export function inodeOf(path: string): number {
  return Number(execFileSync("stat", ["-L", "-c", "%i", path], { encoding: "utf8" }).trim());
}

const ioctl = koffi.load("libc.so.6").func("int ioctl(int fd, unsigned long request)");
/** SIOCGSKNS: an fd on the namespace a socket belongs to. */
const SIOCGSKNS = 0x894c;
/** NS_GET_NSTYPE: the kind (a CLONE_NEW* flag) of the namespace an nsfs descriptor refers to. */
const NS_GET_NSTYPE = 0xb703;
const CLONE_NEWNET = 0x40000000;
/** The nsfs device: every namespace's file is on it. */
const NSFS_DEV = statSync("/proc/self/ns/net").dev;

/** Network namespace inodes that this process's sockets belong to (and so keep alive). */
export function socketNamespaceInodes(): number[] {
  const held: number[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (!link.startsWith("socket:")) continue;
    const nsfd = ioctl(Number(fd), SIOCGSKNS);
    if (nsfd < 0) continue;
    held.push(fstatSync(nsfd).ino);
    closeSync(nsfd);
  }
  return held;
}

/** Runs `fn` on the lab `name` and destroys it afterwards, whatever happened. */
export async function withLab(name: string, fn: (name: string) => Promise<void>): Promise<void> {
  const { topology } = await import("@neslink/core");
  try {
    await fn(name);
  } finally {
    await topology.destroy(name);
  }
}

/**
 * `changes` mtu changes of `link` in the named namespace `name` (1400, 1401, ...), then mtu `last`, by one
 * `ip -batch`. `blocked`: this thread waits for it, running nothing else meanwhile. The batch is written to a
 * file a chunk at a time: what this process holds is its own, not the batch's.
 */
export async function floodMtu(name: string, link: string, changes: number, last: number, blocked = false): Promise<void> {
  const file = join(tmpdir(), `${name}-${link}-batch`);
  const fd = openSync(file, "w");
  try {
    for (let done = 0; done < changes; done += 10_000) {
      const lines = Array.from({ length: Math.min(10_000, changes - done) }, (_, i) => `link set dev ${link} mtu ${1400 + (i % 2)}\n`);
      writeSync(fd, lines.join(""));
    }
    writeSync(fd, `link set dev ${link} mtu ${last}\n`);
    closeSync(fd);
    const args = ["-n", name, "-batch", file];
    if (blocked) execFileSync("ip", args);
    else await new Promise((resolve, reject) => execFile("ip", args, (err) => (err ? reject(err) : resolve(undefined))));
  } finally {
    rmSync(file, { force: true });
  }
}

/** Resident memory of process `pid` in bytes: now (VmRSS), or the most it has been (VmHWM) since resetPeakRss. */
export function rssOf(pid: number | "self", which: "VmRSS" | "VmHWM"): number {
  const kb = new RegExp(`${which}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

/** Starts counting process `pid`'s peak memory (VmHWM) from now. */
export function resetPeakRss(pid: number | "self"): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/**
 * Runs `argv` in a new mount and network namespace of its own, with an empty tmpfs on each of `dirs` (made first if
 * missing): a namespace dir there holds only what the run makes, so nothing else on the host is met or counted.
 */
export function runIsolated(dirs: readonly string[], argv: readonly string[], timeout: number): SpawnSyncReturns<string> {
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  const mounts = dirs.map((_, i) => `mount -t tmpfs neslink-test "$${i + 1}" && `).join("");
  return spawnSync(
    "unshare",
    ["--mount", "--net", "--propagation", "private", "sh", "-c", `${mounts}shift ${dirs.length} && exec "$@"`, "sh", ...dirs, ...argv],
    {
      encoding: "utf8",
      timeout,
    },
  );
}

/**
 * Signals the process group `leader` heads (spawned with `detached: true`), and waits until none of it is left.
 * util-linux's flock and a shell pass their descriptors to the children they start: the leader's exit is not the
 * lock's or the file's release (a flock's sleep, killed with it, was still there in 22 of 100 tries).
 */
export async function endGroup(leader: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  const group = leader.pid as number;
  try {
    process.kill(-group, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
  if (!(await until(() => !groupLeft(group), 15_000))) throw new Error(`process group ${group} still runs`);
}

/** Whether `check` holds within `ms`, asked every 25 ms: a wait on a condition, not on a clock. */
/**
 * How long a wait on a condition goes on before it gives up: only a failure waits that long. CI shares 2 cores with
 * whatever else runs; there a condition met in milliseconds when idle has taken seconds (a process's start, a
 * thread's end, the kernel's destruction of namespaces queued behind other tests').
 */
export const FAIL_AFTER_MS = 30_000;

export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** Runs `topology.apply` of a file's text in a child process (the built dist), killed with SIGKILL after `ms` if still running. */
export function applyKilledAfter(text: string, ms: number): Promise<"killed" | "finished"> {
  const core = new URL("../../dist/index.js", import.meta.url).href;
  const script = `const { topology } = await import(${JSON.stringify(core)}); await topology.apply(topology.load(${JSON.stringify(text)}));`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === "SIGKILL" ? "killed" : "finished");
    });
  });
}
