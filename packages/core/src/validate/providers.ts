/**
 * The rules for providers, by kind: namespace providers, link references and
 * new-link specs. The constructors (ns.*, lp.*) build through these, and the
 * worker checks what it is sent with them, so a hand-built object meets the
 * same rules as a constructed one.
 */
import type { Validator } from "@cfworker/json-schema";
import type { LinkKind, OptionedKind } from "@neslink/codec-wasm";
import { LIMITS, LINK_KIND_RULES, LINK_KINDS } from "@neslink/codec-wasm/limits";
import { ValidationError } from "../errors.js";
import type { LinkOptions, LinkProvider, LinkRef, NewLinkSpec, VethPeerSpec } from "../links/providers.js";
import {
  DEFAULT_NETNS_DIR,
  type ExistingNsProvider,
  fromClosedHandle,
  HANDLE_CLOSED,
  isExisting,
  type NsProvider,
} from "../namespace/providers.js";
import { schemaErrors, validatorFor } from "./json-schema.js";
import * as net from "./net.js";
import { at, bare, byKind, type FieldParsers, fields, item, type Parser, readError, record } from "./shape.js";
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
  handle: (f, x) => {
    if (fromClosedHandle(x as object)) throw new ValidationError(f || "handle", HANDLE_CLOSED);
    const r = record(f, x, ["kind", "fd", "dev", "ino", "id"]);
    const fd = v.integer(at(f, "fd"), r.fd, 0, 0x7fffffff);
    if (r.dev === undefined && r.ino === undefined && r.id === undefined) return { kind: "handle", fd };
    return {
      kind: "handle",
      fd,
      dev: v.integer(at(f, "dev"), r.dev, 0, Number.MAX_SAFE_INTEGER),
      ino: v.integer(at(f, "ino"), r.ino, 0, Number.MAX_SAFE_INTEGER),
      ...(r.id !== undefined && { id: v.nsId(at(f, "id"), r.id) }),
    };
  },
};

const anyExistingNs = byKind("namespace provider", existingNsTable);

/** A provider of a namespace that already exists (a link can be moved or a veth peer made there). */
export const existingNsProvider: Parser<ExistingNsProvider> = (f, x) => {
  let kind: unknown;
  try {
    kind = typeof x === "object" && x !== null ? (x as { kind?: unknown }).kind : undefined;
  } catch (err) {
    // A getter or Proxy trap of `kind`.
    throw readError(f, err);
  }
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

const PEER_FIELDS: FieldParsers<VethPeerSpec> = { ns: existingNsProvider, mac: net.mac, mtu: v.mtu, group: linkGroup };
const PEER_KEYS = ["name", ...Object.keys(PEER_FIELDS)];

const vethPeer: Parser<VethPeerSpec> = (f, x) => {
  const r = record(f, x, PEER_KEYS);
  return fields(f, r, PEER_FIELDS, { name: v.linkName(at(f, "name"), r.name) });
};

const veth: Parser<LinkOptions<"veth">> = (f, x) => ({ peer: vethPeer(at(f, "peer"), record(f, x, ["peer"]).peer) });

/** A VXLAN endpoint: of the family of the ones before it, multicast exactly when it is the group. */
const vxlanEndpoint =
  (multicast: boolean, family: { is?: number }, unicastWhy = "(use group)"): Parser<string> =>
  (f, x) => {
    const got = net.familyOf(f, x);
    family.is ??= got;
    if (family.is !== got) throw new ValidationError(f, "is not of the address family of vxlan.local");
    if (net.isMulticast(x as string) !== multicast) {
      throw new ValidationError(f, multicast ? "must be a multicast address" : `must not be a multicast address ${unicastWhy}`);
    }
    return x as string;
  };

/** A vxlan's options (the topology's load holds a file's vxlan to these too). */
export const vxlan: Parser<LinkOptions<"vxlan">> = (f, x) => {
  const r = record(f, x, ["id", "local", "group", "remote", "port"]);
  if (r.group !== undefined && r.remote !== undefined) throw new ValidationError(at(f, "remote"), "cannot be given with group");
  const family = {};
  // Built per call: the endpoints share what family the first one found.
  const endpoints: FieldParsers<LinkOptions<"vxlan">> = {
    // The kernel refuses a multicast local address (EINVAL, "Local address cannot be multicast").
    local: vxlanEndpoint(false, family, "(the kernel refuses one as the local address)"),
    group: vxlanEndpoint(true, family),
    remote: vxlanEndpoint(false, family),
    port: (ff, p) => v.integer(ff, p, LIMITS.portMin, LIMITS.portMax),
  };
  return fields(f, r, endpoints, { id: v.integer(at(f, "id"), r.id, 0, LIMITS.vxlanIdMax) });
};

const greEndpoint = net.ipOf(LIMITS.gretapFamily);
const GRETAP_FIELDS: FieldParsers<LinkOptions<"gretap">> = { local: greEndpoint, remote: greEndpoint };
const GRETAP_KEYS = Object.keys(GRETAP_FIELDS);

const gretap: Parser<LinkOptions<"gretap">> = (f, x) => fields(f, record(f, x, GRETAP_KEYS), GRETAP_FIELDS, {});

const validators = new Map<LinkKind, Validator>();

/** A kind's options by the JSON Schema the codec generates from their Rust type; the first problem names its field. */
const bySchema =
  (kind: LinkKind, schema: Record<string, unknown>): Parser<unknown> =>
  (f, x) => {
    const validator = validators.get(kind) ?? validatorFor(schema);
    validators.set(kind, validator);
    const [problem] = schemaErrors(schema, validator, x);
    if (problem) {
      const path = problem.path.reduce<string>((p, key) => (typeof key === "number" ? item(p, key) : at(p, key)), f);
      throw new ValidationError(path, problem.message);
    }
    return x;
  };

/**
 * Kinds whose options core checks itself: they hold references (a veth
 * peer's namespace) or rules a schema cannot say (address families,
 * multicast), which the contract tests hold to the codec's. Every other
 * kind's options are checked by their schema.
 */
const OWN_RULES: { readonly [K in OptionedKind]?: Parser<LinkOptions<K>> } = { veth, vxlan, gretap };

/** The kinds that take options (the field of a spec named as each). */
const OPTIONED = LINK_KINDS.filter((k) => LINK_KIND_RULES[k].options !== "no") as OptionedKind[];

/** A field the kind needs, may have, or may not have, as the codec's rules say. */
function need(field: string, value: unknown, rule: "no" | "optional" | "required", type: LinkKind): void {
  if (rule === "no" && value !== undefined) throw new ValidationError(field, `is not a field of a ${type} link`);
  if (rule === "required" && value === undefined) throw new ValidationError(field, `is needed for a ${type} link`);
}

/** The fields every new link may have. */
const COMMON_FIELDS: FieldParsers<NewLinkSpec> = {
  mtu: v.mtu,
  mac: net.mac,
  group: linkGroup,
  master: linkRef,
  up: v.boolean,
  parent: linkRef,
  ns: existingNsProvider,
};
const NEW_LINK_KEYS = ["name", "type", ...Object.keys(COMMON_FIELDS), ...OPTIONED];

/**
 * A link created in another namespace (`ns`): its attributes that name links
 * are looked up in the namespace that sends the request, so only `parent`
 * (which is meant to be there) may; a veth's ends are placed by `peer.ns`.
 */
function elsewhere(f: string, spec: NewLinkSpec): void {
  if (spec.type === "veth")
    throw new ValidationError(
      at(f, "ns"),
      "is not a field of a veth link: make it from one end's namespace, the other end's in veth.peer.ns",
    );
  if (spec.master)
    throw new ValidationError(
      at(f, "master"),
      "cannot be given for a link made in another namespace (ns, netns): it would be looked up where the link is not; set it there afterwards",
    );
}

/** What to create: common fields, and the fields of its kind. */

export const newLinkSpec: Parser<NewLinkSpec> = (f, x) => {
  const r = record(f, x, NEW_LINK_KEYS);
  const type = v.oneOf(at(f, "type"), r.type, LINK_KINDS);
  const rules = LINK_KIND_RULES[type];
  for (const kind of OPTIONED) if (kind !== type) need(at(f, kind), r[kind], "no", type);
  need(at(f, type), r[type], rules.options, type);
  need(at(f, "parent"), r.parent, rules.parent, type);
  const spec = fields(f, r, COMMON_FIELDS, { name: v.linkName(at(f, "name"), r.name), type } as NewLinkSpec);
  const options = rules.schema && (OWN_RULES[type as OptionedKind] ?? bySchema(type, rules.schema));
  if (options && r[type] !== undefined) (spec as Record<string, unknown>)[type] = (options as Parser<unknown>)(at(f, type), r[type]);
  // Two ends of one name in one namespace: the kernel makes the peer, then refuses the link itself with EEXIST.
  const peer = spec.veth?.peer;
  if (peer && !peer.ns && peer.name === spec.name)
    throw new ValidationError(at(f, "veth.peer.name"), "is the veth's own name, in the same namespace");
  if (spec.ns) elsewhere(f, spec);
  return spec;
};

export const linkProvider: Parser<LinkProvider> = byKind<LinkProvider>("link provider", {
  ...linkRefTable,
  new: (f, x) => ({ kind: "new", spec: newLinkSpec(at(f, "spec"), record(f, x, ["kind", "spec"]).spec) }),
});
