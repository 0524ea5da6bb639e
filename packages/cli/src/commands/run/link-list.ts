import { type LinkJSON, toLinkJSON } from "@neslink/core/shapes";
import type { Run } from "../../command.js";
import { reader } from "../../core.js";
import { table } from "../../output.js";
import { target } from "../../target.js";

export function linkTable(links: readonly LinkJSON[]): string {
  return table(
    links.map((l) => [l.index, l.name, l.kind, l.up ? "UP" : "DOWN", l.operstate, l.mtu, l.mac]),
    ["INDEX", "NAME", "KIND", "ADMIN", "OPER", "MTU", "MAC"],
  );
}

export const linkList: Run = async ({ ns }) => {
  // Read from here, with no worker to start (see @neslink/core/read).
  const { readLinks } = await reader();
  const found = (await readLinks(await target(ns, reader))).map(toLinkJSON);
  return { data: found, text: linkTable(found) };
};
