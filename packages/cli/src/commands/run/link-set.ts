import { ValidationError } from "@neslink/core/errors";
import type { Link, LinkChanges } from "@neslink/core/lean";
import type { Outcome, Run } from "../../command.js";
import { linkDoOnce, linker, nsDoOnce } from "../../core.js";
import { defined, integerOf, keywords, stringOf } from "../../keywords.js";
import { toLinkJSON } from "@neslink/core/shapes";
import { fields } from "../../output.js";
import { target } from "../../target.js";

const KEYWORDS = {
  up: "flag",
  down: "flag",
  mtu: "value",
  address: "value",
  name: "value",
  alias: "value",
  master: "value",
  nomaster: "flag",
  promisc: "value",
  group: "value",
  netns: "value",
} as const;

function onOff(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== "on" && value !== "off") throw new ValidationError("promisc", `must be on or off, not "${value}"`);
  return value === "on";
}

/** The link the kernel reports, as link list shows one. */
function shown(link: Link): Outcome {
  const json = toLinkJSON(link);
  return { data: json, text: fields(json) };
}

export const linkSet: Run = async ({ args: [name, ...rest], ns }) => {
  const k = keywords(rest, KEYWORDS, "link set");
  if (k.up && k.down) throw new ValidationError("up", "and down cannot both be given");
  if (k.master !== undefined && k.nomaster) throw new ValidationError("master", "and nomaster cannot both be given");
  const { la, lp, na } = await linker();
  const master = stringOf(k, "master");
  const set: LinkChanges = defined({
    ...((k.up || k.down) && { up: k.up === true }),
    mtu: integerOf(k, "mtu"),
    mac: stringOf(k, "address"),
    name: stringOf(k, "name"),
    alias: stringOf(k, "alias"),
    promisc: onOff(stringOf(k, "promisc")),
    group: integerOf(k, "group"),
    ...(master !== undefined && { master: lp.name(master) }),
    ...(k.nomaster && { master: null }),
  });
  const where = await target(ns);
  const netns = stringOf(k, "netns");
  let current = name as string;
  if (Object.keys(set).length > 0) {
    // The link as the kernel reports it after the change: read in the same call.
    const { link } = await linkDoOnce(where, lp.name(current), la.set(set));
    if (netns === undefined) return shown(link);
    current = link.name;
  } else if (netns === undefined) {
    const {
      results: [link],
    } = await nsDoOnce(where, na.getLink(lp.name(current)));
    return shown(link);
  }
  const to = await target(netns, undefined, "netns");
  await nsDoOnce(where, na.setLinkNs(lp.name(current), to));
  const {
    results: [moved],
  } = await nsDoOnce(to, na.getLink(lp.name(current)));
  return shown(moved);
};
