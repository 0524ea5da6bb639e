/**
 * From a file whose shape is right to a Topology: everything that needs the
 * whole file is checked here, with core's own validators (names, CIDRs,
 * MACs), and every problem is recorded, not just the first.
 */
import { basename } from "node:path";
import { exec, sysctl } from "../actions/ns-actions.js";
import { shown, ValidationError } from "../errors.js";
import * as net from "../validate/net.js";
import * as v from "../validate/validate.js";
import { canonicalCidr, routeKey } from "./compare.js";
import {
  DEFAULT_EXEC_TIMEOUT_S,
  type Topology,
  type TopologyEndpoint,
  type TopologyInterface,
  type TopologyNode,
  type TopologyProcess,
  type TopologyRoute,
} from "./model.js";
import { formatPath, type Path, type Problems } from "./problems.js";
import type { TopologyFile, TopologyFileEndpoint, TopologyFileNode, TopologyFileProcess } from "./schema.js";
import { yaml11Boolean, yaml11Hint } from "./hints.js";
import { DISABLE_IPV6, sysctlInterface } from "./sysctl-names.js";
import { checkRouteReach } from "./route-reach.js";
import { ipv6AddressRefusal } from "./ipv6-off.js";
import { checkHostMadeTogether, checkVxlanAddresses, type HostMade } from "./host-made-rules.js";

/** A bridge takes at most this many ports (BR_MAX_PORTS is 1024, port numbers 1..1023). */
export const MAX_BRIDGE_PORTS = 1023;

interface Declared {
  iface: TopologyInterface;
  path: Path;
  /** Where each of its addresses is given (by canonicalCidr, and an IPv6 one by its address alone too): on its link's end or in the node's addresses. */
  addressAt: Map<string, Path>;
}

/** An address as written, and where. */
interface GivenAddress {
  address: string;
  path: Path;
}

/** One node's interfaces as they are declared, each name once. */
class NodeInterfaces {
  readonly byName = new Map<string, Declared>();

  constructor(
    readonly node: string,
    readonly problems: Problems,
  ) {}

  declare(path: Path, iface: TopologyInterface): TopologyInterface | undefined {
    if (this.problems.check(path, () => v.linkName("interface", iface.name)) === undefined) return undefined;
    if (iface.name === "lo") {
      this.problems.add(path, `"lo" is the node's loopback; it exists already`);
      return undefined;
    }
    const earlier = this.byName.get(iface.name);
    if (earlier) {
      this.problems.add(path, `interface "${iface.name}" of node "${this.node}" is already declared at ${formatPath(earlier.path)}`);
      return undefined;
    }
    this.byName.set(iface.name, { iface, path, addressAt: new Map() });
    return iface;
  }

  /** Where each address of the loopback is given, as Declared's addressAt. */
  private readonly loopbackAt = new Map<string, Path>();

  /** Puts addresses on the node's loopback (`addresses` its list), held to a declared interface's rules. */
  addLoopback(addresses: string[], given: readonly GivenAddress[]): void {
    this.take("lo", addresses, this.loopbackAt, given);
  }

  /** Puts addresses on a declared interface; one it has already is reported where it is given again, naming the first. */
  addAddresses(declared: Declared, given: readonly GivenAddress[]): void {
    this.take(declared.iface.name, declared.iface.addresses, declared.addressAt, given);
  }

  private take(name: string, addresses: string[], addressAt: Map<string, Path>, given: readonly GivenAddress[]): void {
    for (const { address, path } of given) {
      // By value: fd00::1/64 and FD00:0::0001/64 are one address, which the plan would merge in silence.
      const key = canonicalCidr(address);
      const first = addressAt.get(key);
      if (first !== undefined) {
        this.problems.add(path, `address ${address} is given twice for "${name}" (first at ${formatPath(first)})`);
        continue;
      }
      // The kernel keeps an IPv6 address once per interface (EEXIST for another prefix length, which `replace` leaves
      // as it was: every apply would plan it again); IPv4 keeps one per prefix length.
      const [ip] = key.split("/") as [string];
      const other = ip.includes(":") ? addressAt.get(ip) : undefined;
      if (other !== undefined) {
        const why = "the kernel keeps one IPv6 address per interface, whatever its prefix length";
        this.problems.add(
          path,
          `address ${address} is ${ip} again, given for "${name}" with another prefix length at ${formatPath(other)}: ${why}`,
        );
        continue;
      }
      addressAt.set(key, path);
      if (ip.includes(":")) addressAt.set(ip, path);
      addresses.push(address);
    }
  }
}

/** Where an interface's `master` is written, given where the interface is declared. */
function masterPath(path: Path): Path {
  return path.at(-1) === "interface" ? [...path.slice(0, -1), "master"] : [...path, "master"];
}

/** The addresses of `values` that are valid on link `dev` (its MTU `mtu`, as the file gives it) of `node`; each other is recorded as a problem. */
function cidrs(
  problems: Problems,
  path: Path,
  values: readonly string[] | undefined,
  node: TopologyNode,
  dev: string,
  mtu: number | undefined,
): GivenAddress[] {
  const out: GivenAddress[] = [];
  for (const [i, value] of (values ?? []).entries()) {
    const c = problems.check([...path, i], () => net.interfaceAddress("address", value));
    if (!c) continue;
    const refused = c.family === net.AF_INET6 ? ipv6AddressRefusal(node, dev, mtu) : undefined;
    if (refused !== undefined) problems.add([...path, i], refused);
    else out.push({ address: value, path: [...path, i] });
  }
  return out;
}

/** An end as node and interface, or undefined when it names no node or the schema refused it (salvaged to undefined). */
function endpointOf(problems: Problems, path: Path, endpoint: TopologyFileEndpoint | undefined, nodes: ReadonlySet<string>) {
  if (endpoint === undefined) return undefined;
  const parsed =
    typeof endpoint === "string" ? { node: endpoint.split(":")[0] as string, interface: endpoint.split(":")[1] as string } : endpoint;
  if (!nodes.has(parsed.node)) {
    problems.add(typeof endpoint === "string" ? path : [...path, "node"], `no node named ${shown(parsed.node)}`);
    return undefined;
  }
  return parsed;
}

function commandArgv(command: string | string[]): string[] {
  return typeof command === "string" ? ["/bin/sh", "-c", command] : [...command];
}

/** A name for a program from its command, as an explicit name could be (it names a log file and a cgroup). */
function nameOf(program: string): string {
  const name = basename(program)
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .slice(0, 60);
  return name === "" || name === "." || name === ".." ? "program" : name;
}

function processes(problems: Problems, path: Path, list: readonly TopologyFileProcess[] | undefined): TopologyProcess[] {
  const out: TopologyProcess[] = [];
  const specs = (list ?? []).map((p) => (typeof p === "object" && !Array.isArray(p) ? p : { command: p }));
  // The names given are taken first: a name derived for an earlier program must not make one given later "used twice".
  const used = new Set<string>();
  for (const [i, spec] of specs.entries()) {
    if (spec?.name === undefined) continue;
    if (used.has(spec.name)) problems.add([...path, i, "name"], `process name "${spec.name}" is used twice`);
    used.add(spec.name);
  }
  for (const [i, spec] of specs.entries()) {
    if (spec === undefined) continue;
    const argv = commandArgv(spec.command);
    const program = typeof spec.command === "string" ? (spec.command.trim().split(/\s+/)[0] ?? "sh") : (argv[0] as string);
    let name = spec.name ?? nameOf(program);
    if (spec.name === undefined) for (let n = 2; used.has(name); n++) name = `${nameOf(program)}-${n}`;
    used.add(name);
    if (problems.check([...path, i], () => exec(argv, { env: { ...(spec.env ?? {}) } })) === undefined) continue;
    out.push({ name, argv, env: { ...(spec.env ?? {}) } });
  }
  return out;
}

/**
 * The routes of a node that can be checked further, each mapped in `written` to its index in the file: a route refused
 * here is left out, so the ones after it would otherwise be reported at the index of the one before.
 */
function routes(problems: Problems, path: Path, node: TopologyFileNode, written: Map<TopologyRoute, number>): TopologyRoute[] {
  const out: TopologyRoute[] = [];
  const seen = new Map<string, number>();
  for (const [i, r] of (node.routes ?? []).entries()) {
    // A hole: the schema refused this route (see load's salvage), and said so.
    if (r === undefined) continue;
    const at = [...path, i];
    const family = r.to === "default" ? undefined : (problems.check([...at, "to"], () => net.network("to", r.to))?.family ?? null);
    const via = r.via === undefined ? undefined : problems.check([...at, "via"], () => net.familyOf("via", net.gateway("via", r.via)));
    if (r.via === undefined && r.dev === undefined) problems.add(at, "a route needs a gateway (via) or a device (dev)");
    if (family && via && family !== via) problems.add([...at, "via"], "is not of the destination's address family");
    // Which link fe80::1 is on only dev says: the kernel refuses the route without it (EINVAL, "Egress device not specified").
    if (via && r.dev === undefined && net.isIPv6LinkLocal(r.via as string))
      problems.add(
        [...at, "via"],
        `${r.via} is link-local: a link-local gateway needs dev, the link it is on (the kernel refuses the route without it)`,
      );
    if (family === null || (r.via !== undefined && via === undefined)) continue;
    // `default` and 0.0.0.0/0 included: the kernel keeps one route per key.
    const key = routeKey(r);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add(
        at,
        `is the same route to the kernel as routes[${first}] (${key}): it keeps one, and each apply would replace it with the other`,
      );
      continue;
    }
    seen.set(key, i);
    const route = { ...r };
    written.set(route, i);
    out.push(route);
  }
  return out;
}

function sysctlValue(value: string | number | boolean): string {
  // The kernel refuses the word (EINVAL) once the node's namespace is made: refused here, with what was meant.
  if (yaml11Boolean(value) !== undefined)
    throw new ValidationError(
      "value",
      yaml11Hint(value as string, (b) => (b ? "1" : "0")),
    );
  // A YAML or JSON number is a double: one past 2^53 is not what was written (99999999999999999999 would be written
  // 100000000000000000000), and the kernel reads a number of a sysctl as an integer.
  if (typeof value === "number" && !Number.isSafeInteger(value))
    throw new ValidationError(
      "value",
      Number.isInteger(value)
        ? `is a number past 2^53, read as ${BigInt(value)} and not as written: quote it to give the kernel its digits`
        : `${value} is not an integer, which is what the kernel reads of a number`,
    );
  return typeof value === "boolean" ? (value ? "1" : "0") : String(value);
}

/**
 * Resolves a topology file into a Topology, recording every problem in
 * `problems`; the result is only meaningful when none was recorded.
 */
export function resolve(file: TopologyFile, problems: Problems): Topology {
  const nodeNames = new Set(Object.keys(file.nodes));
  const declared = new Map<string, NodeInterfaces>();
  const nodes = new Map<string, TopologyNode>();
  const netnsOwner = new Map<string, string>();
  const routeIndex = new Map<TopologyRoute, number>();

  for (const name of [...nodeNames].sort()) {
    const spec = file.nodes[name] as TopologyFileNode;
    const at: Path = ["nodes", name];
    const netns = spec.netns ?? `${file.name}-${name}`;
    problems.check(spec.netns !== undefined ? [...at, "netns"] : at, () => v.namespaceName("netns", netns));
    const other = netnsOwner.get(netns);
    if (other !== undefined)
      problems.add(spec.netns !== undefined ? [...at, "netns"] : at, `namespace "${netns}" is node "${other}"'s too`);
    netnsOwner.set(netns, name);

    const ifaces = new NodeInterfaces(name, problems);
    declared.set(name, ifaces);
    for (const [i, bridge] of (spec.bridges ?? []).entries()) {
      if (bridge === undefined) continue;
      ifaces.declare([...at, "bridges", i], { name: bridge, kind: "bridge", addresses: [], up: true });
    }
    for (const [ifname, def] of Object.entries(spec.interfaces ?? {})) {
      const p: Path = [...at, "interfaces", ifname];
      let addressesRead = true;
      for (const key of ["remote", "local", "group"] as const) {
        const value = def.kind === "vxlan" ? def[key] : undefined;
        if (value !== undefined && problems.check([...p, key], () => net.ip(key, value)) === undefined) addressesRead = false;
      }
      if (def.parent !== undefined) problems.check([...p, "parent"], () => v.linkName("parent", def.parent));
      if (def.mac !== undefined) problems.check([...p, "mac"], () => net.mac("mac", def.mac));
      const { kind, mtu, mac, master, up } = def;
      const iface: TopologyInterface = { name: ifname, kind, addresses: [], up: up ?? true, ...(mtu !== undefined && { mtu }) };
      if (mac !== undefined) iface.mac = mac.toLowerCase();
      if (master !== undefined) iface.master = master;
      if (def.kind === "vxlan") {
        const { id, remote, local, group, port, parent } = def;
        iface.vxlan = {
          id,
          ...(remote && { remote }),
          ...(local && { local }),
          ...(group && { group }),
          ...(port && { port }),
          ...(parent && { parent }),
        };
        if (group !== undefined && parent === undefined) problems.add([...p, "group"], "a multicast group needs a parent link");
        if (remote === undefined && group === undefined) problems.add(p, "a vxlan needs a remote or a multicast group");
        if (addressesRead) checkVxlanAddresses(problems, p, iface.vxlan);
      } else {
        iface.macvlan = { parent: def.parent, mode: def.mode ?? "bridge" };
      }
      ifaces.declare(p, iface);
    }
    nodes.set(name, {
      name,
      netns,
      ipv6: spec.ipv6 ?? true,
      sysctls: Object.fromEntries(
        Object.entries(spec.sysctls ?? {}).flatMap(([k, value]) =>
          // The same rules as na.sysctl, which writes it.
          problems.check([...at, "sysctls", k], () => sysctl(k, sysctlValue(value))) ? [[k, sysctlValue(value)]] : [],
        ),
      ),
      interfaces: [],
      loopback: [],
      routes: routes(problems, [...at, "routes"], spec, routeIndex),
      // The same rules as na.exec, which runs them.
      exec: (spec.exec ?? []).flatMap((entry, i) => {
        const { command, timeout = DEFAULT_EXEC_TIMEOUT_S } =
          typeof entry === "object" && !Array.isArray(entry) ? entry : { command: entry };
        const timeoutMs = timeout * 1000;
        return problems.check([...at, "exec", i], () => exec(commandArgv(command), timeoutMs > 0 ? { timeoutMs } : {}))
          ? [{ argv: commandArgv(command), timeoutMs }]
          : [];
      }),
      processes: processes(problems, [...at, "processes"], spec.processes),
    });
  }

  const links: Topology["links"] = [];
  for (const [i, link] of (file.links ?? []).entries()) {
    // A link the schema refused was dropped, leaving its index empty so later paths stay right.
    if (link === undefined) continue;
    const ends = link.endpoints.map((e, j) => endpointOf(problems, ["links", i, "endpoints", j], e, nodeNames));
    const [a, b] = ends;
    const up = link.up ?? true;
    // An end whose other end is invalid is still checked and declared (its name, its addresses, a second use of it), so
    // that every mistake of the file is reported; the link itself is dropped, and with a problem recorded nothing is made.
    const made = ends.map((e, j) => {
      if (!e) return undefined;
      const path: Path = ["links", i, "endpoints", j];
      const full = typeof link.endpoints[j] === "object" ? (link.endpoints[j] as Exclude<TopologyFileEndpoint, string>) : undefined;
      const node = nodes.get(e.node) as TopologyNode;
      if (full?.mac !== undefined) problems.check([...path, "mac"], () => net.mac("mac", full.mac));
      const other: TopologyEndpoint = (j === 0 ? b : a) ?? { node: "", interface: "" };
      const mtu = full?.mtu ?? link.mtu;
      const addresses = cidrs(problems, [...path, "addresses"], full?.addresses, node, e.interface, mtu);
      const iface: TopologyInterface = {
        name: e.interface,
        kind: "veth",
        addresses: [],
        up,
        peer: { node: other.node, interface: other.interface },
        ...(mtu !== undefined && { mtu }),
        ...(full?.mac !== undefined && { mac: full.mac.toLowerCase() }),
        ...(full?.master !== undefined && { master: full.master }),
      };
      const ifaces = declared.get(e.node) as NodeInterfaces;
      const kept = ifaces.declare(full ? [...path, "interface"] : path, iface);
      if (kept !== undefined) ifaces.addAddresses(ifaces.byName.get(kept.name) as Declared, addresses);
      return kept;
    });
    if (a && b && made.every(Boolean)) {
      links.push({
        endpoints: [
          { node: a.node, interface: a.interface },
          { node: b.node, interface: b.interface },
        ],
        up,
        ...(link.mtu !== undefined && { mtu: link.mtu }),
      });
    }
  }

  const hostMade: HostMade[] = [];
  for (const [name, node] of nodes) {
    const ifaces = declared.get(name) as NodeInterfaces;
    const spec = file.nodes[name] as TopologyFileNode;
    for (const [ifname, list] of Object.entries(spec.addresses ?? {})) {
      const path: Path = ["nodes", name, "addresses", ifname];
      const iface = ifaces.byName.get(ifname);
      const valid = cidrs(problems, path, list, node, ifname, iface?.iface.mtu);
      if (ifname === "lo") ifaces.addLoopback(node.loopback, valid);
      else if (iface === undefined) problems.add(path, `node "${name}" has no interface ${shown(ifname)}`);
      else ifaces.addAddresses(iface, valid);
    }
    const ports = new Map<string, number>();
    for (const { iface, path } of ifaces.byName.values()) {
      if (iface.master === undefined) continue;
      const master = ifaces.byName.get(iface.master)?.iface;
      if (master?.kind !== "bridge") {
        problems.add(masterPath(path), `node "${name}" has no bridge ${shown(iface.master)}`);
      } else ports.set(master.name, (ports.get(master.name) ?? 0) + 1);
    }
    for (const [bridge, count] of ports) {
      if (count > MAX_BRIDGE_PORTS) {
        problems.add(
          ifaces.byName.get(bridge)?.path ?? ["nodes", name],
          `bridge "${bridge}" has ${count} ports; a bridge takes at most ${MAX_BRIDGE_PORTS}`,
        );
      }
    }
    for (const key of Object.keys(node.sysctls)) {
      // Written after ipv6: false's 1, a 0 turned IPv6 back on, which the next plan turned off again: never converged.
      if (!node.ipv6 && DISABLE_IPV6.includes(key) && Number(node.sysctls[key]) === 0)
        problems.add(["nodes", name, "sysctls", key], `turns IPv6 on, on a node with ipv6: false: give one or the other`);
      const iface = sysctlInterface(key);
      if (iface !== undefined && iface !== "lo" && !ifaces.byName.has(iface))
        problems.add(["nodes", name, "sysctls", key], `node "${name}" has no interface ${shown(iface)}`);
    }
    for (const route of node.routes) {
      if (route.dev !== undefined && route.dev !== "lo" && !ifaces.byName.has(route.dev)) {
        problems.add(
          ["nodes", name, "routes", routeIndex.get(route) as number, "dev"],
          `node "${name}" has no interface ${shown(route.dev)}`,
        );
      }
    }
    node.interfaces = [...ifaces.byName.values()].map((d) => d.iface).sort((x, y) => (x.name < y.name ? -1 : 1));
    checkRouteReach(node, ["nodes", name, "routes"], (r) => routeIndex.get(r) as number, problems);
    for (const { iface, path } of ifaces.byName.values()) if (iface.vxlan || iface.macvlan) hostMade.push({ node: name, iface, path });
  }
  checkHostMadeTogether(problems, hostMade);

  return { name: file.name, nodes: [...nodes.values()], links };
}
