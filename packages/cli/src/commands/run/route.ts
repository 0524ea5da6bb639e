import { NotFoundError, ValidationError } from "@neslink/core/errors";
import type { Link, Route, RouteInput } from "@neslink/core/lean";
import type { Run } from "../../command.js";
import { linker, nsDoOnce } from "../../core.js";
import { defined, integerOf, type Keywords, keywords, stringOf, WHOLE_NUMBER } from "../../keywords.js";
import { table } from "../../output.js";
import { target } from "../../target.js";
import { familyOf } from "./addr.js";

/** A route as `ip route` writes it. */
export interface RouteRow {
  to: string;
  family: 4 | 6;
  via: string | null;
  dev: string | null;
  metric: number | null;
  table: number;
  protocol: number;
}

function rowsOf(routes: readonly Route[], links: readonly Link[]): RouteRow[] {
  const names = new Map(links.map((l) => [l.index, l.name]));
  return routes.map((r) => ({
    to: r.dst === null ? "default" : `${r.dst}/${r.dstLen}`,
    family: r.family === 10 ? 6 : 4,
    via: r.gateway,
    dev: r.oifIndex === null ? null : (names.get(r.oifIndex) ?? `#${r.oifIndex}`),
    metric: r.metric,
    table: r.table,
    protocol: r.protocol,
  }));
}

/** iproute2's names of its reserved tables (its rt_tables file); "all" lists every table. */
const TABLE_NAMES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };

/** The `table` keyword: an id or a reserved table's name; undefined when absent (or "all" where `all` is allowed). */
function tableOf(found: Keywords, all = false): number | undefined {
  const name = found.table;
  if (typeof name === "string" && Object.hasOwn(TABLE_NAMES, name)) return TABLE_NAMES[name];
  if (all && name === "all") return undefined;
  if (typeof name === "string" && !WHOLE_NUMBER.test(name))
    throw new ValidationError(
      "table",
      `must be a table id or one of ${[...Object.keys(TABLE_NAMES), ...(all ? ["all"] : [])].join(", ")}, not "${name}"`,
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
  const rows = rowsOf(routes, links).filter((r) => dev === undefined || r.dev === dev);
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
    await nsDoOnce(await target(ns), na[VERBS[op]](route));
    const shown = { to, via: route.via ?? null, dev: dev ?? null, metric: route.metric ?? null, table: route.table ?? null };
    return { data: shown, text: `${op === "del" ? "deleted" : op === "add" ? "added" : "replaced"} route ${to}\n` };
  };
}
