import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const linkSet: Command = {
  name: "link set",
  summary: "change a link: state, MTU, MAC, name, alias, master, namespace (as `ip link set`)",
  synopsis: "link set NAME KEYWORD [VALUE]... [-n NS]",
  args: ["NAME"],
  rest: { name: "KEYWORD", required: true },
  options: ["ns"],
  details: [
    "KEYWORD: up, down, mtu N, address MAC, name NEW, alias TEXT, master BRIDGE, nomaster,",
    "promisc on|off, group N, netns NS (moves the link; it loses its addresses, as in the kernel).",
    "The changes go to the kernel in one request. --json: the link afterwards (in its new namespace if moved).",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/link-set.js"),
    (m) => m.linkSet,
  ),
};
