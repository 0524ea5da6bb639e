/**
 * topology.load: a file, YAML/JSON text, or an already parsed object to a
 * validated Topology, or a TopologyError listing every problem found (shape,
 * then what needs the whole file), each with its path and, from text, its
 * line and column. Nothing here touches the kernel.
 */
import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { withHint } from "./hints.js";
import { rememberLoaded } from "./loaded.js";
import type { Topology } from "./model.js";
import { topologyOptions } from "./options.js";
import { formatPath, type Path, Problems, TopologyError } from "./problems.js";
import { resolve } from "./resolve.js";
import type { TopologyFile } from "./schema.js";
import { shapeErrors } from "./shape.js";
import { parseSource, plainData, readTopologyFile, type Source } from "./source.js";

/**
 * Takes out of `links[index]` what the schema refused at `rest` (the path
 * below the link). A link keeps the ends it can still read, so that the
 * interfaces it declares are there for the checks that need the whole file:
 * dropping it for a bad `mtu` or for its other end's missing `:IFACE` would
 * have its nodes' addresses on those interfaces reported as on interfaces
 * that do not exist. An end that cannot be read becomes undefined (its index
 * kept, as resolve expects); such a link is said to be `partial`.
 */
function salvageLink(links: unknown[], index: number, rest: readonly (string | number)[], partial: Set<unknown>): void {
  const link = links[index];
  const [field, end, endField] = rest;
  const endpoints = (link as { endpoints?: unknown })?.endpoints;
  const endpoint = Array.isArray(endpoints) ? endpoints[end as number] : undefined;
  if (typeof link !== "object" || link === null || field === undefined) delete links[index];
  else if (field !== "endpoints") delete (link as Record<string, unknown>)[field];
  else if (!Array.isArray(endpoints)) delete links[index];
  else if (end === undefined) {
    // Too few or too many ends: each is checked on its own; a missing one is an unreadable one.
    while (endpoints.length < 2) endpoints.push(undefined);
    partial.add(link);
  } else if (
    typeof endField === "string" &&
    endField !== "node" &&
    endField !== "interface" &&
    typeof endpoint === "object" &&
    endpoint !== null &&
    !Array.isArray(endpoint)
  )
    delete (endpoint as Record<string, unknown>)[endField];
  else {
    endpoints[end as number] = undefined;
    partial.add(link);
  }
}

/** A node's lists whose entries are checked each on its own: one refused leaves a hole (its index kept), the rest are checked. */
const NODE_LISTS = new Set(["routes", "exec", "processes", "bridges"]);
/** A node's maps, by interface or sysctl name: a key refused is taken out; nothing else refers to it. */
const NODE_MAPS = new Set(["addresses", "sysctls"]);
/** A route's fields nothing else depends on: refused, the route is still checked without them. */
const ROUTE_EXTRAS = new Set(["metric", "table"]);
/** An interface's fields nothing else depends on; a refused other one (its kind, id, remote, parent) leaves a stand-in. */
const INTERFACE_EXTRAS = new Set(["mtu", "mac", "up", "port", "mode"]);

/**
 * An interface whose own fields cannot be read still has its name, on which the node's addresses and routes are
 * checked: a stand-in declares it, with no field of its own to check (the file is refused already), so that they are not
 * all reported as on an interface that does not exist.
 */
const standIn = () => ({ kind: "macvlan", parent: "lo" });

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Takes out of a node what the schema refused at `rest` (the path below the node's field), as little as keeps the
 * other checks from reporting nonsense: a route's metric or table, an entry of a list (a hole, so that later ones keep
 * their indexes), a key of a map. False when the whole field must go.
 */
function salvageNodeEntry(node: Record<string, unknown>, rest: readonly (string | number)[]): boolean {
  const [field, key, sub] = rest as [string, string | number | undefined, string | number | undefined];
  const value = node[field];
  if (NODE_LISTS.has(field) && Array.isArray(value) && typeof key === "number") {
    const entry = value[key];
    if (field === "routes" && typeof sub === "string" && ROUTE_EXTRAS.has(sub) && typeof entry === "object" && entry !== null)
      delete (entry as Record<string, unknown>)[sub];
    else delete value[key];
    return true;
  }
  if (NODE_MAPS.has(field) && isMap(value) && typeof key === "string") {
    delete value[key];
    return true;
  }
  if (field === "interfaces" && isMap(value) && typeof key === "string" && key !== "") {
    const entry = value[key];
    if (typeof sub === "string" && INTERFACE_EXTRAS.has(sub) && isMap(entry)) delete entry[sub];
    else value[key] = standIn();
    return true;
  }
  return false;
}

/** `nodes` with the holes salvage left in their lists closed up, for checking the shape of what is left. */
function withoutHoles(nodes: unknown): unknown {
  if (typeof nodes !== "object" || nodes === null) return nodes;
  const out: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(nodes)) {
    if (typeof node !== "object" || node === null) {
      Object.defineProperty(out, name, { value: node, enumerable: true });
      continue;
    }
    const closed = { ...node } as Record<string, unknown>;
    for (const field of NODE_LISTS) if (Array.isArray(closed[field])) closed[field] = (closed[field] as unknown[]).filter(() => true);
    Object.defineProperty(out, name, { value: closed, enumerable: true });
  }
  return out;
}

/** A link's shape as checked after salvage: a partial one's ends were each checked already, and are not a pair. */
const ANY_PAIR = ["-:-", "-:-"];

/**
 * A copy of a file with what the schema refused taken out, so that the
 * checks needing the whole file still run and a file with many mistakes
 * reports all of them: a link loses the field at fault or the end that
 * cannot be read, or is dropped when it has no list of ends (its index kept), a
 * node keeps its name and loses the field at fault (or becomes an empty one,
 * when it is not a map), a bad topology name is replaced. Undefined when too
 * little is left to check.
 */
function salvage(value: unknown, errors: readonly { path: Path; message: string }[]): TopologyFile | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const file = structuredClone(value) as Record<string, unknown>;
  const partial = new Set<unknown>();
  for (const { path, message } of errors) {
    const [top, key, field] = path;
    if (top === "name") file.name = "x";
    else if (top === "links" && Array.isArray(file.links) && typeof key === "number") salvageLink(file.links, key, path.slice(2), partial);
    else if (top === "nodes" && typeof key === "string" && typeof file.nodes === "object" && file.nodes !== null) {
      const nodes = file.nodes as Record<string, unknown>;
      const node = nodes[key];
      // A node that is not a map (`h2:` alone is null) keeps its name, as an empty node, so that the links to it are not
      // also reported as naming no node; a refused name (the schema checks nothing else of its value) goes.
      if (field === undefined && message === "must be object") nodes[key] = {};
      else if (field === undefined || typeof node !== "object" || node === null) delete nodes[key];
      else if (!salvageNodeEntry(node as Record<string, unknown>, path.slice(2))) delete (node as Record<string, unknown>)[field];
    } else if (typeof top === "string" && top !== "nodes" && top !== "links") delete file[top];
    else return undefined;
  }
  // Dropped links leave holes, so that later problems keep their indexes; the shape is checked without them.
  const links = Array.isArray(file.links)
    ? file.links.filter((l) => l !== undefined).map((l) => (partial.has(l) ? { ...(l as object), endpoints: ANY_PAIR } : l))
    : file.links;
  const checked = { ...file, nodes: withoutHoles(file.nodes), ...(links !== undefined && { links }) };
  return shapeErrors(checked).length === 0 ? (file as TopologyFile) : undefined;
}

/**
 * A string is text when it has a newline or starts like JSON, unless it names
 * an existing file (`{lab}.yaml` is a path); otherwise it is a file's path.
 */
function isText(input: string, cwd: string | undefined): boolean {
  if (input.includes("\n")) return true;
  return input.trimStart().startsWith("{") && !existsSync(cwd === undefined ? input : resolvePath(cwd, input));
}

function fail(problems: Problems, source: string | undefined): never {
  throw new TopologyError(problems.list, source);
}

export interface LoadOptions {
  /**
   * The directory a relative path is read from (default: the process's).
   * Problems still name the path as given: what the CLI's agent uses, so that
   * its clients see what they typed.
   */
  cwd?: string;
  /**
   * The input is text, read from somewhere other than a file, and problems
   * name it so: "-" for what the CLI read from its standard input.
   */
  label?: string;
}

/**
 * Loads and validates a topology: a path to a YAML or JSON file, YAML/JSON
 * text, or a parsed object. Throws a TopologyError (ERR_TOPOLOGY_INVALID)
 * naming every problem (text that is not UTF-8 too), or a ValidationError for
 * a file that cannot be read: missing, not a regular file, too large.
 */
export function load(input: string | object, options: LoadOptions = {}): Topology {
  // Its options are read first, by record: input is refused there while the prototype is polluted, before any is read.
  const { cwd, label: given } = topologyOptions(options, ["cwd", "label"]) as LoadOptions;
  let source: Source | undefined;
  let label: string | undefined;
  let value: unknown = input;
  if (typeof input === "string") {
    const text = given !== undefined || isText(input, cwd);
    label = text ? given : input;
    source = parseSource(text ? input : readTopologyFile(input, cwd));
    value = source.value;
  }
  const problems = new Problems(source?.locate);
  for (const e of source?.syntaxErrors ?? [])
    problems.list.push({ path: e.path ? formatPath(e.path) : "", message: e.message, line: e.line, column: e.column });
  if (source === undefined) {
    // Read once, into plain data: a getter or a Proxy trap may throw, or answer differently a second time.
    const plain = plainData(value, true);
    if ("message" in plain) problems.add(plain.path, plain.message);
    else value = plain.value;
  }
  // An empty file is a null document: the schema's "must be object" would not say what is wrong with it.
  if (source !== undefined && value === null)
    problems.add([], "is empty (nothing but blanks and comments): a topology needs name and nodes");
  if (problems.list.length > 0) fail(problems, label);
  // A number with a leading 0 is taken out as a field of the wrong shape is, so that the rest of the file is checked.
  const misread = source?.valueErrors ?? [];
  for (const { path, message, line, column } of misread) problems.list.push({ path: formatPath(path), message, line, column });
  const shape = shapeErrors(value);
  for (const e of shape) problems.add(e.path, withHint(value, e));
  const refused = [...misread, ...shape];
  const file = refused.length === 0 ? (value as TopologyFile) : salvage(value, refused);
  if (file === undefined) fail(problems, label);
  const topology = resolve(file, problems);
  if (problems.list.length > 0) fail(problems, label);
  return rememberLoaded(topology, { label, locate: source?.locate ?? (() => undefined) });
}
