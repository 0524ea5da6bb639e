import { ValidationError } from "@neslink/core/errors";
import type { LinkKind, NewLinkOptions } from "@neslink/core/lean";
import { toLinkJSON } from "@neslink/core/shapes";
import type { Run } from "../../command.js";
import { linkDoOnce, linker } from "../../core.js";
import { COMMON } from "../../iproute-args.js";
import { defined, integerOf, keywords, stringOf } from "../../keywords.js";
import { fields } from "../../output.js";
import { target } from "../../target.js";
import { kinds, shapeOf } from "./link-kinds.js";

export const linkAdd: Run = async ({ args: [kind, name, ...rest], ns }) => {
  const { LINK_KINDS, LINK_KIND_RULES } = await kinds();
  if (!LINK_KINDS.includes(kind as LinkKind)) {
    throw new ValidationError("KIND", `"${kind}" is not a kind neslink creates (${LINK_KINDS.join(", ")})`);
  }
  const shape = shapeOf(kind as LinkKind, LINK_KIND_RULES[kind as LinkKind]);
  const k = keywords(rest, { ...COMMON, ...shape.keywords }, `link add ${kind}`);
  const { lp } = await linker();
  const master = stringOf(k, "master");
  // A veth's netns is its peer's (its shape reads it).
  const netns = kind === "veth" ? undefined : stringOf(k, "netns");
  const options: NewLinkOptions = defined({
    mtu: integerOf(k, "mtu"),
    mac: stringOf(k, "address"),
    // A kind with a `group` of its own (vxlan's multicast group, as after `type vxlan` in ip) takes the word; `link set NAME group N` then.
    group: shape.keywords.group === undefined ? integerOf(k, "group") : undefined,
    up: k.up === true,
    ...(master !== undefined && { master: lp.name(master) }),
    ...(netns !== undefined && { ns: await target(netns, undefined, "netns") }),
  });
  const provider = await shape.provider(name as string, k, options);
  const { link } = await linkDoOnce(await target(ns), provider);
  const shown = toLinkJSON(link);
  return { data: shown, text: fields(shown) };
};
