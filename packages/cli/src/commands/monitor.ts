import type { WatchGroup } from "@neslink/core/lean";
import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

/** The groups by the names `ip monitor` takes, and neslink's own. */
export const MONITOR_GROUPS: Readonly<Record<string, WatchGroup>> = {
  link: "link",
  address: "address",
  addr: "address",
  route: "route",
  neighbour: "neighbour",
  neigh: "neighbour",
  nsid: "nsid",
};

export const monitor: Command = {
  name: "monitor",
  summary: "print the kernel's events as they come: links, addresses, routes, neighbours (as `ip monitor`)",
  synopsis: "monitor [link|address|route|neighbour|nsid]... [all] [-n NS]",
  args: [],
  rest: { name: "GROUP", required: false },
  options: ["ns"],
  // Each group by its own name (not ip's short ones), and `all`.
  completes: async () => [...Object.entries(MONITOR_GROUPS).flatMap(([word, group]) => (word === group ? [word] : [])), "all"],
  details: [
    "Without a group, every group. -n NS: that namespace (name, path, pid or LAB:NODE); `all`: every",
    "named namespace, ones created later included; neither: the namespace neslink runs in.",
    "Runs until interrupted (Ctrl-C, SIGTERM), or with -n until that namespace is gone from the kernel (its",
    "`gone` event), then exits 0. Events lost to a burst are made up for",
    "(a `resync` line, then the differences, then `synced`).",
    "Each namespace watched (-n NS, or each with `all`) is given an nsid in the namespace neslink",
    "runs in, if it has none (as `ip netns set NAME auto` does); it stays while that namespace",
    'lives: `ip netns list` shows it as "(id: N)".',
    "--json: one JSON object a line, core's watch() events: { type: link|address|route|neighbour|nsid|resync|",
    "synced|gone, action?: new|changed|deleted, netns, link|address|route|neighbour|nsid, previous?, changed? }; a link",
    "as link list --json gives it, an address as addr list's, a route as route list's, a neighbour as",
    "{ dev, family, address, mac, state }.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/monitor.js"),
    (m) => m.monitor,
  ),
};
