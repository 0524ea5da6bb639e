import { NotFoundError, ValidationError } from "@neslink/core/errors";
import type { RouteInput } from "@neslink/core/lean";
import type { Run } from "../../command.js";
import { linker, nsDoOnce } from "../../core.js";
import { defined, integerOf, type Keywords, keywords, stringOf, WHOLE_NUMBER } from "../../keywords.js";
import { table } from "../../output.js";
import { linkNames, routeGiven, TABLE_NAMES, tableId, toRouteJSON } from "@neslink/core/shapes";
import { target } from "../../target.js";
import { familyOf } from "./addr.js";

/** The `table` keyword: an id or a table's name as iproute2 ships it (core's); undefined when absent (or "all" where `all` is allowed). */
function tableOf(found: Keywords, all = false): number | undefined {
  const name = found.table;
  const named = typeof name === "string" ? tableId(name) : undefined;
  if (named !== undefined) return named;
  if (all && name === "all") return undefined;
  if (typeof name === "string" && !WHOLE_NUMBER.test(name))
    throw new ValidationError(
      "table",
      `must be a table id or one of ${[...TABLE_NAMES, ...(all ? ["all"] : [])].join(", ")}, not "${name}"`,
    );
  return integerOf(found, "table");
}

export const routeList: Run = async ({ args, ns, options }) => {
  const found = keywords(args, { table: "value", dev: "value" }, "route list");
  const only = tableOf(found, true);
  const dev = stringOf(found, "dev");
  const { na } = await linker();
  const {
    results: [routes, links],
  } = await nsDoOnce(await target(ns), na.routes(familyOf(options), defined({ table: only })), na.links());
  // As `ip route show dev NAME` (and addr list): a link that is not there is an error, not an empty list.
  if (dev !== undefined && !links.some((l) => l.name === dev)) throw new NotFoundError("link", `no link with name "${dev}"`);
  const nameOf = linkNames(links);
  const rows = routes.map((r) => toRouteJSON(r, nameOf)).filter((r) => dev === undefined || r.dev === dev);
  return {
    data: rows,
    text: table(
      rows.map((r) => [r.to, r.via, r.dev, r.metric, r.table]),
      ["TO", "VIA", "DEV", "METRIC", "TABLE"],
    ),
  };
};

const ROUTE_KEYWORDS = { via: "value", dev: "value", metric: "value", table: "value" } as const;
const VERBS = { add: "addRoute", replace: "replaceRoute", del: "delRoute" } as const;

export type RouteChange = keyof typeof VERBS;

export function routeChange(op: RouteChange): Run {
  return async ({ args: [to, ...rest], ns, options }) => {
    const k = keywords(rest, ROUTE_KEYWORDS, `route ${op}`);
    const { lp, na } = await linker();
    const family = familyOf(options);
    const dev = stringOf(k, "dev");
    const route: RouteInput = defined({
      to: to as string,
      via: stringOf(k, "via"),
      metric: integerOf(k, "metric"),
      table: tableOf(k),
      ...(dev !== undefined && { dev: lp.name(dev) }),
      ...(family !== "all" && { family }),
    });
    const change = na[VERBS[op]](route);
    await nsDoOnce(await target(ns), change);
    // As route list shows a route (without what the kernel decides: protocol, scope, type): the family settled, the table used.
    return {
      data: routeGiven(change.route, dev ?? null),
      text: `${op === "del" ? "deleted" : op === "add" ? "added" : "replaced"} route ${to}\n`,
    };
  };
}
