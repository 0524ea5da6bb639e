import type { Command } from "../command.js";
import { linkDoOnce, linker } from "../core.js";
import { target } from "../target.js";

export const linkDel: Command = {
  name: "link del",
  summary: "delete a link (as `ip link del`; a veth takes its peer with it)",
  synopsis: "link del NAME [-n NS]",
  args: ["NAME"],
  options: ["ns"],
  details: "--json: the link as it was just before (core's Link object).",
  async run({ args: [name], ns }) {
    const { la, lp } = await linker();
    const { link } = await linkDoOnce(await target(ns), lp.name(name as string), la.delete());
    return { data: link, text: `deleted link ${link.name}\n` };
  },
};
