import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

const LIST_JSON =
  '--json: an array of links (index, name, flags, up, mtu, mac, operstate, kind, masterIndex, alias, group, ...), flags, operstate and group as `ip -j link` names them (["BROADCAST","UP"], "UP", "default").';

export const linkList: Command = {
  name: "link list",
  summary: "list the links of a namespace (as `ip link`)",
  synopsis: "link list [[dev] NAME] [-n NS]",
  args: [],
  options: ["ns"],
  details: `With NAME, as \`ip link list NAME\`: that link only (link show). ${LIST_JSON}`,
  run: lazyRun(
    () => import("./run/link-list.js"),
    (m) => m.linkList,
  ),
};

/** The name the CLI had before `link list`, kept so scripts keep working. */
export const links: Command = {
  ...linkList,
  name: "links",
  synopsis: "links [-n NS]",
  summary: "the same as `link list`",
  details: LIST_JSON,
};
