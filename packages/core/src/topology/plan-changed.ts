/**
 * apply's `expected` plan: the one its caller showed someone, who said yes to
 * it. apply plans again once it holds the lab's lock (the kernel may have
 * changed while the question waited: another apply of the lab, a node deleted
 * by hand), and carries out only that plan: a different one was never agreed
 * to, so apply refuses it before any change.
 */
import { NeslinkError, ValidationError } from "../errors.js";
import { type Change, describeChange } from "./changes.js";
import type { Plan } from "./plan.js";

/** The plan apply made under the lab's lock is not the one its caller expected: nothing was changed. */
export class TopologyPlanChangedError extends NeslinkError {
  /** The changes the plan has now and the expected one had not, and those it had and has no longer, as a plan prints them. */
  readonly added: string[];
  readonly dropped: string[];
  constructor(topology: string, added: string[], dropped: string[]) {
    const lines = [...added.map((c) => `  now also: ${c}`), ...dropped.map((c) => `  no longer: ${c}`)];
    super(
      "ERR_TOPOLOGY_PLAN_CHANGED",
      `the plan for ${topology} changed since it was shown (the kernel changed meanwhile); nothing was changed:\n${lines.join("\n")}`,
    );
    this.added = added;
    this.dropped = dropped;
  }
  override toJSON() {
    return { ...super.toJSON(), added: this.added, dropped: this.dropped };
  }
}

/** `expected`'s changes as a plan prints them, checked before apply takes the lock. */
export function expectedChanges(topology: string, expected: Plan): string[] {
  if (typeof expected !== "object" || expected === null) throw new ValidationError("options.expected", "must be a plan");
  if (expected.topology !== topology)
    throw new ValidationError(
      "options.expected.topology",
      `is ${JSON.stringify(expected.topology)}, not this topology's name (${topology})`,
    );
  if (!Array.isArray(expected.changes)) throw new ValidationError("options.expected.changes", "must be an array");
  return expected.changes.map((c, i) => {
    try {
      return describeChange(c);
    } catch {
      throw new ValidationError(`options.expected.changes[${i}]`, "must be a change of a plan");
    }
  });
}

/**
 * Throws TopologyPlanChangedError unless `changes` are `expected` (in any order): compared as a plan prints them, which
 * is what was agreed to (a program to stop names its pids: one restarted meanwhile is another).
 */
export function assertPlanUnchanged(topology: string, expected: readonly string[], changes: readonly Change[]): void {
  const left = new Map<string, number>();
  for (const c of expected) left.set(c, (left.get(c) ?? 0) + 1);
  const added: string[] = [];
  for (const text of changes.map(describeChange)) {
    const n = left.get(text) ?? 0;
    if (n > 0) left.set(text, n - 1);
    else added.push(text);
  }
  const dropped = [...left].flatMap(([text, n]) => Array<string>(n).fill(text));
  if (added.length > 0 || dropped.length > 0) throw new TopologyPlanChangedError(topology, added, dropped);
}
