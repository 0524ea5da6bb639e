/**
 * Which of a node's `exec` commands an apply runs. A node made by this apply
 * (or one whose apply stopped before its commands had all run: its marker is
 * not yet "ready") runs them all. A node that exists already runs only the
 * entries the record (exec-record.ts) does not list: added to the file, or
 * changed (a changed entry is a new one, and the old one is forgotten). An
 * entry is its argv: a changed timeout runs nothing again; the same command
 * given twice is two entries. Entries gone from the file are forgotten by the
 * record: nothing they did is undone. With no record of the node (a lab made
 * before records were kept, a record removed), nothing runs: the plan says
 * so, and apply records the file's commands as run.
 */
import type { Change } from "./changes.js";
import type { LiveNamespace } from "./live.js";
import type { TopologyNode } from "./model.js";

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
  // Commands run once: on the apply that makes the node, or on the next one if that one stopped before they ran.
  if (!live.owner?.ready) return node.exec.map(({ argv, timeoutMs }) => ({ op: "create", object: "exec", ...at, argv, timeoutMs }));
  if (ran === undefined)
    return node.exec.map(({ argv, timeoutMs }) => ({ op: "update", object: "exec", ...at, argv, timeoutMs, reason: UNRECORDED }));
  const forgotten = unmatched(
    ran.map((argv) => ({ argv })),
    node.exec.map((e) => e.argv),
  );
  return [
    ...forgotten.map(({ argv }): Change => ({ op: "delete", object: "exec", ...at, argv: [...argv], reason: FORGOTTEN })),
    ...unmatched(node.exec, ran).map(
      ({ argv, timeoutMs }): Change => ({ op: "create", object: "exec", ...at, argv, timeoutMs, reason: ADDED }),
    ),
  ];
}

/**
 * What the record says of `node` once an apply's record-only changes are
 * made and before any of its commands run: its entries the plan does not run
 * (none for a node made now; all of them for one taken as run).
 */
export function recordedBefore(node: TopologyNode, runs: readonly { argv: readonly string[] }[]): string[][] {
  return unmatched(
    node.exec,
    runs.map((r) => r.argv),
  ).map((e) => e.argv);
}
