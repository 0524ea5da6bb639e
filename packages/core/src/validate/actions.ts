/**
 * The rules for actions, by kind: link actions, route changes and namespace
 * actions (na.link nests a link provider and link actions). The constructors
 * (na.*, la.*) build through these and the worker checks what it is sent with
 * them: one set of rules.
 */
import type { MessagePort } from "node:worker_threads";
import { LIMITS } from "@neslink/codec-wasm/limits";
import type { LinkActionSpec, LinkChanges } from "../actions/link-actions.js";
import type { ExecOptions, NsActionSpec } from "../actions/ns-actions.js";
import type { RouteOp, RouteSpec } from "../actions/route-actions.js";
import { shown, ValidationError } from "../errors.js";
import { deleteNamed, newNamed } from "./named-actions.js";
import * as net from "./net.js";
import { customCode, existingNsProvider, linkProvider, linkRef } from "./providers.js";
import { at, bare, byKind, type FieldParsers, fields, list, type Parser, record } from "./shape.js";
import * as v from "./validate.js";

/** Attribute changes of `ip link set`; `master: null` detaches. At least one. */

const CHANGES: FieldParsers<LinkChanges> = {
  name: v.linkName,
  alias: v.newAlias,
  mac: net.mac,
  mtu: v.mtu,
  up: v.boolean,
  promisc: v.boolean,
  master: (f, m) => (m === null ? null : linkRef(f, m)),
  group: v.u32,
};
const CHANGE_KEYS = Object.keys(CHANGES);

export const linkChanges: Parser<LinkChanges> = (f, x) => {
  const changes = fields(f, record(f, x, CHANGE_KEYS), CHANGES, {} as LinkChanges);
  for (const _ in changes) return changes;
  throw new ValidationError(f || "changes", "nothing to change");
};

/** A CIDR as it crosses (address and prefix apart), held to the rules of its text form as `parse` reads it. */
const crossing =
  (parse: (field: string, text: string) => net.Cidr): Parser<net.Cidr> =>
  (f, x) => {
    const r = record(f, x, ["family", "address", "prefixLen"]);
    const parsed = parse(f, `${String(r.address)}/${String(r.prefixLen)}`);
    if (r.family !== parsed.family) throw new ValidationError(at(f, "family"), `must be ${parsed.family} for ${String(r.address)}`);
    return parsed;
  };

const cidrSpec = crossing(net.cidr);
/** One to give a link: not an address the kernel refuses or drops there (net.interfaceAddress). */
const interfaceCidrSpec = crossing(net.interfaceAddress);

export const linkAction: Parser<LinkActionSpec> = byKind<LinkActionSpec>("link action", {
  delete: bare("delete"),
  set: (f, x) => ({ kind: "set", changes: linkChanges(at(f, "changes"), record(f, x, ["kind", "changes"]).changes) }),
  addAddr: (f, x) => {
    const r = record(f, x, ["kind", "cidr", "replace"]);
    return { kind: "addAddr", cidr: interfaceCidrSpec(at(f, "cidr"), r.cidr), replace: v.boolean(at(f, "replace"), r.replace) };
  },
  delAddr: (f, x) => ({ kind: "delAddr", cidr: cidrSpec(at(f, "cidr"), record(f, x, ["kind", "cidr"]).cidr) }),
  addrs: bare("addrs"),
  custom: (f, x) => ({ kind: "custom", ...customCode(f, record(f, x, ["kind", "module", "export", "args"])) }),
});

/** A routing table's id: 0 (RT_TABLE_UNSPEC) is what the kernel reads as "none given", so it is no table to name. */
export const routeTable = (f: string, x: unknown) => v.integer(f, x, LIMITS.tableMin, 0xffffffff);

const ROUTE_FIELDS: FieldParsers<RouteSpec> = {
  via: net.gateway,
  dev: linkRef,
  metric: v.u32,
  table: routeTable,
};

/**
 * A route, all of one address family. One added or replaced needs a gateway
 * or a device; one deleted may be found by its destination alone, as with
 * `ip route del 10.1.0.0/16` (the kernel deletes the first that matches).
 * `dstField` names the destination in errors: the field its caller was given
 * it as (a RouteInput's `to`).
 */
export function routeSpec(f: string, x: unknown, op: RouteOp, dstField = at(f, "dst")): RouteSpec {
  const r = record(f, x, ["family", "dst", "dstLen", "via", "dev", "metric", "table"]);
  const family = v.oneOf(at(f, "family"), r.family, [net.AF_INET, net.AF_INET6]);
  if (op !== "delete" && r.via === undefined && r.dev === undefined)
    throw new ValidationError(at(f, "via"), "a route needs a gateway (via) or a device (dev)");
  const spec: RouteSpec = { family };
  if (r.dst !== undefined || r.dstLen !== undefined) {
    const dst = net.network(dstField, `${String(r.dst)}/${String(r.dstLen)}`);
    if (dst.family !== family) throw new ValidationError(at(f, "dst"), "is not of the route's address family");
    Object.assign(spec, { dst: dst.address, dstLen: dst.prefixLen });
  }
  if (r.via !== undefined && net.familyOf(at(f, "via"), r.via) !== family) {
    throw new ValidationError(at(f, "via"), "is not of the destination's address family");
  }
  return fields(f, r, ROUTE_FIELDS, spec);
}

/** Any string without NUL, empty included: what a process's environment and standard input may hold. */
const processText: Parser<string> = (f, x) => {
  if (typeof x !== "string" || x.includes("\0")) throw new ValidationError(f, "must be a string without NUL");
  return x;
};

/** Environment variables: names without '=' or NUL. */
const environment: Parser<Record<string, string>> = (f, x) => {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(record(f, x, Object.keys(x ?? {})))) {
    if (name === "" || /[=\0]/.test(name)) throw new ValidationError(at(f, name), "is not an environment variable name");
    env[name] = processText(at(f, name), value);
  }
  return env;
};

/** Node's own bound on one string: collected output past it could not be returned anyway. */
const MAX_MAX_BUFFER = 512 << 20;

const EXEC_OPTIONS: FieldParsers<ExecOptions> = {
  env: environment,
  input: processText,
  timeoutMs: (f, t) => v.integer(f, t, 1, 24 * 3600 * 1000),
  maxBuffer: (f, m) => v.integer(f, m, 1, MAX_MAX_BUFFER),
  cwd: v.text,
  group: v.boolean,
};
const EXEC_OPTION_KEYS = Object.keys(EXEC_OPTIONS);

const execOptions: Parser<ExecOptions> = (f, x) => fields(f, record(f, x, EXEC_OPTION_KEYS), EXEC_OPTIONS, {});

/** The port a spawned program's stdio goes over (see spawn in ../exec.ts). */
const execPort: Parser<MessagePort> = (f, x) => {
  // Loaded when a port is checked: node:worker_threads costs ~2 ms to load, and `ns list` and `ns add` never check one.
  const { MessagePort } = process.getBuiltinModule("node:worker_threads");
  if (!(x instanceof MessagePort)) throw new ValidationError(f, "must be a MessagePort");
  return x;
};

/**
 * A network sysctl's name, e.g. net.ipv4.ip_forward: it becomes a path under
 * /proc/sys, each dot a '/', so no part of it may be empty (a trailing dot
 * would name a directory, found only once the namespace is made).
 */
function sysctlName(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^net(\.[A-Za-z0-9_-]+)+$/.test(value)) {
    throw new ValidationError(field, `${shown(value)} is not a network sysctl like net.ipv4.ip_forward`);
  }
  return value;
}

const FAMILIES = [0, net.AF_INET, net.AF_INET6];

/** A route origin (rtm_protocol) to list: 0 (RTPROT_UNSPEC) is what the kernel reads as "no filter", so it is no origin to ask for. */
export const routeProtocol = (f: string, x: unknown) => v.integer(f, x, 1, 255);
type RoutesAction = Extract<NsActionSpec, { kind: "routes" }>;
const ROUTES_FILTER: FieldParsers<RoutesAction> = { protocol: routeProtocol, table: routeTable };
type SysctlAction = Extract<NsActionSpec, { kind: "sysctl" }>;
type ExecAction = Extract<NsActionSpec, { kind: "exec" }>;
const SYSCTL_VALUE: FieldParsers<SysctlAction> = { value: v.sysctlValue };
const EXEC_PORT: FieldParsers<ExecAction> = {
  port: execPort,
  stdio: (f, x) => v.oneOf(f, x, ["pipe", "inherit", "merged"] as const),
  control: execPort,
};

export const nsAction: Parser<NsActionSpec> = byKind<NsActionSpec>("namespace action", {
  links: bare("links"),
  getLink: (f, x) => ({ kind: "getLink", link: linkRef(at(f, "link"), record(f, x, ["kind", "link"]).link) }),
  setLinkNs: (f, x) => {
    const r = record(f, x, ["kind", "link", "ns"]);
    return { kind: "setLinkNs", link: linkRef(at(f, "link"), r.link), ns: existingNsProvider(at(f, "ns"), r.ns) };
  },
  link: (f, x) => {
    const r = record(f, x, ["kind", "link", "actions"]);
    const link = linkProvider(at(f, "link"), r.link);
    const actions = list(at(f, "actions"), r.actions, linkAction);
    // They would run on the namespace the link is not in.
    if (link.kind === "new" && link.spec.ns && actions.length > 0)
      throw new ValidationError(at(f, "actions"), "must be empty for a link created in another namespace (spec.ns): run them there");
    return { kind: "link", link, actions };
  },
  addrs: (f, x) => ({ kind: "addrs", family: v.oneOf(at(f, "family"), record(f, x, ["kind", "family"]).family, FAMILIES) }),
  deleteGroup: (f, x) => ({ kind: "deleteGroup", group: v.integer(at(f, "group"), record(f, x, ["kind", "group"]).group, 1, 0xffffffff) }),
  sysctl: (f, x) => {
    const r = record(f, x, ["kind", "name", "value"]);
    return fields(f, r, SYSCTL_VALUE, { kind: "sysctl", name: sysctlName(at(f, "name"), r.name) } as SysctlAction);
  },
  route: (f, x) => {
    const r = record(f, x, ["kind", "op", "route"]);
    const op = v.oneOf(at(f, "op"), r.op, ["add", "replace", "delete"] as const);
    return { kind: "route", op, route: routeSpec(at(f, "route"), r.route, op) };
  },
  routes: (f, x) => {
    const r = record(f, x, ["kind", "family", "protocol", "table"]);
    return fields(f, r, ROUTES_FILTER, { kind: "routes", family: v.oneOf(at(f, "family"), r.family, FAMILIES) } as RoutesAction);
  },
  handle: bare("handle"),
  newNamed,
  deleteNamed,
  exec: (f, x) => {
    const r = record(f, x, ["kind", "argv", "options", "port", "stdio", "control"]);
    const argv = list(at(f, "argv"), r.argv, (ff, a) => v.text(ff, a, 1 << 17));
    if (argv.length === 0) throw new ValidationError(at(f, "argv"), "must be a non-empty array of strings");
    const action = fields(f, r, EXEC_PORT, { kind: "exec", argv, options: execOptions(at(f, "options"), r.options ?? {}) } as ExecAction);
    // setsid() takes the program off the terminal it would share: job control (Ctrl-C, Ctrl-Z) would no longer reach it.
    if (action.stdio === "inherit" && action.options.group === true)
      throw new ValidationError(
        at(f, "options.group"),
        'needs piped stdio: a program on this process\'s terminal stays in its foreground group (stdio "inherit")',
      );
    return action;
  },
  custom: (f, x) => ({ kind: "custom", ...customCode(f, record(f, x, ["kind", "module", "export", "args"])) }),
});
