import type { Link } from "@neslink/core/read";
import type { Command } from "../command.js";
import { reader } from "../core.js";
import { table } from "../output.js";
import { target } from "../target.js";

export function linkTable(links: readonly Link[]): string {
  return table(
    links.map((l) => [l.index, l.name, l.kind, l.up ? "UP" : "DOWN", l.operstate, l.mtu, l.mac]),
    ["INDEX", "NAME", "KIND", "ADMIN", "OPER", "MTU", "MAC"],
  );
}

const LIST_JSON = "--json: an array of core's Link objects (index, name, kind, up, operstate, mtu, mac, masterIndex, alias, group, ...).";

export const linkList: Command = {
  name: "link list",
  summary: "list the links of a namespace (as `ip link`)",
  synopsis: "link list [[dev] NAME] [-n NS]",
  args: [],
  options: ["ns"],
  details: `With NAME, as \`ip link list NAME\`: that link only (link show). ${LIST_JSON}`,
  async run({ ns }) {
    // Read from here, with no worker to start (see @neslink/core/read).
    const { readLinks } = await reader();
    const found = await readLinks(await target(ns));
    return { data: found, text: linkTable(found) };
  },
};

/** The name the CLI had before `link list`, kept so scripts keep working. */
export const links: Command = {
  ...linkList,
  name: "links",
  synopsis: "links [-n NS]",
  summary: "the same as `link list`",
  details: LIST_JSON,
};
