/**
 * `LAB:NODE` to the namespace that node runs in, found by the kernel's own
 * marker (the node's loopback alias), never by a state file: so
 * `neslink exec demo:h1 -- ping ...` reaches the node even if its file gave it
 * another namespace name, and never a namespace some other lab or tool owns.
 */
import { existsSync } from "node:fs";
import { isDenied, NotFoundError } from "../errors.js";
import * as ns from "../namespace/providers.js";
import { readLinks } from "../namespace/read.js";
import type { Pool } from "../pool/pool.js";
import { labGroup, populated } from "./cgroup.js";
import { LOCK_DIR, lockHeld } from "./lock.js";
import { parseMarker } from "./marker.js";
import { parseNodeRef } from "./node-ref.js";
import { labName } from "./shape.js";

/** The loopback alias of the named namespace, read from this thread (no worker); null if it is none of ours to read. */
async function loopbackAlias(netns: string): Promise<string | null> {
  try {
    return (await readLinks(ns.name(netns))).find((l) => l.name === "lo")?.alias ?? null;
  } catch (err) {
    // Not there, or not a namespace: not this node. Not readable by this user: unknown, said as such.
    if (isDenied(err)) throw err;
    return null;
  }
}

/**
 * The namespace name (under /run/netns) of `node` of the running lab
 * `topology`. The default name `<lab>-<node>` is tried first (one read, with
 * no worker); otherwise every named namespace's marker is read (on `pool`,
 * default the default pool). ERR_NS_NOT_FOUND if no namespace is marked as
 * that node.
 */
export async function locateNode(topology: string, node: string, options: { pool?: Pool } = {}): Promise<string> {
  const guess = `${topology}-${node}`;
  const owner = parseMarker(await loopbackAlias(guess));
  if (owner?.topology === topology && owner.node === node) return guess;
  const [{ ownedNamespaces }, { defaultPool }] = await Promise.all([import("./live.js"), import("../nsdo.js")]);
  const owned = await ownedNamespaces(options.pool ?? defaultPool(), topology, new Set([guess]));
  const found = owned.find((o) => o.node === node);
  if (!found) throw new NotFoundError("namespace", `no running node ${node} of topology ${topology}`);
  return found.netns;
}

/**
 * A namespace named with a colon, as a command is given it: the namespace of
 * node NODE while lab LAB runs it (a running lab's node wins), else the
 * namespace of exactly that name in `dir` (`ip netns add foo:bar` makes one).
 * Neither: ERR_NS_NOT_FOUND saying so; a malformed LAB:NODE no namespace is
 * named: its ValidationError.
 */
export async function locateNamed(text: string, options: { pool?: Pool; dir?: string } = {}): Promise<string> {
  const dir = options.dir ?? ns.DEFAULT_NETNS_DIR;
  const named = () => !text.includes("/") && existsSync(`${dir}/${text}`);
  let ref: ReturnType<typeof parseNodeRef>;
  try {
    ref = parseNodeRef(text);
  } catch (err) {
    if (named()) return text;
    throw err;
  }
  if (ref === undefined) return text;
  try {
    return await locateNode(ref.topology, ref.node, options);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    if (named()) return text;
    throw new NotFoundError("namespace", `${err.message}, and no namespace is named "${text}" in ${dir}`, { cause: err });
  }
}

/** The names of the labs that have at least one node running, sorted. */
export async function runningLabs(options: { pool?: Pool } = {}): Promise<string[]> {
  const [{ markedNamespaces }, { defaultPool }] = await Promise.all([import("./live.js"), import("../nsdo.js")]);
  const marked = await markedNamespaces(options.pool ?? defaultPool());
  return [...new Set(marked.map((m) => m.topology))].sort();
}

/**
 * Whether a lab of this name is on this machine: recorded (its record, which apply leaves and destroy removes: a lab
 * left part-made or part-destroyed has it), locked (an apply or destroy of it under way), with programs left in its
 * cgroup (which destroy ends: its nodes deleted by hand and its record lost, they are all that is left of it), or with
 * a node running. The record, lock and cgroup are looked at first (a file each): a look at the kernel's markers reads
 * every named namespace. A text no lab can be named is no lab's.
 */
export async function labKnown(name: string, options: { pool?: Pool } = {}): Promise<boolean> {
  try {
    labName("lab", name);
  } catch {
    return false;
  }
  // A lock file no one holds is no lab: an apply killed before its first change leaves one (destroy asked to confirm
  // destroying a lab that had nothing).
  if (existsSync(`${LOCK_DIR}/${name}`) || lockHeld(name)) return true;
  const programs = labGroup(name);
  if (programs !== null && populated(programs)) return true;
  return (await runningLabs(options)).includes(name);
}
