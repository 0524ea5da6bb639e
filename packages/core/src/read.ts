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
export { ns } from "./namespace/ns.js";
export type { NsProvider } from "./namespace/providers.js";
export { listNetns } from "./namespace/list-ids.js";
export { readAddrs, readLinks } from "./namespace/read.js";
export { locateNamed, locateNode, parseNodeRef } from "./topology/locate.js";
