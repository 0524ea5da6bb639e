import type { Command } from "../command.js";
import { lean } from "../core.js";

export const nsDel: Command = {
  name: "ns del",
  summary: "delete a named namespace (as `ip netns del NAME`)",
  synopsis: "ns del NAME",
  args: ["NAME"],
  options: [],
  details: "The kernel frees the namespace once nothing else (a process, an open handle) holds it.",
  async run({ args: [name] }) {
    const { na, ns, nsDo } = await lean();
    const {
      results: [deleted],
    } = await nsDo(ns.now(), na.deleteNamed(name as string));
    return { data: deleted, text: `deleted namespace ${deleted.name}\n` };
  },
};
