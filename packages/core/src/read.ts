/**
 * @neslink/core/read — a namespace's links and addresses read from the
 * calling thread, with no worker pool (see namespace/read.ts), and the
 * namespace providers that say which, and a lab's node found by its marker
 * (locateNode: one such read for a node under its default name). What
 * `neslink link list`, `addr list`, `ns list --json` (the named namespaces
 * with their ids: listNetns) and `LAB:NODE` need, and nothing more, so they
 * start fast.
 */
export type { Address, Link } from "@neslink/codec-wasm";
export { listNetns } from "./namespace/list-ids.js";
export { ns } from "./namespace/ns.js";
export type { NsProvider } from "./namespace/providers.js";
export { readAddrs, readLinks } from "./namespace/read.js";
export { parseNodeRef } from "./topology/node-ref.js";

type Locate = typeof import("./topology/locate.js");
/**
 * Loaded at the first lookup of a node: what finds one (the lab's lock, cgroup and markers) is no part of a read
 * by name, path or pid, and costs such a read ~6M instructions (~2 ms) to load.
 */
const locate = () => import("./topology/locate.js");
export const locateNode: Locate["locateNode"] = async (...args) => (await locate()).locateNode(...args);
export const locateNamed: Locate["locateNamed"] = async (...args) => (await locate()).locateNamed(...args);
