/**
 * What the kernel refuses of a lab's vxlans and macvlans that the file alone
 * shows, refused by load with the field at fault rather than by apply once it
 * made the lab's namespaces (each claim shown with iproute2 in
 * topology-host-made-refusals.test.ts):
 * - a vxlan's addresses, by the rules core's own lp.newVxlan holds them to
 *   (remote with group, families that differ, a multicast remote or local);
 * - two vxlans the kernel keeps one of: it refuses a second with the same id,
 *   UDP port and address family in the namespace that makes them (EEXIST), and
 *   a lab's are all made in the host's, whatever their node or parent (the
 *   parent tells them apart only for an IPv6 link-local remote);
 * - a passthru macvlan next to another macvlan on the same parent (EINVAL:
 *   passthru hands the parent over to one macvlan).
 * What the host already has (a vxlan of that id, a macvlan made by hand on the
 * parent) is judged by plan and apply, which read the host: see host-clash.ts.
 */
import { ValidationError } from "../errors.js";
import * as net from "../validate/net.js";
import { vxlan as vxlanOptions } from "../validate/providers.js";
import { groupBy } from "./group-by.js";
import type { TopologyInterface } from "./model.js";
import { formatPath, type Path, type Problems } from "./problems.js";

/** The UDP port of a vxlan made without one: the kernel's default (IANA's is 4789). */
export const VXLAN_DEFAULT_PORT = 8472;

/** A vxlan or macvlan of the file: its node, and where it is declared. */
export interface HostMade {
  node: string;
  iface: TopologyInterface;
  path: Path;
}

/** Records what core's vxlan rules refuse of `options` (each address already checked as one), at its field. */
export function checkVxlanAddresses(problems: Problems, path: Path, options: NonNullable<TopologyInterface["vxlan"]>): void {
  const { id, remote, local, group, port } = options;
  try {
    vxlanOptions("vxlan", {
      id,
      // In this order: each address is held to the family of those before it, local's first (its message says so).
      ...(local !== undefined && { local }),
      ...(group !== undefined && { group }),
      ...(remote !== undefined && { remote }),
      ...(port !== undefined && { port }),
    });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // Its field is "vxlan.remote": the file's is the interface's own.
    const key = err.field.split(".")[1];
    problems.add(key === undefined ? path : [...path, key], err.reason.replaceAll("vxlan.", ""));
  }
}

/** A vxlan's options as both the file and the kernel give them. */
type VxlanKeyed = Pick<NonNullable<TopologyInterface["vxlan"]>, "id" | "remote" | "local" | "group" | "port">;

/**
 * What the kernel tells vxlans of one namespace apart by (vxlan_vni_in_use), `parent` naming the vxlan's parent
 * (undefined: none), by name or index as the vxlans compared are.
 */
export function vniKey({ id, remote, local, group, port }: VxlanKeyed, parent: string | number | undefined): string {
  const addresses = [remote, local, group].filter((a): a is string => a !== undefined);
  const ipv6 = addresses.some((a) => net.familyOf("address", a) === net.AF_INET6);
  const linkLocal = addresses.some(net.isIPv6LinkLocal);
  return `${id} ${port ?? VXLAN_DEFAULT_PORT} ${ipv6 ? 6 : 4}${linkLocal ? ` ${parent ?? ""}` : ""}`;
}

/** Records the vxlans the kernel would refuse as a second of their id, and passthru macvlans that share a parent. */
export function checkHostMadeTogether(problems: Problems, all: readonly HostMade[]): void {
  const first = new Map<string, HostMade>();
  for (const made of all) {
    const { vxlan } = made.iface;
    if (vxlan === undefined) continue;
    const key = vniKey(vxlan, vxlan.parent);
    const before = first.get(key);
    if (before === undefined) {
      first.set(key, made);
      continue;
    }
    problems.add(
      [...made.path, "id"],
      `${formatPath(before.path)} has the same id ${vxlan.id} and port ${vxlan.port ?? VXLAN_DEFAULT_PORT}: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses the second (EEXIST); give another id or port`,
    );
  }
  const macvlans = all.filter((m) => m.iface.macvlan !== undefined);
  for (const [parent, list] of groupBy(macvlans, (m) => m.iface.macvlan?.parent as string)) {
    if (list.length < 2) continue;
    for (const made of list) {
      if (made.iface.macvlan?.mode !== "passthru") continue;
      const others = list.filter((m) => m !== made).map((m) => formatPath(m.path));
      problems.add(
        [...made.path, "mode"],
        `a passthru macvlan must be the only macvlan on its parent, and host link "${parent}" has ${others.join(", ")} too: the kernel refuses one of them (EINVAL)`,
      );
    }
  }
}
