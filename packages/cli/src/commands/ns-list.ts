import type { Command } from "../command.js";
import { shownName } from "../output.js";

export const nsList: Command = {
  name: "ns list",
  summary: "list named namespaces (as `ip netns list`, without stale entries)",
  synopsis: "ns list",
  args: [],
  options: [],
  details: "Only entries that are network namespaces: a stale entry (see `ns prune`), a symlink or any other file is left out.",
  async run() {
    // Read from this thread: no pool, no codec.
    const { listNamed } = await import("@neslink/core/list");
    const names = listNamed();
    return { data: names, text: names.map((n) => `${shownName(n)}\n`).join("") };
  },
};
