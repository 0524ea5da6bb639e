/**
 * Link actions: what linkDo does to its link. Plain data, validated here;
 * consecutive changes go to the kernel pipelined in one datagram (if one
 * fails, the error names it; the kernel may still have applied those after it
 * in the same datagram).
 */
import type { Address, SetLinkChanges } from "@neslink/codec-wasm";
import { ValidationError } from "../errors.js";
import type { LinkRef } from "../links/providers.js";
import * as net from "../validate/net.js";
import * as v from "../validate/validate.js";

declare const resultType: unique symbol;

/** Attribute changes of `ip link set`: the codec's setLink fields, with the master found by reference (null detaches). */
export type LinkChanges = Omit<SetLinkChanges, "type" | "seq" | "pid" | "masterIndex"> & { master?: LinkRef | null };

export type LinkActionSpec =
  | { readonly kind: "delete" }
  | { readonly kind: "set"; readonly changes: LinkChanges }
  | { readonly kind: "addAddr"; readonly cidr: net.Cidr; readonly replace: boolean }
  | { readonly kind: "delAddr"; readonly cidr: net.Cidr }
  | { readonly kind: "addrs" }
  | { readonly kind: "custom"; readonly module: string; readonly export: string; readonly args?: unknown };

export type LinkAction<R = unknown> = LinkActionSpec & { readonly [resultType]?: R };
export type LinkResultsOf<A extends readonly LinkAction[]> = { -readonly [K in keyof A]: A[K] extends LinkAction<infer R> ? R : never };

/** Deletes the link (a veth's peer goes with it). Many links at once: use na.deleteGroup. */
export function remove(): LinkAction<null> {
  return { kind: "delete" };
}

/** Changes several attributes in one request. */
export function set(changes: LinkChanges): LinkAction<null> {
  const c: LinkChanges = {};
  if (changes.name !== undefined) c.name = v.linkName("name", changes.name);
  if (changes.alias !== undefined) c.alias = v.text("alias", changes.alias, 127);
  if (changes.mac !== undefined) c.mac = net.mac("mac", changes.mac);
  if (changes.mtu !== undefined) c.mtu = v.mtu("mtu", changes.mtu);
  if (changes.up !== undefined) c.up = Boolean(changes.up);
  if (changes.promisc !== undefined) c.promisc = Boolean(changes.promisc);
  if (changes.master !== undefined) c.master = changes.master;
  if (changes.group !== undefined) c.group = v.integer("group", changes.group, 0, 0xffffffff);
  if (Object.keys(c).length === 0) throw new ValidationError("changes", "nothing to change");
  return { kind: "set", changes: c };
}

export const setName = (name: string) => set({ name });
export const setAlias = (alias: string) => set({ alias });
export const setMac = (mac: string) => set({ mac });
export const setMtu = (mtu: number) => set({ mtu });
export const setUp = () => set({ up: true });
export const setDown = () => set({ up: false });
export const setPromisc = (on: boolean) => set({ promisc: on });
export const setMaster = (bridge: LinkRef) => set({ master: bridge });
export const noMaster = () => set({ master: null });
export const setGroup = (group: number) => set({ group });

/** Adds an address ("10.0.0.1/24", "2001:db8::1/64"); `replace` makes it idempotent. */
export function addAddr(cidr: string, options: { replace?: boolean } = {}): LinkAction<null> {
  return { kind: "addAddr", cidr: net.cidr("address", cidr), replace: options.replace ?? false };
}

export function delAddr(cidr: string): LinkAction<null> {
  return { kind: "delAddr", cidr: net.cidr("address", cidr) };
}

/** The link's addresses, as the kernel reports them. */
export function addrs(): LinkAction<Address[]> {
  return { kind: "addrs" };
}

/** Your own code, on the worker inside the namespace: `exportName(args, { link })`. */
export function custom<R = unknown>(module: string, exportName: string, args?: unknown): LinkAction<R> {
  return { kind: "custom", module: v.moduleSpecifier("module", module), export: v.text("export", exportName), args };
}
