import { lp, na, nsDo } from "@neslink/core";
import type { Command } from "../command.js";
import { fields } from "../output.js";
import { target } from "../target.js";

export const linkShow: Command = {
  name: "link show",
  summary: "show one link, by name",
  synopsis: "link show NAME [--ns NAME]",
  args: ["NAME"],
  options: ["ns"],
  async run({ args: [name], ns }) {
    const {
      results: [link],
    } = await nsDo(target(ns), na.getLink(lp.name(name as string)));
    return { data: link, text: fields(link) };
  },
};
