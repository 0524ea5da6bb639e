/** Link providers and link actions under their short names (`lp.bridge("br0")`, `la.up()`): what lean, index and link export as `lp` and `la`. */
import * as linkActions from "../actions/link-actions.js";
import * as linkProviders from "./providers.js";

/** Link providers: which link linkDo works on — found, or created. */
export const lp = {
  name: linkProviders.byName,
  alias: linkProviders.byAlias,
  index: linkProviders.byIndex,
  /** A new link of any kind: `lp.new({ type: "macvtap", name: "t0", parent: lp.name("eth0"), macvtap: { mode: "bridge" } })`. */
  new: linkProviders.newLink,
  bridge: linkProviders.newBridge,
  veth: linkProviders.newVeth,
  dummy: linkProviders.newDummy,
  gretap: linkProviders.newGretap,
  wireguard: linkProviders.newWireguard,
  vxlan: linkProviders.newVxlan,
  macvlan: linkProviders.newMacvlan,
  ifb: linkProviders.newIfb,
} as const;

/** Link actions: what linkDo does to the link. */
export const la = {
  delete: linkActions.remove,
  set: linkActions.set,
  setName: linkActions.setName,
  setAlias: linkActions.setAlias,
  setMac: linkActions.setMac,
  setMtu: linkActions.setMtu,
  up: linkActions.setUp,
  down: linkActions.setDown,
  promisc: linkActions.setPromisc,
  master: linkActions.setMaster,
  noMaster: linkActions.noMaster,
  group: linkActions.setGroup,
  addAddr: linkActions.addAddr,
  delAddr: linkActions.delAddr,
  addrs: linkActions.addrs,
  custom: linkActions.custom,
} as const;
