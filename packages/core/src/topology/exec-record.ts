/**
 * The record of which `exec` commands of each node have run:
 * /run/neslink/topologies/<lab>/.exec-record.json, beside its programs' logs
 * (a node's directory there cannot be named so: a node's name begins with a
 * letter or digit). Ownership never comes from it (that is the loopback's
 * marker, in the kernel): it only says which commands a node that exists
 * already ran, so that an entry added to the file runs and the others do not
 * run again. It goes with the lab (destroy removes the lab's directory).
 *
 * Someone else may have put anything in its place (see lab-file.ts). A record that
 * cannot be read as one this code wrote is taken as missing: plan says so,
 * and nothing runs again.
 */
import { NeslinkError } from "../errors.js";
import { readRegularFile } from "../files/regular.js";
import { writeLabFile } from "./lab-file.js";
import { LOCK_DIR } from "./lock.js";

/** Node name -> the argv of each of its commands that ran (a multiset: order is the file's, not significant). */
export type ExecRecord = ReadonlyMap<string, readonly (readonly string[])[]>;

const VERSION = 1;

/** A record is as large as the commands of a file (at most 16 MB) with JSON's escapes: a larger one is not one of ours. */
const MAX_RECORD_BYTES = 64 << 20;

export function recordPath(topology: string): string {
  return `${LOCK_DIR}/${topology}/.exec-record.json`;
}

const isArgv = (x: unknown): x is string[] => Array.isArray(x) && x.length > 0 && x.every((w) => typeof w === "string");

/** The record at `path`, or undefined when there is none this code could have written. */
export function readRecord(path: string): ExecRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readRegularFile("record", path, { maxBytes: MAX_RECORD_BYTES, follow: false }).toString("utf8"));
  } catch {
    return undefined;
  }
  const { version, nodes } = (value ?? {}) as { version?: unknown; nodes?: unknown };
  if (version !== VERSION || typeof nodes !== "object" || nodes === null || Array.isArray(nodes)) return undefined;
  const record = new Map<string, string[][]>();
  for (const [node, ran] of Object.entries(nodes)) {
    if (!Array.isArray(ran) || !ran.every(isArgv)) return undefined;
    record.set(node, ran);
  }
  return record;
}

/** Replaces the record at `path` with `record`, in one rename: a reader sees the old one or the new one. */
export function writeRecord(path: string, record: ExecRecord): void {
  try {
    writeLabFile(path, JSON.stringify({ version: VERSION, nodes: Object.fromEntries(record) }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EIO";
    throw new NeslinkError(code as "EIO", `cannot write the record of the exec commands that ran, ${path}: ${code}`, { cause: err });
  }
}
