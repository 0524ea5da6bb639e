import type { Command } from "../command.js";
import { shownName } from "../output.js";

export const nsPrune: Command = {
  name: "ns prune",
  summary: "remove stale entries (no namespace mounted) from /run/netns",
  synopsis: "ns prune",
  args: [],
  options: [],
  details:
    "Only empty files with no namespace mounted are removed. Symlinks, FIFOs, directories and other files are never followed nor removed: they are listed as skipped, with why.",
  async run() {
    const { pruneNamed } = await import("@neslink/core/named");
    const result = pruneNamed();
    const text = [
      ...result.removed.map((name) => `removed ${shownName(name)}\n`),
      ...result.skipped.map(({ name, reason }) => `skipped ${shownName(name)}: ${reason}\n`),
    ].join("");
    return { data: result, text: text || "nothing to prune\n" };
  },
};
