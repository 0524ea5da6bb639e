import { ValidationError } from "@neslink/core/errors";
import type { Neighbour, WatchEvent, WatchTargets } from "@neslink/core/lean";
import type { Run } from "../../command.js";
import { providers } from "../../core.js";
import { jsonLine, shownName } from "../../output.js";
import { target } from "../../target.js";
import { MONITOR_GROUPS } from "../monitor.js";

/** ndm_state's NUD_* bits (linux/neighbour.h), named as `ip neigh` names them. */
const NUD_STATES: readonly [number, string][] = [
  [0x01, "INCOMPLETE"],
  [0x02, "REACHABLE"],
  [0x04, "STALE"],
  [0x08, "DELAY"],
  [0x10, "PROBE"],
  [0x20, "FAILED"],
  [0x40, "NOARP"],
  [0x80, "PERMANENT"],
];

/** The neighbour's address (none for a bridge's fdb entry), its MAC, its link and state, as `ip neigh` shows them. */
function neighbourText(n: Neighbour): string {
  const states = NUD_STATES.filter(([bit]) => (n.state & bit) !== 0).map(([, name]) => name);
  return `${n.dst ?? "-"} lladdr ${n.mac ?? "-"} on #${n.index} ${states.join(",") || "NONE"}`;
}

/** One line a person reads: where, what, and what changed. */
export function eventLine(e: WatchEvent): string {
  // A namespace's name and an alias may hold a newline: one event stays one line.
  const where = e.ns === "" ? "." : shownName(e.ns);
  switch (e.type) {
    case "link": {
      const l = e.link;
      const state = `${l.up ? "UP" : "DOWN"} ${l.operstate ?? "-"}`;
      const changed =
        e.action === "changed"
          ? ` (${e.changed.map((f) => `${f} ${shownName(String(e.previous[f]))} -> ${shownName(String(l[f]))}`).join(", ")})`
          : "";
      return `[${where}] link ${e.action} ${l.name} ${state}${changed}`;
    }
    case "address":
      return `[${where}] address ${e.action} ${e.address.local ?? e.address.address}/${e.address.prefixLen} on #${e.address.index}`;
    case "route": {
      const r = e.route;
      const via = r.gateway === null ? "" : ` via ${r.gateway}`;
      return `[${where}] route ${e.action} ${r.dst === null ? "default" : `${r.dst}/${r.dstLen}`}${via} table ${r.table}`;
    }
    case "neighbour":
      return `[${where}] neighbour ${e.action} ${neighbourText(e.neighbour)}`;
    case "nsid":
      return `[${where}] nsid ${e.action} ${e.nsid}`;
    default:
      return `[${where}] ${e.type}${"reason" in e ? ` (${e.reason})` : ""}`;
  }
}

export const monitor: Run = async ({ args, ns }, session) => {
  const all = args.includes("all");
  if (all && ns !== undefined) throw new ValidationError("all", "and -n cannot both be given");
  const groups = [
    ...new Set(
      args
        .filter((a) => a !== "all")
        .map((a) => {
          const group = MONITOR_GROUPS[a];
          if (!group) throw new ValidationError(a, `is not a group of "neslink monitor" (${Object.keys(MONITOR_GROUPS).join(", ")}, all)`);
          return group;
        }),
    ),
  ];
  const { watch } = await providers();
  const targets: WatchTargets = all ? { named: true } : await target(ns);
  const stream = watch(targets, groups.length > 0 ? { groups } : {});
  let interrupted!: () => void;
  const interruption = new Promise<void>((resolve) => {
    interrupted = resolve;
  });
  const stop = session.terminal.onSignals(["SIGINT", "SIGTERM", "SIGHUP"], () => {
    interrupted();
    void stream.close();
  });
  try {
    for await (const event of stream) {
      session.print(session.json ? jsonLine(event) : `${eventLine(event)}\n`);
      // A reader that stops reading stops the pulling: the events wait in the watch, which bounds them (maxQueued).
      // A signal ends the wait: that reader may never read again.
      await Promise.race([session.drained?.(), interruption]);
    }
  } finally {
    stop();
    await stream.close();
  }
  return { data: undefined, text: "" };
};
