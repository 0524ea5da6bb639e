/**
 * What a lab's new vxlan or macvlan meets in the host namespace, outside the
 * file, that the kernel refuses it for. Apply makes them after the lab's
 * namespaces and veths, so the kernel's refusal came part-way, with those
 * left made; plan and apply judge them instead from the host's links as they
 * dump them anyway (where the parents are found: no read more), and refuse
 * the file at the field at fault before any change (each rule shown with
 * iproute2 in topology-host-clash.test.ts):
 * - a vxlan made in the host (its socket there) of the same id, UDP port and
 *   address family (and parent, for an IPv6 link-local address): EEXIST;
 * - a macvlan on the loopback (EINVAL), on a bridge's port (EBUSY: the
 *   bridge holds it), next to a passthru macvlan (EINVAL: passthru hands the
 *   parent over to one), or a passthru one next to any (EINVAL), or one up
 *   with the MAC of its parent or of an up macvlan on it (EADDRINUSE). A
 *   macvlan made on a macvlan is made on that one's parent: the same rules
 *   hold.
 * Only what lives in the host is seen: a vxlan or macvlan made from the host
 * and moved out (another lab's) is still the kernel's alone to refuse, and so
 * is a vxlan of the same id whose own flags (gbp, external) set it apart.
 */
import type { Link } from "@neslink/codec-wasm";
import { type Change, createsLink } from "./changes.js";
import { VXLAN_DEFAULT_PORT, vniKey } from "./host-made-rules.js";
import { loadedFrom } from "./loaded.js";
import type { Topology, TopologyInterface } from "./model.js";
import type { LiveRead } from "./plan.js";
import { type Path, Problems, TopologyError } from "./problems.js";

const IFF_LOOPBACK = 0x8;

/** The host's links a lab's link is judged against, as one dump lists them. */
interface HostView {
  byIndex: ReadonlyMap<number, Link>;
  /** Those the host made itself (no IFLA_LINK_NETNSID: their parent and socket are the host's). */
  own: readonly Link[];
}

/** The link a macvlan on `parent` sits on: the kernel makes one on a macvlan on that one's parent. */
function lowerOf(host: HostView, parent: Link): Link {
  if (parent.kind !== "macvlan" || parent.linkNetnsid !== null || parent.parentIndex === null) return parent;
  return host.byIndex.get(parent.parentIndex) ?? parent;
}

/** Records what the host refuses of `iface`, a macvlan on `parent`, at `path`. */
function checkMacvlan(problems: Problems, path: Path, host: HostView, parent: Link, iface: TopologyInterface): void {
  const mode = iface.macvlan?.mode;
  const lower = lowerOf(host, parent);
  const via = lower === parent ? "" : ` (macvlan "${parent.name}" is on it)`;
  if ((lower.flags & IFF_LOOPBACK) !== 0) {
    problems.add([...path, "parent"], `host link "${lower.name}"${via} is the loopback: the kernel makes no macvlan on it (EINVAL)`);
    return;
  }
  const master = lower.masterIndex === null ? undefined : host.byIndex.get(lower.masterIndex);
  if (master?.kind === "bridge") {
    problems.add(
      [...path, "parent"],
      `host link "${lower.name}"${via} is a port of bridge "${master.name}", which holds it: the kernel makes no macvlan on it (EBUSY); give the bridge, or take "${lower.name}" out of it`,
    );
    return;
  }
  const others = host.own.filter((l) => l.kind === "macvlan" && l.parentIndex === lower.index);
  const passthru = others.find((l) => l.macvlan?.mode === "passthru");
  if (passthru !== undefined) {
    problems.add(
      [...path, "parent"],
      `host link "${lower.name}"${via} has passthru macvlan "${passthru.name}", which takes it whole: the kernel refuses another macvlan on it (EINVAL)`,
    );
  } else if (mode === "passthru" && others.length > 0) {
    problems.add(
      [...path, "mode"],
      `a passthru macvlan must be the only macvlan on its parent, and host link "${lower.name}"${via} has ${others.map((l) => `"${l.name}"`).join(", ")}: the kernel refuses it (EINVAL)`,
    );
  } else if (mode !== "passthru" && iface.up && iface.mac !== undefined) {
    // Brought up, it takes its MAC on the parent: one the parent or an up macvlan of it has is taken.
    const holder = [lower, ...others.filter((l) => l.up)].find((l) => l.mac === iface.mac);
    if (holder !== undefined)
      problems.add(
        [...path, "mac"],
        `${iface.mac} is the MAC of host link "${holder.name}"${holder === lower ? via : `, a macvlan on "${lower.name}"`}: the kernel refuses a macvlan up with a MAC taken on its parent (EADDRINUSE); give another`,
      );
  }
}

/** Throws a TopologyError for each vxlan and macvlan `changes` make that the host's links, as `read` found them, refuse. */
export function assertNoHostClashes(
  given: unknown,
  topology: Topology,
  changes: readonly Change[],
  read: Pick<LiveRead, "hostLinks" | "hostDump" | "strays">,
): void {
  const made = changes.filter((c) => createsLink(c, "vxlan", "macvlan"));
  if (made.length === 0) return;
  const from = loadedFrom(given);
  const problems = new Problems(from?.locate);
  const { hostLinks, hostDump, strays } = read;
  // Those the apply deletes first.
  const leaving = new Set(strays.map((l) => l.index));
  const own = hostDump.filter((l) => l.linkNetnsid === null && !leaving.has(l.index));
  const host: HostView = { byIndex: new Map(hostDump.map((l) => [l.index, l])), own };
  const vnis = new Map(own.flatMap((l) => (l.vxlan === undefined ? [] : [[vniKey(l.vxlan, l.vxlan.parentIndex), l] as const])));
  for (const c of made) {
    const iface = topology.nodes.find((n) => n.name === c.node)?.interfaces.find((i) => i.name === c.name);
    if (iface === undefined) continue;
    const path: Path = ["nodes", c.node, "interfaces", c.name];
    if (iface.vxlan !== undefined) {
      const { parent, id, port } = iface.vxlan;
      const taken = vnis.get(vniKey(iface.vxlan, parent === undefined ? undefined : hostLinks.get(parent)));
      if (taken !== undefined)
        problems.add(
          [...path, "id"],
          `host link "${taken.name}" is a vxlan of the same id ${id} and port ${port ?? VXLAN_DEFAULT_PORT}: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses this one (EEXIST); give another id or port, or delete "${taken.name}"`,
        );
    }
    const parentIndex = iface.macvlan === undefined ? undefined : hostLinks.get(iface.macvlan.parent);
    const parent = parentIndex === undefined ? undefined : host.byIndex.get(parentIndex);
    if (parent !== undefined) checkMacvlan(problems, path, host, parent, iface);
  }
  if (problems.list.length > 0) throw new TopologyError(problems.list, from?.label);
}
