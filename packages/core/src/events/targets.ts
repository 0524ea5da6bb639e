/** What a watch is asked to watch, checked and turned into what the listener opens. */
import { shown, ValidationError } from "../errors.js";
import { DEFAULT_NETNS_DIR, type NsProvider, nsPath } from "../namespace/providers.js";
import { existingNsProvider } from "../validate/providers.js";
import { readError, record } from "../validate/shape.js";
import { absolutePath } from "../validate/validate.js";
import type { WatchTarget } from "./protocol.js";
import { WATCH_GROUPS, type WatchGroup } from "./types.js";

/** One namespace, a list, or every named namespace of a mount dir (default /run/netns), including ones created later. */
export type WatchTargets = NsProvider | readonly NsProvider[] | { named: true; dir?: string };

export function isNamed(t: WatchTargets): t is { named: true; dir?: string } {
  try {
    return typeof t === "object" && t !== null && "named" in t;
  } catch (err) {
    // A Proxy's `has` trap.
    throw readError("targets", err);
  }
}

/** How events name the namespace `name` of the mount dir `dir`: by its name, with its dir if not the default. */
export function namedLabel(dir: string, name: string): string {
  return dir === DEFAULT_NETNS_DIR ? name : `${dir}/${name}`;
}

/** How events name a namespace: a named one by its name (its dir too, if not the default), any other by its path. */
function labelOf(p: NsProvider): string {
  if (p.kind === "name") return namedLabel(p.dir, p.name);
  return nsPath(existingNsProvider("", p), process.pid);
}

/** A provider of an existing namespace as the listener's target; `field` names it in errors. */
export function targetOf(field: string, p: NsProvider, list: boolean): WatchTarget {
  const checked = existingNsProvider(field, p);
  return { label: labelOf(checked), path: nsPath(checked, process.pid), provider: checked, list };
}

/** The providers of a one-namespace or list target. */
export function providerTargets(targets: NsProvider | readonly NsProvider[], list: boolean): WatchTarget[] {
  if (!Array.isArray(targets)) return [targetOf("provider", targets as NsProvider, list)];
  try {
    return (targets as readonly NsProvider[]).map((p, i) => targetOf(`providers[${i}]`, p, list));
  } catch (err) {
    // A Proxy of an array may throw on reading an element, or its length.
    throw readError("providers", err);
  }
}

/** The mount dir of a `{ named: true }` target, checked; a hand-built `{ named: false }` is refused, not taken for every namespace. */
export function namedDir(targets: { named: true; dir?: string }): string {
  try {
    const { named, dir } = record("targets", targets, ["named", "dir"]);
    if (named !== true) throw new ValidationError("targets.named", `must be true, got ${shown(named)}`);
    return absolutePath("targets.dir", dir ?? DEFAULT_NETNS_DIR);
  } catch (err) {
    throw readError("targets", err);
  }
}

export function checkGroups(groups: unknown): WatchGroup[] {
  if (groups === undefined) return [...WATCH_GROUPS];
  if (!Array.isArray(groups)) throw new ValidationError("options.groups", `must be an array of ${WATCH_GROUPS.join(", ")}`);
  return groups.map((g, i) => {
    if (!WATCH_GROUPS.includes(g))
      throw new ValidationError(`options.groups[${i}]`, `must be one of ${WATCH_GROUPS.join(", ")}, got ${shown(g)}`);
    return g as WatchGroup;
  });
}
