/**
 * What destroy and apply say of the links of a lab's nodes that the kernel
 * refused to delete (EOPNOTSUPP: a device with no rtnetlink delete, such as a
 * physical NIC moved into a node by hand): a line each, the link's name
 * escaped (its newlines and tabs too: it is whoever moved it in's).
 */
import type { topology } from "@neslink/core";
import { shownName } from "./output.js";

type LinkLeft = topology.LinkLeft;

const refused = (l: LinkLeft) => `  - link ${shownName(l.dev)} of node ${l.node}: the kernel refused to delete it (EOPNOTSUPP), `;

/** Links of removed nodes, which went with the node's namespace. */
export function leftLines(links: readonly LinkLeft[]): string {
  return links.map((l) => `${refused(l)}left to go with namespace ${l.netns} (a physical device goes back to the host's)\n`).join("");
}

/** Links made by hand in nodes that stay, which apply was to delete: left where they are, and how to stop that. */
export function keptLines(links: readonly LinkLeft[], commandLine: (argv: readonly string[]) => string): string {
  return links
    .map((l) => {
      // Quoted as a shell needs it typed (a hidden character as $'...'): the command to copy.
      const out = commandLine(["ip", "-n", l.netns, "link", "set", "dev", l.dev, "netns", "1"]);
      return `${refused(l)}left in namespace ${l.netns} (to move it back to the host's: ${out})\n`;
    })
    .join("");
}
