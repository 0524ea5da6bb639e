import { type Link, na, nsDo } from "@neslink/core";
import type { Command } from "../command.js";
import { table } from "../output.js";
import { target } from "../target.js";

export function linkTable(links: readonly Link[]): string {
  return table(
    links.map((l) => [l.index, l.name, l.kind, l.up ? "UP" : "DOWN", l.operstate, l.mtu, l.mac]),
    ["INDEX", "NAME", "KIND", "ADMIN", "OPER", "MTU", "MAC"],
  );
}

export const links: Command = {
  name: "links",
  summary: "list the links of a namespace",
  synopsis: "links [--ns NAME]",
  args: [],
  options: ["ns"],
  async run({ ns }) {
    const {
      results: [found],
    } = await nsDo(target(ns), na.links());
    return { data: found, text: linkTable(found) };
  },
};
