import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const nsList: Command = {
  name: "ns list",
  summary: "list named namespaces (as `ip netns list`, without stale entries)",
  synopsis: "ns list",
  args: [],
  options: [],
  details: "Only entries that are network namespaces: a stale entry (see `ns prune`), a symlink or any other file is left out.",
  run: lazyRun(
    () => import("./run/ns-list.js"),
    (m) => m.nsList,
  ),
};
