/** A link as every adapter prints it: core's `Link`, its numbers named as `ip -j link` names them. */
import type { Link } from "@neslink/codec-wasm";
import { groupName, linkFlagNames, type OperStateName, operstateName } from "./iproute-names.js";

/**
 * `Link` with ip's names for its numbers, its fields and their order
 * otherwise the same: `flags` as ip lists them (["BROADCAST", "MULTICAST",
 * "UP", "LOWER_UP"]), `operstate` in capitals ("UP"), `group` by name
 * ("default", or "7").
 */
export type LinkJSON = Omit<Link, "flags" | "operstate" | "group"> & {
  flags: string[];
  operstate: OperStateName | null;
  group: string;
};

export function toLinkJSON(link: Link): LinkJSON {
  // Spread first: the named fields keep their places, and a field the codec adds comes along.
  return { ...link, flags: linkFlagNames(link.flags), operstate: operstateName(link.operstate), group: groupName(link.group) };
}
