import { ValidationError } from "@neslink/core/errors";
import type { WatchTargets } from "@neslink/core/lean";
import { toEventJSON, type WatchEventJSON } from "@neslink/core/shapes";
import type { Run } from "../../command.js";
import { providers } from "../../core.js";
import { jsonLine, shownName } from "../../output.js";
import { target } from "../../target.js";
import { MONITOR_GROUPS } from "../monitor.js";

/** A link field's value as a changed event's line shows it: flags as ip writes them (BROADCAST,UP), a vxlan's or macvlan's options as JSON. */
function fieldText(value: unknown): string {
  if (Array.isArray(value)) return shownName(value.join(","));
  return shownName(typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));
}

/** One line a person reads: where, what, and what changed. */
export function eventLine(e: WatchEventJSON): string {
  // A namespace's name and an alias may hold a newline: one event stays one line.
  const where = e.netns === "" ? "." : shownName(e.netns);
  switch (e.type) {
    case "link": {
      const l = e.link;
      const state = `${l.up ? "UP" : "DOWN"} state ${l.operstate ?? "-"}`;
      const changed =
        e.action === "changed" ? ` (${e.changed.map((f) => `${f} ${fieldText(e.previous[f])} -> ${fieldText(l[f])}`).join(", ")})` : "";
      return `[${where}] link ${e.action} ${l.name} ${state}${changed}`;
    }
    case "address":
      return `[${where}] address ${e.action} ${e.address.cidr} dev ${e.address.dev}`;
    case "route": {
      const r = e.route;
      const via = r.via === null ? "" : ` via ${r.via}`;
      const dev = r.dev === null ? "" : ` dev ${r.dev}`;
      return `[${where}] route ${e.action} ${r.to}${via}${dev} table ${r.table}`;
    }
    case "neighbour": {
      // A bridge's forwarding entry has no IP address.
      const n = e.neighbour;
      return `[${where}] neighbour ${e.action} ${n.address ?? "-"} lladdr ${n.mac ?? "-"} dev ${n.dev} ${n.state.join(",") || "NONE"}`;
    }
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
      const shown = toEventJSON(event);
      session.print(session.json ? jsonLine(shown) : `${eventLine(shown)}\n`);
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
