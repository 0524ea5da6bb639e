/**
 * Which entries of a mount dir are network namespaces, from the mount table
 * (/proc/thread-self/mountinfo) rather than by opening each: an nsfs mount
 * says its namespace's type in its root field (`net:[4026532177]`). A listing
 * then needs neither koffi (its dlopen is most of what `neslink ns list`
 * costs above Node's own start) nor a descriptor per entry, and no file an
 * unprivileged user can make looks like a namespace: only root mounts.
 */
import { readFileSync, realpathSync } from "node:fs";
import { type Mount, parseMountinfo } from "../mountinfo.js";

/** Mounts by where they are mounted on which mount: one mounted on another at its own point is stacked on it. */
type OnMount = Map<string, Mount>;
const key = (parent: string, at: string) => `${parent}\0${at}`;

/**
 * The mount seen at `path` from `from` (a mount whose subtree holds it):
 * each mount on a prefix of the path, in turn, and the last of those stacked
 * on one point. Mounts hidden under another (a copy by propagation below a
 * bind mount of the dir, say) are never reached.
 */
function seenAt(path: string, from: Mount, on: OnMount): Mount {
  let mount = from;
  const step = (at: string) => {
    // A root mount may be its own parent: it is not stacked on itself.
    for (let top = on.get(key(mount.id, at)); top && top !== mount; top = on.get(key(mount.id, at))) mount = top;
  };
  step(from.at);
  let at = from.at === "/" ? "" : from.at;
  for (const part of path.slice(at.length).split("/").filter(Boolean)) {
    at = `${at}/${part}`;
    step(at);
  }
  return mount;
}

/**
 * The mount this thread's root is on: the one on "/" whose parent is outside
 * the view (or itself). A chroot into a dir that is no mount point has none
 * listed (the kernel hides mounts reaching outside the root): the mount that
 * holds it stands in, as the parent the listed mounts beneath it name.
 */
function rootOf(mounts: readonly Mount[]): Mount | undefined {
  const ids = new Set(mounts.map((m) => m.id));
  const outside = (m: Mount) => !ids.has(m.parent) || m.parent === m.id;
  const root = mounts.find((m) => m.at === "/" && outside(m));
  if (root !== undefined) return root;
  const holder = mounts.find(outside)?.parent;
  return holder === undefined ? undefined : { id: holder, parent: holder, root: "/", at: "/", fstype: "", shared: false };
}

const MOUNTINFO = "/proc/thread-self/mountinfo";
/** A path as mountinfo's bytes read as latin1 (where a mount point is not UTF-8, decoding it would make two names one). */
const asBytes = (path: string) => Buffer.from(path).toString("latin1");
const asIs = (path: string) => path;

/** The mount table as this thread sees it, with how a path is written in it. */
interface Table {
  on: OnMount;
  root: Mount | undefined;
  asTable: (path: string) => string;
}

function readTable(): Table {
  const text = readFileSync(MOUNTINFO, "utf8");
  // Read as text, the cheap way; only where that gave U+FFFD (a mount point that is not UTF-8, or holds U+FFFD) is the
  // table read again as bytes and the paths compared as bytes.
  const exact = text.includes("\uFFFD");
  const mounts = parseMountinfo(exact ? readFileSync(MOUNTINFO, "latin1") : text);
  return { on: new Map(mounts.map((m) => [key(m.parent, m.at), m])), root: rootOf(mounts), asTable: exact ? asBytes : asIs };
}

/** The names in `names` that are visibly mounted in `dir` as network namespaces. */
export function netnsMountedIn(dir: string, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const { on, root, asTable } = readTable();
  if (root === undefined) return [];
  const real = asTable(realpathSync(dir));
  const base = seenAt(real, root, on);
  const prefix = real === "/" ? "/" : `${real}/`;
  return names.filter((name) => {
    const path = `${prefix}${asTable(name)}`;
    const mount = seenAt(path, base, on);
    return mount.at === path && mount.fstype === "nsfs" && mount.root.startsWith("net:[");
  });
}

/** The mount seen at `dir` if `dir` is its mount point (the top one, if several are stacked there); undefined if none is. */
export function mountPointAt(dir: string): Mount | undefined {
  const { on, root, asTable } = readTable();
  if (root === undefined) return undefined;
  const real = asTable(realpathSync(dir));
  const mount = seenAt(real, root, on);
  return mount.at === real ? mount : undefined;
}
