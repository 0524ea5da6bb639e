import type { Command } from "../command.js";
import { lean } from "../core.js";

export const nsAdd: Command = {
  name: "ns add",
  summary: "create a named namespace (as `ip netns add NAME`)",
  synopsis: "ns add NAME",
  args: ["NAME"],
  options: [],
  async run({ args: [name] }) {
    const { na, ns, nsDo } = await lean();
    const {
      results: [created],
    } = await nsDo(ns.now(), na.createNamed(name as string));
    return { data: created, text: `created namespace ${created.name} at ${created.path}\n` };
  },
};
