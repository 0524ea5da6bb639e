/**
 * Which of a node's `exec` commands an apply runs. A node whose namespace
 * this apply makes runs them all: what ran in a namespace that is gone does
 * not count. One that exists runs the entries the record (exec-record.ts)
 * does not list, in the file's order: each entry is recorded as it succeeds,
 * so after one that failed (its node's marker not yet "ready"), that one and
 * those after it; once they have all run, those added to the file, or
 * changed (a changed entry is a new one, and the old one is forgotten). An
 * entry is its argv: a changed timeout runs nothing again; the same command
 * given twice is two entries. Entries gone from the file are forgotten by the
 * record: nothing they did is undone. With no record of a ready node (a lab
 * made before records were kept, a record removed), nothing runs: the plan
 * says so, and apply records the file's commands as run; with none of a node
 * not ready, they all run, as on the apply that made it.
 */
import type { Change } from "./changes.js";
import type { ExecRecord } from "./exec-record.js";
import type { LiveNamespace } from "./live.js";
import type { TopologyExec, TopologyNode } from "./model.js";

export const ADDED = "added since the node's commands ran";
export const FORGOTTEN = "gone from the file: forgotten; nothing it did is undone";
export const UNRECORDED = "no record of which commands ran: taken as run, not run";

const key = (argv: readonly string[]) => JSON.stringify(argv);

/** The items of `list` not matched, one for one, by an equal item of `others` (each of `others` matches once). */
function unmatched<T extends { argv: readonly string[] }>(list: readonly T[], others: readonly (readonly string[])[]): T[] {
  const left = new Map<string, number>();
  for (const argv of others) left.set(key(argv), (left.get(key(argv)) ?? 0) + 1);
  return list.filter(({ argv }) => {
    const n = left.get(key(argv)) ?? 0;
    if (n > 0) left.set(key(argv), n - 1);
    return n === 0;
  });
}

/**
 * The exec changes of `node`: creates (commands to run, in the file's
 * order), and for a node that exists already, the record's changes (an
 * entry forgotten, or the node's commands taken as run for want of a record).
 * `ran`: the record's list for the node, undefined when it has none.
 */
export function execChanges(node: TopologyNode, live: LiveNamespace, ran: readonly (readonly string[])[] | undefined): Change[] {
  const at = { node: node.name, netns: node.netns };
  // A node that is not ready runs what is left of its file's commands: not added, but not yet run.
  const reason = live.owner?.ready ? { reason: ADDED } : {};
  const create = ({ argv, timeoutMs }: TopologyExec): Change => ({ op: "create", object: "exec", ...at, argv, timeoutMs, ...reason });
  if (live.owner === undefined || (!live.owner.ready && ran === undefined)) return node.exec.map(create);
  if (ran === undefined)
    return node.exec.map(({ argv, timeoutMs }) => ({ op: "update", object: "exec", ...at, argv, timeoutMs, reason: UNRECORDED }));
  const forgotten = unmatched(
    ran.map((argv) => ({ argv })),
    node.exec.map((e) => e.argv),
  );
  return [
    ...forgotten.map(({ argv }): Change => ({ op: "delete", object: "exec", ...at, argv: [...argv], reason: FORGOTTEN })),
    ...unmatched(node.exec, ran).map(create),
  ];
}

/**
 * What the record says of `node` once an apply's record-only changes are
 * made and before any of its commands run: its entries the plan does not run
 * (none for a node made now; those that ran for one not ready; all of them
 * for one taken as run).
 */
export function recordedBefore(node: TopologyNode, runs: readonly { argv: readonly string[] }[]): string[][] {
  return unmatched(
    node.exec,
    runs.map((r) => r.argv),
  ).map((e) => e.argv);
}

/**
 * `record` without the lists of the nodes whose namespace `changes` makes: written before that namespace is, so that
 * an apply that stops before its commands (a refused route, a kill) leaves a node not ready with nothing on record,
 * whose next apply runs them all. The same record when there is nothing to forget.
 */
export function forgetRemade(record: ExecRecord | undefined, changes: readonly Change[]): ExecRecord | undefined {
  const remade = changes.filter((c) => c.object === "netns" && c.op === "create" && (record?.get(c.node)?.length ?? 0) > 0);
  if (record === undefined || remade.length === 0) return record;
  const kept = new Map(record);
  for (const { node } of remade) kept.set(node, []);
  return kept;
}
