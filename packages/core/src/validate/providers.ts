/**
 * The rules for providers, by kind: namespace providers, link references and
 * new-link specs. The constructors (ns.*, lp.*) build through these, and the
 * worker checks what it is sent with them, so a hand-built object meets the
 * same rules as a constructed one.
 */
import type { LinkKind } from "@neslink/codec-wasm";
import { LIMITS, LINK_KINDS, MACVLAN_MODES } from "@neslink/codec-wasm/limits";
import { ValidationError } from "../errors.js";
import type { LinkProvider, LinkRef, NewLinkSpec } from "../links/providers.js";
import { DEFAULT_NETNS_DIR, type ExistingNsProvider, isExisting, type NsProvider } from "../namespace/providers.js";
import * as net from "./net.js";
import { at, bare, byKind, optional, type Parser, record } from "./shape.js";
import * as v from "./validate.js";

/** The mount dir of named namespaces; the default one, named on nearly every call, needs no checking. */
const mountDir = (field: string, dir: unknown) => (dir === DEFAULT_NETNS_DIR ? dir : v.absolutePath(field, dir));

/** A custom provider or action: a module the worker imports and the export it calls. */
export function customCode(field: string, r: Record<string, unknown>) {
  return {
    module: v.moduleSpecifier(at(field, "module"), r.module),
    export: v.text(at(field, "export"), r.export),
    ...("args" in r && { args: r.args }),
  };
}

const existingNsTable: Record<string, Parser<ExistingNsProvider>> = {
  now: bare("now"),
  name: (f, x) => {
    const r = record(f, x, ["kind", "name", "dir"]);
    return { kind: "name", name: v.namespaceName(at(f, "name"), r.name), dir: mountDir(at(f, "dir"), r.dir) };
  },
  path: (f, x) => ({ kind: "path", path: v.absolutePath(at(f, "path"), record(f, x, ["kind", "path"]).path) }),
  process: (f, x) => ({ kind: "process", pid: v.pid(at(f, "pid"), record(f, x, ["kind", "pid"]).pid) }),
  thread: (f, x) => {
    const r = record(f, x, ["kind", "pid", "tid"]);
    return { kind: "thread", pid: v.pid(at(f, "pid"), r.pid), tid: v.pid(at(f, "tid"), r.tid) };
  },
  handle: (f, x) => ({ kind: "handle", fd: v.integer(at(f, "fd"), record(f, x, ["kind", "fd"]).fd, 0, 0x7fffffff) }),
};

const anyExistingNs = byKind("namespace provider", existingNsTable);

/** A provider of a namespace that already exists (a link can be moved or a veth peer made there). */
export const existingNsProvider: Parser<ExistingNsProvider> = (f, x) => {
  const kind = typeof x === "object" && x !== null ? (x as { kind?: unknown }).kind : undefined;
  if (typeof kind === "string" && Object.hasOwn(nsTable, kind) && !isExisting({ kind } as NsProvider)) {
    throw new ValidationError(f, `must be an existing namespace, not one from a "${kind}" provider`);
  }
  return anyExistingNs(f, x);
};

const nsTable: Record<string, Parser<NsProvider>> = {
  ...existingNsTable,
  new: bare("new"),
  newNamed: (f, x) => {
    const r = record(f, x, ["kind", "name", "dir", "loAlias"]);
    return {
      kind: "newNamed",
      name: v.namespaceName(at(f, "name"), r.name),
      dir: mountDir(at(f, "dir"), r.dir),
      ...(r.loAlias !== undefined && { loAlias: v.alias(at(f, "loAlias"), r.loAlias) }),
    };
  },
  custom: (f, x) => ({ kind: "custom", ...customCode(f, record(f, x, ["kind", "module", "export", "args"])) }),
};

export const nsProvider: Parser<NsProvider> = byKind("namespace provider", nsTable);

const linkRefTable: Record<string, Parser<LinkRef>> = {
  name: (f, x) => ({ kind: "name", name: v.linkName(at(f, "name"), record(f, x, ["kind", "name"]).name) }),
  alias: (f, x) => ({ kind: "alias", alias: v.alias(at(f, "alias"), record(f, x, ["kind", "alias"]).alias) }),
  index: (f, x) => ({ kind: "index", index: v.linkIndex(at(f, "index"), record(f, x, ["kind", "index"]).index) }),
};

export const linkRef: Parser<LinkRef> = byKind("link reference", linkRefTable);

/** An IFLA_GROUP: any u32. */
const linkGroup: Parser<number> = (f, g) => v.integer(f, g, 0, 0xffffffff);

const veth: Parser<NonNullable<NewLinkSpec["peer"]>> = (f, x) => {
  const r = record(f, x, ["name", "ns", "mac", "mtu", "group"]);
  return {
    name: v.linkName(at(f, "name"), r.name),
    ...optional(f, r, "ns", existingNsProvider),
    ...optional(f, r, "mac", net.mac),
    ...optional(f, r, "mtu", v.mtu),
    ...optional(f, r, "group", linkGroup),
  };
};

/** A VXLAN endpoint: of the family of the ones before it, multicast exactly when it is the group. */
const vxlanEndpoint =
  (multicast: boolean | undefined, family: { is?: number }): Parser<string> =>
  (f, x) => {
    const got = net.familyOf(f, x);
    family.is ??= got;
    if (family.is !== got) throw new ValidationError(f, "is not of the address family of vxlan.local");
    if (multicast !== undefined && net.isMulticast(x as string) !== multicast) {
      throw new ValidationError(f, multicast ? "must be a multicast address" : "must not be a multicast address (use group)");
    }
    return x as string;
  };

const vxlan: Parser<NonNullable<NewLinkSpec["vxlan"]>> = (f, x) => {
  const r = record(f, x, ["id", "local", "group", "remote", "port"]);
  if (r.group !== undefined && r.remote !== undefined) throw new ValidationError(at(f, "remote"), "cannot be given with group");
  const family = {};
  return {
    id: v.integer(at(f, "id"), r.id, 0, LIMITS.vxlanIdMax),
    ...optional(f, r, "local", vxlanEndpoint(undefined, family)),
    ...optional(f, r, "group", vxlanEndpoint(true, family)),
    ...optional(f, r, "remote", vxlanEndpoint(false, family)),
    ...optional(f, r, "port", (ff, p) => v.integer(ff, p, LIMITS.portMin, LIMITS.portMax)),
  };
};

const gre: Parser<NonNullable<NewLinkSpec["gre"]>> = (f, x) => {
  const r = record(f, x, ["local", "remote"]);
  const endpoint = net.ipOf(LIMITS.gretapFamily);
  return { ...optional(f, r, "local", endpoint), ...optional(f, r, "remote", endpoint) };
};

/** Which kind-specific fields each kind needs (true) or may have (false); the others it may not. */
const KIND_FIELDS: Record<LinkKind, Partial<Record<"peer" | "vxlan" | "gre" | "macvlanMode" | "parent", boolean>>> = {
  bridge: {},
  dummy: {},
  ifb: {},
  wireguard: {},
  veth: { peer: true },
  vxlan: { vxlan: true, parent: false },
  gretap: { gre: true },
  macvlan: { parent: true, macvlanMode: true },
};

/** What to create: common fields, and the fields of its kind. */
export const newLinkSpec: Parser<NewLinkSpec> = (f, x) => {
  const r = record(f, x, ["name", "type", "mtu", "mac", "group", "master", "up", "parent", "peer", "vxlan", "gre", "macvlanMode"]);
  const type = v.oneOf(at(f, "type"), r.type, LINK_KINDS);
  const fields = KIND_FIELDS[type];
  for (const key of ["peer", "vxlan", "gre", "macvlanMode", "parent"] as const) {
    const need = fields[key];
    if (need === undefined && r[key] !== undefined) throw new ValidationError(at(f, key), `is not a field of a ${type} link`);
    if (need === true && r[key] === undefined) throw new ValidationError(at(f, key), `is needed for a ${type} link`);
  }
  return {
    name: v.linkName(at(f, "name"), r.name),
    type,
    ...optional(f, r, "mtu", v.mtu),
    ...optional(f, r, "mac", net.mac),
    ...optional(f, r, "group", linkGroup),
    ...optional(f, r, "master", linkRef),
    ...optional(f, r, "up", v.boolean),
    ...optional(f, r, "parent", linkRef),
    ...optional(f, r, "peer", veth),
    ...optional(f, r, "vxlan", vxlan),
    ...optional(f, r, "gre", gre),
    ...optional(f, r, "macvlanMode", (ff, m) => v.oneOf(ff, m, MACVLAN_MODES)),
  };
};

export const linkProvider: Parser<LinkProvider> = byKind<LinkProvider>("link provider", {
  ...linkRefTable,
  new: (f, x) => ({ kind: "new", spec: newLinkSpec(at(f, "spec"), record(f, x, ["kind", "spec"]).spec) }),
});
