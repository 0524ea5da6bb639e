/**
 * `LAB:NODE` to the namespace that node runs in, found by the kernel's own
 * marker (the node's loopback alias), never by a state file: so
 * `neslink exec demo:h1 -- ping ...` reaches the node even if its file gave it
 * another namespace name, and never a namespace some other lab or tool owns.
 */
import * as na from "../actions/ns-actions.js";
import { NotFoundError, ValidationError } from "../errors.js";
import * as lp from "../links/providers.js";
import * as ns from "../namespace/providers.js";
import { defaultPool, nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { markedNamespaces, ownedNamespaces, parseMarker } from "./live.js";

/** Splits "LAB:NODE"; undefined for anything else (a plain namespace name has no colon). */
export function parseNodeRef(text: string): { topology: string; node: string } | undefined {
  const [topology, node, ...rest] = text.split(":");
  if (rest.length > 0 || topology === undefined || node === undefined) return undefined;
  if (topology === "" || node === "") throw new ValidationError("node", `"${text}" must be LAB:NODE, both parts non-empty`);
  return { topology, node };
}

async function markedAs(pool: Pool, netns: string, topology: string, node: string): Promise<boolean> {
  try {
    const {
      results: [lo],
    } = await nsDoOn(pool, ns.name(netns), na.getLink(lp.byName("lo")));
    const owner = parseMarker(lo.alias);
    return owner?.topology === topology && owner.node === node;
  } catch {
    // Not there, or not a namespace: not this node.
    return false;
  }
}

/**
 * The namespace name (under /run/netns) of `node` of the running lab
 * `topology`. The default name `<lab>-<node>` is tried first (one read);
 * otherwise every named namespace's marker is read. ERR_NS_NOT_FOUND if
 * no namespace is marked as that node.
 */
export async function locateNode(topology: string, node: string, options: { pool?: Pool } = {}): Promise<string> {
  const pool = options.pool ?? defaultPool();
  const guess = `${topology}-${node}`;
  if (await markedAs(pool, guess, topology, node)) return guess;
  const owned = await ownedNamespaces(pool, topology, new Set([guess]));
  const found = owned.find((o) => o.node === node);
  if (!found) throw new NotFoundError("namespace", `no running node ${node} of topology ${topology}`);
  return found.netns;
}

/** The names of the labs that have at least one node running, sorted. */
export async function runningLabs(options: { pool?: Pool } = {}): Promise<string[]> {
  const marked = await markedNamespaces(options.pool ?? defaultPool());
  return [...new Set(marked.map((m) => m.topology))].sort();
}
