/**
 * Whether a live vxlan or macvlan is the one the file describes: every
 * attribute the file can give it (a vxlan's id, remote or group, local, port
 * and parent, a macvlan's parent and mode) against what the kernel reports
 * (IFLA_INFO_DATA, decoded as Link.vxlan / Link.macvlan). One the file leaves
 * out is what apply makes without it: none, the kernel's default port, a
 * macvlan in bridge mode. Where it was made first: the kernel names the
 * namespace of its socket or parent by an nsid (IFLA_LINK_NETNSID), which
 * must be the host's, not the node's own nor a third namespace's (with the
 * same attributes, its traffic goes through that namespace's network). The
 * kernel refuses most of these changes on a link that exists (`Cannot change
 * VNI.`), so a link that differs is made again.
 */
import { readFileSync } from "node:fs";
import type { Link } from "@neslink/codec-wasm";
import { canonicalIp } from "./compare.js";
import { HOST } from "./live.js";
import type { TopologyInterface } from "./model.js";

/** The port the kernel gives a vxlan made without one: its vxlan.udp_port (8472 unless the boot line says). */
const UDP_PORT_PARAMETER = "/sys/module/vxlan/parameters/udp_port";
const LINUX_VXLAN_PORT = 8472;
let defaultPort: number | undefined;

function kernelVxlanPort(): number {
  if (defaultPort === undefined) {
    try {
      defaultPort = Number.parseInt(readFileSync(UDP_PORT_PARAMETER, "utf8"), 10) || LINUX_VXLAN_PORT;
    } catch {
      defaultPort = LINUX_VXLAN_PORT;
    }
  }
  return defaultPort;
}

const NONE = "(none)";

/** An address in the kernel's text form (the file's IPv6 may be written otherwise); bytes the kernel gave as no address stay as they are. */
function ipText(address: string | undefined): string {
  if (address === undefined) return NONE;
  try {
    return canonicalIp(address);
  } catch {
    return address;
  }
}

/** A host link by its index, as `host` (the host's links by name) names it. */
function hostName(host: ReadonlyMap<string, number>, index: number | null | undefined): string {
  if (index == null) return NONE;
  for (const [name, i] of host) if (i === index) return name;
  return `#${index}`;
}

/** What differs of a link, as `name from -> to` each. */
class Differences {
  readonly #found: string[] = [];
  /** `have` and `want` compared; `shown`, how each is shown when they differ (default: themselves). */
  add(name: string, have: unknown, want: unknown, shown: readonly [unknown, unknown] = [have, want]): this {
    if (have !== want) this.#found.push(`${name} ${shown[0] ?? NONE} -> ${shown[1] ?? NONE}`);
    return this;
  }
  text(): string | undefined {
    return this.#found.length > 0 ? this.#found.join(", ") : undefined;
  }
}

/** Why a link whose socket or parent is in namespace `origin` (as the node's nsids name it) is not the lab's, if it is not. */
function madeElsewhere(origin: string | undefined): string | undefined {
  if (origin === HOST) return undefined;
  return origin === undefined ? "made in a namespace outside the lab, not from the host" : `made in namespace ${origin}, not from the host`;
}

/**
 * Why a live link of the interface's kind cannot stay as the file's vxlan or macvlan (`id 100 -> 200, port 8472 ->
 * 4789`), or undefined when it can (or the interface is of another kind). `host`: the host's links by name, with their
 * index: a parent is a host link, and the kernel reports its index. A parent the host lacks matches no live link (its
 * creation is refused with the plan: see assertHostParents). `ids`: what the node's nsids name (labNamespaceIds: a
 * lab's namespace, HOST; one it lacks, a namespace outside the lab); undefined where they could not be told apart, and
 * the attributes alone decide.
 */
export function hostMadeDiffers(
  want: TopologyInterface,
  have: Link,
  host: ReadonlyMap<string, number>,
  ids: ReadonlyMap<number, string> | undefined,
): string | undefined {
  if (want.vxlan === undefined && want.macvlan === undefined) return undefined;
  // The kernel names no other namespace for its parent and socket: it was made in the node, where the lab never makes one.
  if (have.linkNetnsid === null) return "made in the node, not from the host";
  // Its parent's index would be another namespace's, which may be the host parent's by chance.
  const elsewhere = ids === undefined ? undefined : madeElsewhere(ids.get(have.linkNetnsid));
  if (elsewhere !== undefined) return elsewhere;
  const parentIndex = (name: string | undefined) => (name === undefined ? null : (host.get(name) ?? -1));
  const differences = new Differences();
  if (want.vxlan !== undefined) {
    const { id, remote, local, group, port, parent } = want.vxlan;
    const live = have.vxlan;
    const liveParent = live?.parentIndex ?? null;
    return differences
      .add("id", live?.id, id)
      .add("remote", ipText(live?.remote), ipText(remote))
      .add("local", ipText(live?.local), ipText(local))
      .add("group", ipText(live?.group), ipText(group))
      .add("port", live?.port, port ?? kernelVxlanPort())
      .add("parent", liveParent, parentIndex(parent), [hostName(host, liveParent), parent])
      .text();
  }
  const { parent, mode } = want.macvlan as NonNullable<TopologyInterface["macvlan"]>;
  return differences
    .add("parent", have.parentIndex, parentIndex(parent), [hostName(host, have.parentIndex), parent])
    .add("mode", have.macvlan?.mode, mode)
    .text();
}
