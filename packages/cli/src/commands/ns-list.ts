import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const nsList: Command = {
  name: "ns list",
  summary: "list named namespaces (as `ip netns list`, without stale entries)",
  synopsis: "ns list",
  args: [],
  options: [],
  details:
    "Only entries that are network namespaces: a stale entry (see `ns prune`), a symlink or any other file is left out. " +
    "--json: an array of { name, id? }, as `ip -j netns list` gives it: id, the nsid this namespace gives it, only where it has one.",
  run: lazyRun(
    () => import("./run/ns-list.js"),
    (m) => m.nsList,
  ),
};
