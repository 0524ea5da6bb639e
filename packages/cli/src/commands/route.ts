import type { Link, Route, RouteInput } from "@neslink/core/lean";
import type { Command } from "../command.js";
import { linker, nsDoOnce } from "../core.js";
import { defined, integerOf, keywords, stringOf } from "../keywords.js";
import { table } from "../output.js";
import { target } from "../target.js";
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

export const routeList: Command = {
  name: "route list",
  summary: "list routes of every table (as `ip route show table all`)",
  synopsis: "route list [-4|-6] [-n NS]",
  args: [],
  options: ["ns", "inet", "inet6"],
  details: "--json: an array of { to, family (4|6), via, dev, metric, table, protocol }.",
  async run({ ns, options }) {
    const { na } = await linker();
    const {
      results: [routes, links],
    } = await nsDoOnce(await target(ns), na.routes(familyOf(options)), na.links());
    const rows = rowsOf(routes, links);
    return {
      data: rows,
      text: table(
        rows.map((r) => [r.to, r.via, r.dev, r.metric, r.table]),
        ["TO", "VIA", "DEV", "METRIC", "TABLE"],
      ),
    };
  },
};

const ROUTE_KEYWORDS = { via: "value", dev: "value", metric: "value", table: "value" } as const;
const VERBS = { add: "addRoute", replace: "replaceRoute", del: "delRoute" } as const;

function routeChange(op: keyof typeof VERBS): Command {
  return {
    name: `route ${op}`,
    summary: `${op === "del" ? "delete" : op} a route (as \`ip route ${op}\`)`,
    synopsis: `route ${op} TO [via IP] [dev NAME] [metric N] [table N] [-4|-6] [-n NS]`,
    args: ["TO"],
    rest: { name: "KEYWORD", required: false },
    options: ["ns", "inet", "inet6"],
    details:
      'TO is a CIDR or "default" (IPv4 unless -6 or an IPv6 via); -4 or -6 with a CIDR must be its family. --json: the route as given.',
    async run({ args: [to, ...rest], ns, options }) {
      const k = keywords(rest, ROUTE_KEYWORDS, `route ${op}`);
      const { lp, na } = await linker();
      const family = familyOf(options);
      const dev = stringOf(k, "dev");
      const route: RouteInput = defined({
        to: to as string,
        via: stringOf(k, "via"),
        metric: integerOf(k, "metric"),
        table: integerOf(k, "table"),
        ...(dev !== undefined && { dev: lp.name(dev) }),
        ...(family !== "all" && { family }),
      });
      await nsDoOnce(await target(ns), na[VERBS[op]](route));
      const shown = { to, via: route.via ?? null, dev: dev ?? null, metric: route.metric ?? null, table: route.table ?? null };
      return { data: shown, text: `${op === "del" ? "deleted" : op === "add" ? "added" : "replaced"} route ${to}\n` };
    },
  };
}

export const routeAdd = routeChange("add");
export const routeReplace = routeChange("replace");
export const routeDel = routeChange("del");
