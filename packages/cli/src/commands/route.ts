import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";
import type { RouteChange } from "./run/route.js";

const implementation = () => import("./run/route.js");

export const routeList: Command = {
  name: "route list",
  summary: "list routes, of every table or of one (as `ip route show table all|ID`)",
  synopsis: "route list [table ID|main|local|default|all] [dev NAME] [-4|-6] [-n NS]",
  args: [],
  rest: { name: "KEYWORD", required: false },
  options: ["ns", "inet", "inet6"],
  details:
    'Every table unless `table` names one (all by default, unlike `ip route`\'s main); with `dev`, only the routes out of that link. --json: an array of { to, family ("inet"|"inet6"), via, dev, metric, table, protocol, scope, type }, named as `ip -j route` names them (table "main", protocol "kernel", a host route\'s `to` without its /32).',
  run: lazyRun(implementation, (m) => m.routeList),
};

function routeChange(op: RouteChange): Command {
  return {
    name: `route ${op}`,
    summary: `${op === "del" ? "delete" : op} a route (as \`ip route ${op}\`)`,
    synopsis: `route ${op} TO [via IP] [dev NAME] [metric N] [table ID|main|local|default] [-4|-6] [-n NS]`,
    args: ["TO"],
    rest: { name: "KEYWORD", required: false },
    options: ["ns", "inet", "inet6"],
    details:
      'TO is a CIDR or "default" (IPv4 unless -6 or an IPv6 via); -4 or -6 with a CIDR must be its family. --json: { to, family, via, dev, metric, table }: the route as given, as route list shows one (table "main" when not given).',
    run: lazyRun(implementation, (m) => m.routeChange(op)),
  };
}

export const routeAdd = routeChange("add");
export const routeReplace = routeChange("replace");
export const routeDel = routeChange("del");
