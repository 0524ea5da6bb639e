/**
 * Link providers: how linkDo finds the link it works on — an existing one by
 * name, alias or index, or a new one it creates. Plain data, validated here.
 */
import type { LinkKind } from "@neslink/codec-wasm";
import { ValidationError } from "../errors.js";
import { type ExistingNsProvider, isExisting, type NsProvider } from "../namespace/providers.js";
import * as net from "../validate/net.js";
import * as v from "../validate/validate.js";

/** An existing link. */
export type LinkRef =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "alias"; readonly alias: string }
  | { readonly kind: "index"; readonly index: number };

/** Options every new link may take. */
export interface NewLinkOptions {
  mtu?: number;
  mac?: string;
  group?: number;
  /** The bridge to attach it to. */
  master?: LinkRef;
  /** Create it up (saves a request after creation). */
  up?: boolean;
}

/** What to create: the codec's NewLinkRequest, with references instead of indexes and fds. */
export interface NewLinkSpec {
  readonly name: string;
  readonly type: LinkKind;
  readonly mtu?: number;
  readonly mac?: string;
  readonly group?: number;
  readonly master?: LinkRef;
  readonly up?: boolean;
  readonly parent?: LinkRef;
  readonly peer?: { readonly name: string; readonly ns?: ExistingNsProvider; readonly mac?: string; readonly mtu?: number };
  readonly vxlan?: {
    readonly id: number;
    readonly local?: string;
    readonly group?: string;
    readonly remote?: string;
    readonly port?: number;
  };
  readonly gre?: { readonly local?: string; readonly remote?: string };
  readonly macvlanMode?: "private" | "vepa" | "bridge" | "passthru" | "source";
}

export type LinkProvider = LinkRef | { readonly kind: "new"; readonly spec: NewLinkSpec };

export function byName(linkName: string): LinkRef {
  return { kind: "name", name: v.linkName("link.name", linkName) };
}

export function byAlias(alias: string): LinkRef {
  return { kind: "alias", alias: v.text("link.alias", alias, 127) };
}

export function byIndex(index: number): LinkRef {
  return { kind: "index", index: v.linkIndex("link.index", index) };
}

export function describe(p: LinkRef): string {
  switch (p.kind) {
    case "name":
      return `name "${p.name}"`;
    case "alias":
      return `alias "${p.alias}"`;
    case "index":
      return `index ${p.index}`;
  }
}

function common(name: string, type: LinkKind, o: NewLinkOptions): NewLinkSpec {
  return {
    name: v.linkName("name", name),
    type,
    ...(o.mtu !== undefined && { mtu: v.mtu("mtu", o.mtu) }),
    ...(o.mac !== undefined && { mac: net.mac("mac", o.mac) }),
    ...(o.group !== undefined && { group: v.integer("group", o.group, 0, 0xffffffff) }),
    ...(o.master !== undefined && { master: o.master }),
    ...(o.up !== undefined && { up: Boolean(o.up) }),
  };
}

const create = (spec: NewLinkSpec): LinkProvider => ({ kind: "new", spec });

export function newBridge(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(common(name, "bridge", options));
}

export interface VethPeer {
  name: string;
  /** Create the peer directly inside this (existing) namespace, in the same request. */
  ns?: NsProvider;
  mac?: string;
  mtu?: number;
}

export function newVeth(name: string, peer: VethPeer, options: NewLinkOptions = {}): LinkProvider {
  if (peer.ns !== undefined && !isExisting(peer.ns)) throw new ValidationError("peer.ns", "must be an existing namespace");
  return create({
    ...common(name, "veth", options),
    peer: {
      name: v.linkName("peer.name", peer.name),
      ...(peer.ns !== undefined && { ns: peer.ns as ExistingNsProvider }),
      ...(peer.mac !== undefined && { mac: net.mac("peer.mac", peer.mac) }),
      ...(peer.mtu !== undefined && { mtu: v.mtu("peer.mtu", peer.mtu) }),
    },
  });
}

export function newDummy(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(common(name, "dummy", options));
}

export function newIfb(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(common(name, "ifb", options));
}

export function newWireguard(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(common(name, "wireguard", options));
}

export function newGretap(name: string, gre: { local?: string; remote?: string }, options: NewLinkOptions = {}): LinkProvider {
  return create({
    ...common(name, "gretap", options),
    gre: {
      ...(gre.local !== undefined && { local: net.ip("gre.local", gre.local) }),
      ...(gre.remote !== undefined && { remote: net.ip("gre.remote", gre.remote) }),
    },
  });
}

export interface VxlanOptions extends NewLinkOptions {
  id: number;
  local?: string;
  /** Multicast group to join (needs `parent`); `group` is the link's IFLA_GROUP. */
  multicastGroup?: string;
  remote?: string;
  port?: number;
  parent?: LinkRef;
}

export function newVxlan(name: string, o: VxlanOptions): LinkProvider {
  return create({
    ...common(name, "vxlan", o),
    ...(o.parent !== undefined && { parent: o.parent }),
    vxlan: {
      id: v.integer("vxlan.id", o.id, 0, 0xffffff),
      ...(o.local !== undefined && { local: net.ip("vxlan.local", o.local) }),
      ...(o.multicastGroup !== undefined && { group: net.ip("vxlan.multicastGroup", o.multicastGroup) }),
      ...(o.remote !== undefined && { remote: net.ip("vxlan.remote", o.remote) }),
      ...(o.port !== undefined && { port: v.integer("vxlan.port", o.port, 1, 65535) }),
    },
  });
}

export function newMacvlan(
  name: string,
  parent: LinkRef,
  mode: NewLinkSpec["macvlanMode"] = "bridge",
  options: NewLinkOptions = {},
): LinkProvider {
  const modes = ["private", "vepa", "bridge", "passthru", "source"];
  if (!modes.includes(mode as string)) throw new ValidationError("mode", `must be one of ${modes.join(", ")}`);
  return create({ ...common(name, "macvlan", options), parent, macvlanMode: mode });
}
