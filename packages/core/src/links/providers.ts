/**
 * Link providers: how linkDo finds the link it works on — an existing one by
 * name, alias or index, or a new one it creates. Plain data, validated when
 * built and again by the worker, by the same rules (validate/providers.ts).
 */
import type { KindOptions, LinkKind, MacvlanMode, OptionedKind } from "@neslink/codec-wasm";
import type { ExistingNsProvider, NsProvider } from "../namespace/providers.js";
import { linkRef, newLinkSpec } from "../validate/providers.js";
import { readFields, readingAs } from "../validate/shape.js";

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
  /**
   * Create it directly in this (existing) namespace, not in linkDo's: its
   * parent (a vxlan's underlay) is still looked up in linkDo's namespace, and
   * a vxlan's, gretap's or wireguard's socket stays there, as with `ip link
   * add link eth0 name mv0 netns NS type macvlan`. A link made in linkDo's
   * namespace and moved (setLinkNs) ends up the same, but the kernel waits
   * ~30 ms on every move. Not for a veth (its `peer.ns` is), nor with
   * `master` or link actions (they would be looked up or run here).
   */
  ns?: NsProvider;
}

/** A veth's other end; `ns` creates it directly inside that (existing) namespace. */
export interface VethPeerSpec {
  readonly name: string;
  readonly ns?: ExistingNsProvider;
  readonly mac?: string;
  readonly mtu?: number;
  /** IFLA_GROUP of this end (the other end's is the spec's own group). */
  readonly group?: number;
}

/**
 * Where core's options of a kind differ from the codec's: they name
 * namespaces and links by provider, which the worker turns into the fds and
 * indexes the codec takes.
 */
interface ByProvider {
  veth: { readonly peer: VethPeerSpec };
  vxlan: Omit<KindOptions<"vxlan">, "parentIndex">;
}

/** A kind's options as core takes them: the codec's generated type, but for references (ByProvider). */
export type LinkOptions<K extends OptionedKind> = K extends keyof ByProvider ? ByProvider[K] : KindOptions<K>;

/**
 * What to create: the codec's NewLinkRequest with references instead of
 * indexes and fds. The options of its `type` ride in the field named as the
 * kind (`veth: { peer }`, `macvlan: { mode }`); which kinds need options or a
 * `parent`, and what their options may hold, is the codec's (LINK_KIND_RULES).
 */
export type NewLinkSpec = {
  readonly name: string;
  readonly type: LinkKind;
  readonly mtu?: number;
  readonly mac?: string;
  readonly group?: number;
  readonly master?: LinkRef;
  readonly up?: boolean;
  /** The link it sits on (IFLA_LINK): required for macvlan, optional for vxlan, refused where the kind takes none. */
  readonly parent?: LinkRef;
  /** The namespace it is created in, when not linkDo's (see NewLinkOptions.ns). */
  readonly ns?: ExistingNsProvider;
} & { readonly [K in OptionedKind]?: LinkOptions<K> };

export type LinkProvider = LinkRef | { readonly kind: "new"; readonly spec: NewLinkSpec };

export function byName(linkName: string): LinkRef {
  return linkRef("link", { kind: "name", name: linkName });
}

export function byAlias(alias: string): LinkRef {
  return linkRef("link", { kind: "alias", alias });
}

export function byIndex(index: number): LinkRef {
  return linkRef("link", { kind: "index", index });
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

/** The fields of NewLinkOptions: a shorthand's options object may have these (and its kind's own), nothing else. */
const LINK_OPTION_KEYS = ["mtu", "mac", "group", "master", "up", "ns"];

/**
 * A new link of `type`, checked by the rules the worker checks it by (which
 * drop the options left undefined); a shorthand's options object first, for
 * misspelt fields (one was dropped without a word: a veth on no bridge).
 */
function create(name: string, type: LinkKind, o: NewLinkOptions, fields: Partial<NewLinkSpec> = {}): LinkProvider {
  return fromRecord(name, type, readFields("options", o, LINK_OPTION_KEYS) as NewLinkOptions, fields);
}

/** A new link from an options object already read (record: no getter read twice, no misspelt key). */
function fromRecord(
  name: string,
  type: LinkKind,
  { mtu, mac, group, master, up, ns }: NewLinkOptions,
  fields: Partial<NewLinkSpec>,
): LinkProvider {
  return { kind: "new", spec: newLinkSpec("", { name, type, mtu, mac, group, master, up, ns, ...fields }) };
}

/** What `newLink` takes: the kind, its name, the options every link may take, `parent` and the kind's own options. */
export type NewLinkOf<K extends LinkKind> = { readonly type: K; readonly name: string; readonly parent?: LinkRef } & NewLinkOptions &
  (K extends OptionedKind ? { readonly [P in K]?: LinkOptions<K> } : unknown);

/**
 * A new link of any kind the codec creates, e.g. `newLink({ type: "macvtap",
 * name: "t0", parent: byName("eth0"), macvtap: { mode: "bridge" } })`: the
 * kind's rules and its options' schema come from the codec, so a kind added
 * there needs nothing here. The per-kind constructors below are shorthands.
 */
export function newLink<K extends LinkKind>(spec: NewLinkOf<K>): LinkProvider {
  return { kind: "new", spec: readingAs("", () => newLinkSpec("", spec)) };
}

export function newBridge(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(name, "bridge", options);
}

export interface VethPeer {
  name: string;
  /** Create the peer directly inside this (existing) namespace, in the same request. */
  ns?: NsProvider;
  mac?: string;
  mtu?: number;
  /** The peer's IFLA_GROUP (`group` in the options is the first end's). */
  group?: number;
}

export function newVeth(name: string, peer: VethPeer, options: NewLinkOptions = {}): LinkProvider {
  // The options are read (readFields) before the peer: what a getter throws in here is the peer's.
  return readingAs("veth.peer", () => create(name, "veth", options, { veth: { peer: peer as VethPeerSpec } }));
}

export function newDummy(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(name, "dummy", options);
}

export function newIfb(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(name, "ifb", options);
}

export function newWireguard(name: string, options: NewLinkOptions = {}): LinkProvider {
  return create(name, "wireguard", options);
}

export function newGretap(name: string, gre: { local?: string; remote?: string }, options: NewLinkOptions = {}): LinkProvider {
  return readingAs("gretap", () => create(name, "gretap", options, { gretap: gre }));
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

const VXLAN_OPTION_KEYS = [...LINK_OPTION_KEYS, "id", "local", "multicastGroup", "remote", "port", "parent"];

export function newVxlan(name: string, o: VxlanOptions): LinkProvider {
  const read = readFields("options", o, VXLAN_OPTION_KEYS) as unknown as VxlanOptions;
  const { id, local, multicastGroup, remote, port, parent } = read;
  return fromRecord(name, "vxlan", read, { vxlan: { id, local, group: multicastGroup, remote, port }, parent });
}

export function newMacvlan(name: string, parent: LinkRef, mode: MacvlanMode = "bridge", options: NewLinkOptions = {}): LinkProvider {
  return create(name, "macvlan", options, { parent, macvlan: { mode } });
}
