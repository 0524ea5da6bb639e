/**
 * For plan tests: a node's live state as readLive gives it once its apply
 * completed (its namespace `<topology>-<node>`, owned, commands run), with
 * `lo` (whose alias becomes the node's marker) first among its links.
 */
import type { Address, Link } from "@neslink/codec-wasm";
import type { LiveNamespace } from "./live.js";
import { marker } from "./marker.js";
import type { LiveRead } from "./plan.js";

export function ownedNode(topology: string, node: string, lo: Link, links: Link[], addresses: Address[] = []): [string, LiveNamespace] {
  return [
    node,
    {
      netns: `${topology}-${node}`,
      state: "owned",
      owner: { topology, node, ready: true },
      links: [{ ...lo, alias: marker(topology, node, true) }, ...links],
      addresses,
      routes: [],
      sysctls: {},
      processes: [],
    },
  ];
}

/**
 * What readLive reads with `lives` for the nodes: no stale namespace, stray or exec record, a host with no links, no
 * nsid told apart, and `more`.
 */
export function liveRead(lives: ReadonlyMap<string, LiveNamespace>, more: Partial<LiveRead> = {}): LiveRead {
  return {
    lives,
    stale: [],
    strays: [],
    hostLinks: new Map(),
    hostDump: [],
    hostMtus: new Map(),
    record: undefined,
    peers: new Map(),
    ...more,
  };
}
