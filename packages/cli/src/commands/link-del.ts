import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const linkDel: Command = {
  name: "link del",
  summary: "delete a link (as `ip link del`; a veth takes its peer with it)",
  synopsis: "link del NAME [-n NS]",
  args: ["NAME"],
  options: ["ns"],
  details: "--json: the link as it was just before, as link list shows one.",
  run: lazyRun(
    () => import("./run/link-del.js"),
    (m) => m.linkDel,
  ),
};
