/**
 * A Topology handed to plan, apply, inspect or destroy is held to the rules
 * of a file: it is copied (so a getter, a Proxy or a later change cannot show
 * the check one thing and the work another), written back as the file that
 * says the same, and loaded. The work uses what load made of it, and a value
 * load would not make (a field the file cannot say, a peer that does not
 * match, a wrong type) is refused before anything changes.
 */
import { isDeepStrictEqual } from "node:util";
import { ValidationError } from "../errors.js";
import { at, item, list, record, refuseInheritedFields } from "../validate/shape.js";
import { load } from "./load.js";
import { unchangedCopy } from "./loaded.js";
import type { Topology, TopologyInterface, TopologyNode } from "./model.js";
import type { TopologyFile, TopologyFileNode } from "./schema.js";

/** The fields of a Topology and of its nodes (destroy checks a given topology's against these too). */
export const TOPOLOGY_KEYS = ["name", "nodes", "links"];
export const NODE_KEYS = ["name", "netns", "ipv6", "sysctls", "interfaces", "loopback", "routes", "exec", "processes"];
const INTERFACE_KEYS = ["name", "kind", "addresses", "mac", "mtu", "master", "up", "peer", "vxlan", "macvlan"];
const LINK_KEYS = ["endpoints", "mtu", "up"];
const PROCESS_KEYS = ["name", "argv", "env"];
const EXEC_KEYS = ["argv", "timeoutMs"];

/**
 * Refuses a file's shape (nodes by name), as a program that writes its labs as data builds them, saying so: "must be
 * an array" alone would send it to rewrite them as load's list, where load itself takes that object as it is.
 */
export function notFileShaped(field: string, nodes: unknown): void {
  if (typeof nodes === "object" && nodes !== null && !Array.isArray(nodes))
    throw new ValidationError(
      field,
      "must be an array, as topology.load returns: nodes by name are a file's shape; give the object to topology.load first",
    );
}

/** Returns the topology `value` says, as topology.load makes it, or throws a ValidationError (or TopologyError) naming the field. */
export function checkTopology(field: string, value: unknown): Topology {
  // Before the copy load made of it is taken as it is: the plan reads its absent fields too.
  refuseInheritedFields();
  const unchanged = unchangedCopy(value);
  if (unchanged !== undefined) return unchanged as Topology;
  let copy: Topology;
  try {
    copy = structuredClone(value) as Topology;
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).slice(0, 200);
    throw new ValidationError(field, `must be plain data, as topology.load returns (no function, symbol or Proxy): ${why}`);
  }
  const loaded = load(fileOf(field, copy));
  const given = canonical(copy);
  if (!isDeepStrictEqual(given, loaded)) {
    const path = firstDifference(field, given, loaded) ?? field;
    throw new ValidationError(path, "is not what topology.load makes of the file this topology says: build topologies with topology.load");
  }
  return loaded;
}

/** The file that says what `t` says; shapes are checked as far as this needs, the rest is load's to check. */
function fileOf(field: string, t: Topology): TopologyFile {
  record(field, t, TOPOLOGY_KEYS);
  notFileShaped(at(field, "nodes"), t.nodes);
  const nodes: Record<string, TopologyFileNode> = Object.create(null);
  for (const [i, n] of list(at(field, "nodes"), t.nodes, (f, x) => record(f, x, NODE_KEYS) as unknown as TopologyNode).entries()) {
    const f = item(at(field, "nodes"), i);
    const ifaces = list(at(f, "interfaces"), n.interfaces, (g, x) => record(g, x, INTERFACE_KEYS) as unknown as TopologyInterface);
    const addresses: Record<string, unknown> = Object.create(null);
    for (const iface of ifaces) if (Array.isArray(iface.addresses) && iface.addresses.length > 0) addresses[iface.name] = iface.addresses;
    if (Array.isArray(n.loopback) && n.loopback.length > 0) addresses.lo = n.loopback;
    const interfaces: Record<string, unknown> = Object.create(null);
    for (const iface of ifaces) {
      if (iface.kind !== "vxlan" && iface.kind !== "macvlan") continue;
      const { name, kind, mtu, mac, master, up } = iface;
      interfaces[name] = { kind, mtu, mac, master, up, ...(kind === "vxlan" ? iface.vxlan : iface.macvlan) };
    }
    const execs = list(at(f, "exec"), n.exec, (g, x) => record(g, x, EXEC_KEYS) as unknown as TopologyNode["exec"][number]);
    const processes = list(
      at(f, "processes"),
      n.processes,
      (g, x) => record(g, x, PROCESS_KEYS) as unknown as TopologyNode["processes"][number],
    );
    if (typeof n.name !== "string" || Object.hasOwn(nodes, n.name))
      throw new ValidationError(at(f, "name"), "must be a node name given once");
    nodes[n.name] = {
      netns: n.netns,
      ipv6: n.ipv6,
      sysctls: n.sysctls,
      bridges: ifaces.filter((x) => x.kind === "bridge").map((x) => x.name),
      interfaces,
      addresses,
      routes: n.routes,
      exec: execs.map(({ argv, timeoutMs }) => ({ command: argv, timeout: typeof timeoutMs === "number" ? timeoutMs / 1000 : timeoutMs })),
      processes: processes.map(({ name, argv, env }) => ({ name, command: argv, env })),
    } as TopologyFileNode;
  }
  const peers = new Map(
    t.nodes.flatMap((n) => n.interfaces.filter((x) => x.kind === "veth").map((x) => [`${n.name}:${x.name}`, x] as const)),
  );
  const links = list(at(field, "links"), t.links, (f, x) => {
    const l = record(f, x, LINK_KEYS) as unknown as Topology["links"][number];
    const endpoints = list(at(f, "endpoints"), l.endpoints, (g, e) => {
      const { node, interface: name } = record(g, e, ["node", "interface"]) as { node: unknown; interface: unknown };
      const iface = peers.get(`${String(node)}:${String(name)}`);
      return { node, interface: name, mtu: iface?.mtu === l.mtu ? undefined : iface?.mtu, mac: iface?.mac, master: iface?.master };
    });
    return { endpoints, mtu: l.mtu, up: l.up };
  });
  return withoutUndefined({ name: t.name, nodes, links }) as TopologyFile;
}

/** `t` in load's order (nodes and interfaces sorted by name), without fields set to undefined. */
function canonical(t: Topology): unknown {
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const nodes = [...t.nodes].sort(byName).map((n) => ({ ...n, interfaces: [...n.interfaces].sort(byName) }));
  return withoutUndefined({ ...t, nodes });
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  // Defined, not assigned: a key "__proto__" (a node or sysctl so named) would otherwise set the copy's prototype, and
  // the check after this would refuse the whole file as not plain data instead of naming that key.
  for (const [key, member] of Object.entries(value))
    if (member !== undefined)
      Object.defineProperty(out, key, { value: withoutUndefined(member), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The path of the first value where `a` and `b` differ. */
function firstDifference(field: string, a: unknown, b: unknown): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return field;
  if (Array.isArray(a) !== Array.isArray(b)) return field;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const path = Array.isArray(a) ? item(field, Number(key)) : at(field, key);
    const found = firstDifference(path, (a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
    if (found !== undefined) return found;
  }
  return field;
}
