/** Namespace actions under their short name (`na.links()`): what lean, index and link export as `na`. */
import * as nsActions from "./ns-actions.js";
import * as routeActions from "./route-actions.js";

/** Namespace actions: what nsDo does there. */
export const na = {
  links: nsActions.links,
  getLink: nsActions.getLink,
  setLinkNs: nsActions.setLinkNs,
  handle: nsActions.handle,
  createNamed: nsActions.createNamed,
  deleteNamed: nsActions.deleteNamed,
  exec: nsActions.exec,
  script: nsActions.script,
  custom: nsActions.custom,
  link: nsActions.link,
  addrs: nsActions.addrs,
  deleteGroup: nsActions.deleteGroup,
  sysctl: nsActions.sysctl,
  routes: routeActions.routes,
  addRoute: routeActions.addRoute,
  replaceRoute: routeActions.replaceRoute,
  delRoute: routeActions.delRoute,
} as const;
