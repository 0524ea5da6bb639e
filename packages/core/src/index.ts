/**
 * @neslink/core — Linux network namespaces and links, driven from TypeScript.
 *
 * A network namespace belongs to an OS thread, so work that runs inside one
 * runs on a pool of worker threads; libuv's pool never moves, and the calling
 * thread only steps into a namespace for the system calls that open a socket
 * there (namespace/brief-switch.ts). Work is described as plain data: a
 * namespace provider (which namespace) and actions (what to do there):
 *
 * ```ts
 * import { nsDo, ns, na } from "@neslink/core";
 * const { results: [links] } = await nsDo(ns.name("example"), na.links());
 * ```
 *
 * Results are JSON-serialisable; errors are `NeslinkError`s with stable codes.
 * The Go seed's names (NsDo, NPName, NALinks, ...) are exported as aliases
 * at the end of this file, for people porting code.
 */
import * as linkActions from "./actions/link-actions.js";
import * as nsActions from "./actions/ns-actions.js";
import { linkDo, mustLinkDo } from "./linkdo.js";
import * as linkProviders from "./links/providers.js";
import * as nsProviders from "./namespace/providers.js";
import { mustNsDo, nsDo } from "./nsdo.js";

export * from "./lean.js";
export { SHAPE_SCHEMAS } from "./shapes/schemas.js";
export type { Problem, Topology, TopologyExec, TopologyFile, TopologyInterface, TopologyLink, TopologyNode } from "./topology/index.js";
/** Topologies as data: `topology.load(file)` gives a validated Topology (plan, apply, destroy and inspect build on it). */
export * as topology from "./topology/index.js";
export { TopologyError } from "./topology/problems.js";

// The seed's Go names, for porting. Each is the TypeScript function above.
/** Go: `NsDo(nsProvider, ...nsActions)`. Resolves with `{ results, returned }` (`returned` is Go's `ok`). */
export const NsDo = nsDo;
/** Go: `MustNsDo`. A failed return to the original namespace is fatal. */
export const MustNsDo = mustNsDo;
/** Go: `NPNow()`. */
export const NPNow = nsProviders.now;
/** Go: `NPName(name)`. */
export const NPName = (name: string) => nsProviders.name(name);
/** Go: `NPNameAt(mountdir, name)`: note the seed's argument order. */
export const NPNameAt = (dir: string, name: string) => nsProviders.name(name, dir);
/** Go: `NPPath(path)`. */
export const NPPath = nsProviders.path;
/** Go: `NPProcess(pid)`. */
export const NPProcess = nsProviders.processNs;
/** Go: `NPThread(pid, tid)`. */
export const NPThread = nsProviders.thread;
/** Go: `NPNew()`. */
export const NPNew = nsProviders.create;
/** Go: `NPNewNamed(name)`. */
export const NPNewNamed = (name: string) => nsProviders.createNamed(name);
/** Go: `NPGeneric(func)`: here a module and export run inside the worker. */
export const NPGeneric = nsProviders.custom;
/** Go: `NALinks(&links)`: the links are the action's result. */
export const NALinks = nsActions.links;
/** Go: `NAGetLink(linkProvider, &link)`. */
export const NAGetLink = nsActions.getLink;
/** Go: `NASetLinkNs(linkProvider, nsProvider)`. */
export const NASetLinkNs = nsActions.setLinkNs;
/** Go: `NAGetNsFd(&fd)`: the handle is the action's result. */
export const NAGetNsFd = nsActions.handle;
/** Go: `NANewNs(name)`. */
export const NANewNs = (name: string) => nsActions.createNamed(name);
/** Go: `NANewNsAt(mountdir, name)`. */
export const NANewNsAt = (dir: string, name: string) => nsActions.createNamed(name, dir);
/** Go: `NADeleteNamed(name)`. */
export const NADeleteNamed = (name: string) => nsActions.deleteNamed(name);
/** Go: `NADeleteNamedAt(mountdir, name)`. */
export const NADeleteNamedAt = (dir: string, name: string) => nsActions.deleteNamed(name, dir);
/** Go: `NAExecNescript(script, vars)`. */
export const NAExecNescript = nsActions.script;
/** Go: `NAGeneric(func)`: here a module and export run inside the worker. */
export const NAGeneric = nsActions.custom;
/** Go: `LPName(name)`. */
export const LPName = linkProviders.byName;
/** Go: `LPAlias(alias)`. */
export const LPAlias = linkProviders.byAlias;
/** Go: `LPIndex(index)`. */
export const LPIndex = linkProviders.byIndex;
/** Go: `LinkDo(nsProvider, linkProvider, ...linkActions)`. Resolves with `{ link, results, returned }`. */
export const LinkDo = linkDo;
/** Go: `MustLinkDo`. A failed return to the original namespace is fatal. */
export const MustLinkDo = mustLinkDo;
/** Go: `LPNewBridge(name)`. */
export const LPNewBridge = (name: string) => linkProviders.newBridge(name);
/** Go: `LPNewVeth(name, peerName)`. */
export const LPNewVeth = (name: string, peerName: string) => linkProviders.newVeth(name, { name: peerName });
/** Go: `LPNewDummy(name)`. */
export const LPNewDummy = (name: string) => linkProviders.newDummy(name);
/** Go: `LPNewGRETap(name, local, remote)`. */
export const LPNewGRETap = (name: string, local: string, remote: string) => linkProviders.newGretap(name, { local, remote });
/** Go: `LPNewWireguard(name)`. */
export const LPNewWireguard = (name: string) => linkProviders.newWireguard(name);
/** Go: `LPNewVxlan(name, id, local, group, port)`. */
export const LPNewVxlan = (name: string, id: number, local: string, group: string, port: number) =>
  linkProviders.newVxlan(name, { id, local, multicastGroup: group, port });
/** Go: `LADelete()`. */
export const LADelete = linkActions.remove;
/** Go: `LASetName(name)`. */
export const LASetName = linkActions.setName;
/** Go: `LASetAlias(alias)`. */
export const LASetAlias = linkActions.setAlias;
/** Go: `LASetHw(mac)`. */
export const LASetHw = linkActions.setMac;
/** Go: `LASetUp()`. */
export const LASetUp = linkActions.setUp;
/** Go: `LASetDown()`. */
export const LASetDown = linkActions.setDown;
/** Go: `LASetPromiscOn()`. */
export const LASetPromiscOn = () => linkActions.setPromisc(true);
/** Go: `LASetPromiscOff()`. */
export const LASetPromiscOff = () => linkActions.setPromisc(false);
/** Go: `LAAddAddr(cidr)`. */
export const LAAddAddr = (cidr: string): linkActions.AddrChange<"addAddr"> => linkActions.addAddr(cidr);
/** Go: `LADelAddr(cidr)`. */
export const LADelAddr = linkActions.delAddr;
/** Go: `LAGeneric(func)`: here a module and export run inside the worker. */
export const LAGeneric = linkActions.custom;
