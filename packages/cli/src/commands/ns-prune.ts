import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const nsPrune: Command = {
  name: "ns prune",
  summary: "remove stale entries (no namespace mounted) from /run/netns",
  synopsis: "ns prune",
  args: [],
  options: [],
  details:
    "Only empty files with no namespace mounted that are not executable (what a killed ip, neslink, containerd or podman leaves) are removed. Symlinks, FIFOs, directories and other files, an empty executable one included, are never followed nor removed: they are listed as skipped, with why. --json: { removed: [{ netns }], skipped: [{ netns, reason }] }.",
  run: lazyRun(
    () => import("./run/ns-prune.js"),
    (m) => m.nsPrune,
  ),
};
