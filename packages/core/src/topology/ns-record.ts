/**
 * The record of a lab's namespaces: /run/neslink/topologies/<lab>/.ns-record.json,
 * each namespace's entry name, node and kernel id (NS_GET_ID: unique for the
 * boot, never reused, unlike an nsfs inode), and whether its node holds links
 * on host links (a vxlan or macvlan). Apply writes it with the ids read
 * from the namespaces it made or read its marker in, through the descriptor
 * that task used, not the name again (a name can be given to another
 * namespace in between).
 *
 * It only spares destroy the read of each namespace's marker: a namespace at
 * a recorded name with the recorded id is the lab's for certain, and one with
 * another lab's recorded id is not. Anything else (no record, an id that does
 * not match, a kernel without NS_GET_ID) is read as before. A node with host
 * links is read all the same, so that they are deleted before its unmount.
 *
 * It also lists the entry names the lab's namespaces have or had that may
 * still be there (`entries`): an apply writes those it is about to make or
 * remove before it touches any. A process killed between making an entry and
 * mounting a namespace on it (or between an unmount and the unlink) leaves an
 * empty file that no mark names, and destroy by the lab's name finds it here
 * whatever `netns` its node gave (a node's default name, `<lab>-<node>`, it
 * would guess; any other it could not).
 *
 * Trust. A record is read only if it is a regular file, reached through no
 * symlink, in the lab's directory, both this user's and writable by no one
 * else, and written this boot (/run is a tmpfs; the boot id is checked all
 * the same). Whoever can write such a file is root, or this user: they can
 * delete any namespace (`ip netns del`) themselves, so a record forged to
 * name a foreign namespace's id makes destroy do nothing they could not.
 * A record anyone else could have written is ignored: destroy reads markers.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { isNsId } from "../validate/validate.js";
import { readOwnLabFile, writeLabFile } from "./lab-file.js";
import { LOCK_DIR } from "./lock.js";

export interface RecordedNs {
  node: string;
  /** NS_GET_ID, in decimal. */
  id: string;
  /** The node has links on host links (vxlan, macvlan): destroy reads it, to delete them first. */
  hostBound: boolean;
}

export interface NsRecord {
  /** Entry name (in /run/netns) -> what the lab recorded of the namespace there. */
  namespaces: ReadonlyMap<string, RecordedNs>;
  /**
   * The entry names the lab may have in the mount dir, mounted or left empty by a killed run: its nodes' after the
   * last apply that ended, and any an apply since was about to make or remove. None in a record written before
   * neslink kept them.
   */
  entries: readonly string[];
}

const VERSION = 1;
const FILE = ".ns-record.json";
/** A lab has at most as many namespaces as a file of 16 MB has nodes: a larger record is not one of ours. */
const MAX_RECORD_BYTES = 64 << 20;

export function nsRecordPath(topology: string): string {
  return `${LOCK_DIR}/${topology}/${FILE}`;
}

let bootId: string | undefined;
/** This boot's id: a record of another boot names ids that mean nothing now. */
function thisBoot(): string {
  bootId ??= readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  return bootId;
}

/** The record in `text`, or undefined if it is not one this code wrote this boot. */
export function parseNsRecord(text: string, boot: string = thisBoot()): NsRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const {
    version,
    boot: written,
    namespaces,
    entries = [],
  } = (value ?? {}) as { version?: unknown; boot?: unknown; namespaces?: unknown; entries?: unknown };
  if (version !== VERSION || written !== boot || typeof namespaces !== "object" || namespaces === null || Array.isArray(namespaces))
    return undefined;
  // Each made a path only once checked to be a namespace name (a dir listing's, or by apply): a record can be large.
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === "string")) return undefined;
  const record = new Map<string, RecordedNs>();
  for (const [netns, entry] of Object.entries(namespaces)) {
    const { node, id, hostBound } = (entry ?? {}) as Partial<Record<keyof RecordedNs, unknown>>;
    if (typeof node !== "string" || !isNsId(id) || typeof hostBound !== "boolean") return undefined;
    record.set(netns, { node, id, hostBound });
  }
  return { namespaces: record, entries };
}

export function formatNsRecord(record: NsRecord, boot: string = thisBoot()): string {
  return JSON.stringify({ version: VERSION, boot, namespaces: Object.fromEntries(record.namespaces), entries: record.entries });
}

/** `topology`'s record, or undefined when there is none it can trust (see above). */
export function readNsRecord(topology: string): NsRecord | undefined {
  const text = readOwnLabFile(nsRecordPath(topology), MAX_RECORD_BYTES);
  return text === undefined ? undefined : parseNsRecord(text);
}

/** Replaces `topology`'s record; a failure only loses what it would have saved, and is not one of the caller's. */
export function writeNsRecord(topology: string, record: NsRecord): void {
  const path = nsRecordPath(topology);
  try {
    writeLabFile(path, formatNsRecord(record));
  } catch {
    // Without one destroy reads every marker, as it did before there were records; an old one could miss a node's new host links.
    try {
      rmSync(path, { force: true });
    } catch {}
  }
}

/**
 * The ids other labs recorded, by entry name: what destroy of `topology` may leave unread. A name two records give
 * different ids is left out (read, then).
 */
export function othersRecorded(topology: string): Map<string, string> {
  const ids = new Map<string, string>();
  const conflicting = new Set<string>();
  let labs: string[];
  try {
    labs = readdirSync(LOCK_DIR, { withFileTypes: true }).flatMap((e) => (e.isDirectory() && e.name !== topology ? [e.name] : []));
  } catch {
    return ids;
  }
  for (const lab of labs) {
    for (const [netns, { id }] of readNsRecord(lab)?.namespaces ?? []) {
      const had = ids.get(netns);
      if (had !== undefined && had !== id) conflicting.add(netns);
      ids.set(netns, id);
    }
  }
  for (const netns of conflicting) ids.delete(netns);
  return ids;
}
