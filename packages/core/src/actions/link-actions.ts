/**
 * Link actions: what linkDo does to its link. Plain data, validated when built
 * and again by the worker, by the same rules (validate/actions.ts);
 * consecutive changes go to the kernel pipelined in one datagram (if one
 * fails, the error names it; the kernel may still have applied those after it
 * in the same datagram).
 */
import type { Address, SetLinkChanges } from "@neslink/codec-wasm";
import type { LinkRef } from "../links/providers.js";
import { linkAction, linkChanges } from "../validate/actions.js";
import * as net from "../validate/net.js";
import { readFields, readingAs } from "../validate/shape.js";

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
  return { kind: "set", changes: readingAs("", () => linkChanges("", changes)) };
}

export const setName = (name: string) => set({ name });
/** Sets the alias; "" clears it. */
export const setAlias = (alias: string) => set({ alias });
export const setMac = (mac: string) => set({ mac });
export const setMtu = (mtu: number) => set({ mtu });
export const setUp = () => set({ up: true });
export const setDown = () => set({ up: false });
export const setPromisc = (on: boolean) => set({ promisc: on });
export const setMaster = (bridge: LinkRef) => set({ master: bridge });
export const noMaster = () => set({ master: null });
export const setGroup = (group: number) => set({ group });

/** An address change: an action whose spec (the address checked, split from its prefix) is visible to the caller. */
export type AddrChange<K extends "addAddr" | "delAddr"> = LinkAction<null> & Extract<LinkActionSpec, { kind: K }>;

/**
 * Adds an address ("10.0.0.1/24", "2001:db8::1/64"); `replace` makes it idempotent. The unspecified address (0.0.0.0,
 * which the kernel takes and keeps nothing of; ::) and an IPv6 multicast one (refused by the kernel) are refused here.
 */
export function addAddr(cidr: string, options: { replace?: boolean } = {}): AddrChange<"addAddr"> {
  const { replace } = readFields("options", options, ["replace"]);
  return linkAction("", {
    kind: "addAddr",
    cidr: net.interfaceAddress("address", cidr),
    replace: replace ?? false,
  }) as AddrChange<"addAddr">;
}

/** Deletes an address; one the link does not have (with that prefix length) fails with ERR_ADDR_NOT_FOUND. */
export function delAddr(cidr: string): AddrChange<"delAddr"> {
  return linkAction("", { kind: "delAddr", cidr: net.cidr("address", cidr) }) as AddrChange<"delAddr">;
}

/** The link's addresses, as the kernel reports them. */
export function addrs(): LinkAction<Address[]> {
  return { kind: "addrs" };
}

/** Your own code, on the worker inside the namespace: `exportName(args, { link })`. */
export function custom<R = unknown>(module: string, exportName: string, args?: unknown): LinkAction<R> {
  return linkAction("", { kind: "custom", module, export: exportName, ...(args !== undefined && { args }) });
}
