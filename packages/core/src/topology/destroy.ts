/**
 * topology.destroy: removes every namespace marked as one of the topology's
 * nodes — found in the kernel, so it works without the file and after a
 * crash — and nothing else; returns once nothing of them is left to meet:
 * namespaces unmounted (no link of theirs left that reaches outside them;
 * their own links go with them), processes ended (its programs found by their
 * cgroup, even those whose namespace was deleted by hand), its programs' logs
 * removed.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import type { Link } from "@neslink/codec-wasm";
import * as la from "../actions/link-actions.js";
import type { DeletedNs, NsAction } from "../actions/ns-actions.js";
import * as na from "../actions/ns-actions.js";
import { AbortedError, ValidationError } from "../errors.js";
import * as lp from "../links/providers.js";
import { entryState } from "../namespace/entry.js";
import { removeLeftovers } from "../namespace/leftovers.js";
import { entryNames } from "../namespace/list.js";
import * as ns from "../namespace/providers.js";
import { DEFAULT_NETNS_DIR } from "../namespace/providers.js";
import { defaultPool, nsDoOn, runOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { at, list, readError, record } from "../validate/shape.js";
import { isNamespaceName, namespaceName } from "../validate/validate.js";
import { labGroup, ownerOf } from "./cgroup.js";
import { NODE_KEYS, notFileShaped, TOPOLOGY_KEYS } from "./check.js";
import { straysOf } from "./live.js";
import { LOCK_DIR, lockTopology } from "./lock.js";
import { markerPrefix, parseMarker } from "./marker.js";
import type { Topology } from "./model.js";
import { type NsRecord, othersRecorded, readNsRecord } from "./ns-record.js";
import { topologyOptions } from "./options.js";
import { endProcesses } from "./processes.js";
import { labName } from "./shape.js";
import { NAMESPACE_WEIGHT, shareOut } from "./shares.js";
import { isGone, LAB_GROUP, type LinkLeft, leftWith } from "./teardown.js";

/** Said once, just before destroy's first change (a namespace unmounted, a program ended, a file removed). */
export type DestroyEvent = { type: "phase"; phase: "remove" };

export interface DestroyOptions {
  pool?: Pool;
  /** Called with each progress event. What it throws stops the destroy before its first change, as it is. */
  onProgress?: (event: DestroyEvent) => void;
  /**
   * Aborted before destroy's first change (while it reads the lab, up to its event), destroy makes none and rejects
   * with an AbortedError: it rejects with one only then, so one says nothing of the lab was changed (and no lock file
   * is left of a lab with no record). Aborted from its event on, it is not heeded: the destroy runs on to its end.
   */
  signal?: AbortSignal;
}

export interface DestroyResult {
  topology: string;
  /** The namespaces removed, with the node each was. */
  removed: { node: string; netns: string }[];
  /**
   * What was left of the lab besides its nodes' namespaces, and cleaned up: what a destroy or apply cut short (Ctrl-C,
   * a kill) leaves, or a node deleted by hand. A destroy run again after an interrupted one may remove no namespace
   * and still do all of this.
   */
  leftovers: DestroyLeftovers;
  /**
   * Links of the removed nodes that destroy deletes first (those not made to go with their namespace) and the kernel
   * refused to delete (EOPNOTSUPP: a device with no rtnetlink delete, such as a physical NIC or VF moved into a node
   * by hand): left to go with their namespace. The kernel moves such a device back to the host's namespace as it
   * destroys the node's. Each by the node and namespace it was in, and its name there as `dev` (a link named from
   * elsewhere, as a route's or an inspected peer's).
   */
  linksLeft: LinkLeft[];
  ms: number;
}

export interface DestroyLeftovers {
  /** Namespaces of the lab's record that no name led to any more, held alive by processes inside: those ended. */
  namespaces: { node: string; netns: string; processes: number }[];
  /** Entries in the mount dir with no namespace mounted on them, removed: each by its name, as `removed` names a namespace. */
  entries: { netns: string }[];
  /** Host links an apply of an earlier version left (made there, not yet moved into their node), removed: each by its name there. */
  links: { dev: string }[];
  /**
   * The lab's record and its programs' logs (/run/neslink/topologies/LAB/) were removed with no namespace of the lab
   * to remove (with one, they go as part of it).
   */
  record: boolean;
  /**
   * The lab's programs found by its cgroup alone, in none of the namespaces above nor of those removed (a node
   * deleted by hand that the lab's record does not list, a program that went into another namespace), ended: by node
   * and program (null: what the node's exec commands started), with how many processes each had there.
   */
  programs: { node: string; program: string | null; processes: number }[];
}

/** The namespaces `byId` (NS_GET_ID -> processes ended inside) names, by the name and node the lab's record gives each. */
function heldNamespaces(record: NsRecord | undefined, byId: ReadonlyMap<string, number>): DestroyLeftovers["namespaces"] {
  return [...(record?.namespaces ?? [])].flatMap(([netns, { node, id }]) => {
    const processes = byId.get(id);
    return processes === undefined ? [] : [{ node, netns, processes }];
  });
}

/** The lab's programs `outside` (cgroup directory -> processes ended there, as endProcesses gives them) names, by node and program. */
function programsOutside(lab: string, outside: ReadonlyMap<string, number>): DestroyLeftovers["programs"] {
  const found = new Map<string, DestroyLeftovers["programs"][number]>();
  for (const [dir, processes] of outside) {
    const owner = ownerOf(lab, dir);
    if (owner === undefined) continue;
    const key = JSON.stringify(owner);
    const seen = found.get(key);
    if (seen) seen.processes += processes;
    else found.set(key, { ...owner, processes });
  }
  return [...found.values()].sort((a, b) => a.node.localeCompare(b.node) || (a.program ?? "").localeCompare(b.program ?? ""));
}

/**
 * Deletes every named namespace marked as a node of `topology`, in one task
 * per worker, each with its share of the entries (the reads are most of the
 * work, and each worker is a thread of its own; shares.ts weighs them by the
 * links the file gives each node): each entry's marker is read and, if it is
 * the lab's, its links that reach outside it (see LAB_GROUP) are deleted and
 * its unmount started, in one step, so nothing can take its name in between
 * and the checks overlap the unmounts. An entry whose namespace has the id a
 * record gives it (ns-record.ts) needs no read: the lab's own (a node
 * without host links, and to which the host's namespace gives no nsid) is
 * unmounted at once, another lab's left alone. The host gives an nsid to each
 * namespace a host link points into, and to each it moves a device into,
 * such as a NIC the kernel will not delete (to be said in linksLeft): those
 * are read. One RTM_GETNSID a node: ~60 µs of CPU each over a 200-node
 * destroy, where reading every node's links cost 120 to 210 µs each. Everything else in the mount dir is left
 * as it is. A worker reads the host's links first, in the caller's namespace,
 * for the strays and the links pointing into a node: a worker's codec is
 * compiled, where this thread's may never have been used (~5 ms of CPU), and
 * no namespace has been let go yet (a read waits for the RTNL lock, which the
 * kernel holds in long stretches while it destroys namespaces).
 */
async function deleteOwned(
  pool: Pool,
  topology: Target | string,
  names: readonly string[],
  record: NsRecord | undefined,
  beforeChanges: () => void,
): Promise<{ deleted: DeletedNs[]; hostLinks: Link[] }> {
  // Without the file, nothing tells the nodes apart: equal shares.
  const links = new Map(typeof topology === "string" ? [] : topology.nodes.map((n) => [n.netns, n.interfaces]));
  const shares = shareOut(names, (entry) => NAMESPACE_WEIGHT + (links.get(entry) ?? 0), pool.size);
  const lab = typeof topology === "string" ? topology : topology.name;
  // Read before the checks, not beside them: its dump gives an nsid to each namespace a host link points into (a
  // veth's far end, made by hand after the record), which the checks then ask for.
  const hostLinks = (await runOn(pool, ns.now(), [na.links()], { anyWorker: true })).results[0] as Link[];
  const tasks = names.length === 0 ? [] : guarded(lab, shares, record, othersRecorded(lab));
  beforeChanges();
  const done = await Promise.all(tasks.map((actions) => runOn(pool, ns.now(), actions, { anyWorker: true })));
  return { deleted: done.flatMap(({ results }) => results.filter((r): r is DeletedNs => r !== null)), hostLinks };
}

/**
 * The guarded deletions of each share's entries, each with the ids recorded at its name: the lab's own (but for a
 * node with host links, read to delete them first) and another lab's.
 */
function guarded(
  topology: string,
  shares: readonly (readonly string[])[],
  record: NsRecord | undefined,
  others: ReadonlyMap<string, string>,
): NsAction[][] {
  // Checked once, then given each name (each a namespace name already): hundreds of identical checks were on the way to the first unmount.
  const template = na.deleteNamed(shares[0]?.[0] as string, DEFAULT_NETNS_DIR, {
    loAliasPrefix: markerPrefix(topology),
    keepGroup: LAB_GROUP,
  });
  return shares.map((share) =>
    share.map((name) => {
      const own = record?.namespaces.get(name);
      const foreignId = others.get(name);
      return {
        ...template,
        name,
        ...(own !== undefined && !own.hostBound && { ownId: own.id, ownUnlessPeered: true }),
        ...(foreignId !== undefined && { foreignId }),
      };
    }),
  );
}

/**
 * The entries that may be `lab`'s nodes under their default names
 * (`<lab>-<node>`): not those of another lab whose name begins the same way
 * (`<lab>-b-<node>` is lab `<lab>-b`'s while that lab has its lock file, as
 * an apply killed part-way leaves it).
 */
function defaultNamed(lab: string, entries: Iterable<string>): string[] {
  const locks = existsSync(LOCK_DIR) ? readdirSync(LOCK_DIR) : [];
  const others = locks.filter((f) => f.startsWith(`${lab}-`) && f.endsWith(".lock")).map((f) => `${f.slice(0, -".lock".length)}-`);
  return [...entries].filter((e) => e.startsWith(`${lab}-`) && !others.some((other) => e.startsWith(other)));
}

/**
 * The recorded ids of the lab's namespaces that no name leads to now, and that this destroy did not delete: a
 * destroy killed after their unmount (or an `ip netns del` by hand) left the processes inside them running (only
 * programs are found by their cgroup), and the namespaces with them. An entry with a namespace mounted is left as it
 * is: whatever is there was not found to be the lab's.
 */
function unmountedIds(record: NsRecord | undefined, deleted: readonly DeletedNs[]): Set<string> {
  const done = new Set(deleted.map((d) => d.name));
  const ids = new Set<string>();
  for (const [name, { id }] of record?.namespaces ?? [])
    if (!done.has(name) && entryState(`${DEFAULT_NETNS_DIR}/${name}`).kind !== "namespace") ids.add(id);
  return ids;
}

/** What destroy reads of a Topology it is given: the lab's name, and each node's entry name and interface count. */
interface Target {
  name: string;
  nodes: { netns: string; interfaces: number }[];
}

/**
 * Those fields of `given`, checked and copied at once (nothing changed in it later is read), and its and its nodes'
 * keys (a field no topology has is refused, as everywhere); not the rest, which says what to build and destroy does
 * not read (the whole file's check and copy was ~12 ms at 1000 nodes). Its namespaces are found by their marks; the
 * nodes' names only find a cut-short run's empty entries.
 */
function targetOf(given: Topology): Target {
  // A getter or Proxy trap that throws is refused as bad input, as apply and plan refuse it, not passed on as is.
  try {
    const { name, nodes } = record("topology", given, TOPOLOGY_KEYS);
    notFileShaped("topology.nodes", nodes);
    return {
      name: labName("topology.name", name),
      nodes: list("topology.nodes", nodes, (field, node) => {
        try {
          const { netns, interfaces } = record(field, node, NODE_KEYS);
          if (!Array.isArray(interfaces)) throw new ValidationError(at(field, "interfaces"), "must be an array");
          return { netns: namespaceName(at(field, "netns"), netns), interfaces: interfaces.length };
        } catch (err) {
          throw readError(field, err);
        }
      }),
    };
  } catch (err) {
    throw readError("topology", err);
  }
}

/** Destroys a topology given as a loaded Topology or by its name. */
export async function destroy(given: Topology | string, options: DestroyOptions = {}): Promise<DestroyResult> {
  const topology = typeof given === "string" ? labName("topology", given) : targetOf(given);
  const started = performance.now();
  const name = typeof topology === "string" ? topology : topology.name;
  const checked = topologyOptions(options, ["pool", "onProgress", "signal"]) as DestroyOptions;
  const pool = checked.pool ?? defaultPool();
  let begun = false;
  // Checked with no await before the first change: aborted by then, nothing of the lab was changed.
  const beforeChanges = () => {
    if (checked.signal?.aborted) throw new AbortedError(new Error(`nothing of ${name} was changed`));
    checked.onProgress?.({ type: "phase", phase: "remove" });
    begun = true;
  };
  const lock = lockTopology(name);
  let record: NsRecord | undefined;
  let gone = false;
  try {
    // A name neslink does not take is no node of a lab (made by hand, as `ip netns add "a b"` can): left alone.
    const listed = entryNames(DEFAULT_NETNS_DIR).filter(isNamespaceName);
    record = readNsRecord(name);
    const { deleted, hostLinks } = await deleteOwned(pool, typeof topology === "string" ? name : topology, listed, record, beforeChanges);
    // Unmounted, a namespace lives on while a process is inside: its programs end now.
    const programs = labGroup(name);
    // Let go by the deletions, a namespace without a process is freed, and its inode is the next namespace's: its id tells them apart.
    const inodes = new Map(deleted.flatMap((d) => (d.ino === undefined ? [] : [[d.ino, d.id] as const])));
    const ended = await endProcesses({ inodes, ids: unmountedIds(record, deleted) }, programs === null ? [] : [programs]);
    // A destroy killed between an unmount and its unlink, or an apply killed between making an entry and mounting on it
    // (Ctrl-C), leaves the empty file: the record lists the entries the lab's applies made or were about to; given
    // the file, its nodes' names are known too; given the name, the default ones (`<lab>-<node>`: a record written
    // before records listed entries has none). Such a file was there before this destroy began (the lock keeps out
    // any other of the lab's), and was not removed by it; one another lab is creating a namespace on right now is
    // locked, and left alone; one a delete of the node (`ns del`) has just emptied is waited for, and is then gone.
    const left = new Set(listed);
    for (const d of deleted) left.delete(d.name);
    const known = typeof topology === "string" ? defaultNamed(name, left) : topology.nodes.map((n) => n.netns);
    const entries = new Set([...known, ...(record?.entries ?? []), ...(record?.namespaces.keys() ?? [])]);
    const emptied = await removeLeftovers([...entries].filter((entry) => left.has(entry)));
    // What an apply of an earlier version killed between making a vxlan or macvlan in the host and moving it into its node left there.
    for (const link of straysOf(name, hostLinks))
      await nsDoOn(pool, ns.now(), na.link(lp.byIndex(link.index), la.remove())).catch((err) =>
        isGone(err) ? undefined : Promise.reject(err),
      );
    const recorded = existsSync(`${LOCK_DIR}/${name}`);
    rmSync(`${LOCK_DIR}/${name}`, { recursive: true, force: true });
    const removed = deleted.map((d) => ({
      node: parseMarker(d.loAlias ?? null)?.node ?? record?.namespaces.get(d.name)?.node ?? "",
      netns: d.name,
    }));
    const linksLeft = deleted.flatMap((d, i) => leftWith(d, removed[i]?.node ?? ""));
    const leftovers = {
      namespaces: heldNamespaces(record, ended.byId),
      entries: emptied.map((netns) => ({ netns })),
      links: straysOf(name, hostLinks).map((l) => ({ dev: l.name })),
      record: recorded && deleted.length === 0,
      programs: programs === null ? [] : programsOutside(programs, ended.outside),
    };
    gone = true;
    return { topology: name, removed, leftovers, linksLeft, ms: Math.round(performance.now() - started) };
  } finally {
    // Nothing of the lab is left, its lock file included; a destroy that failed keeps it, as the lab. One stopped before
    // its first change of a lab with no record leaves none either, as apply's: the file alone was taken for a lab.
    if (gone || (!begun && record === undefined)) lock.remove();
    else lock.release();
  }
}
