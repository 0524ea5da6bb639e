import { ValidationError } from "@neslink/core/errors";
import type { LinkProvider, NewLinkOptions } from "@neslink/core/lean";
import type { Command } from "../command.js";
import { lean } from "../core.js";
import { defined, integerOf, type KeywordSpec, type Keywords, keywords, stringOf } from "../keywords.js";
import { fields } from "../output.js";
import { target } from "../target.js";

/** Keywords every kind takes, as `ip link add` does. */
const COMMON: KeywordSpec = { mtu: "value", address: "value", master: "value", group: "value", up: "flag" };

/** Each kind core creates, its own keywords, and how they become a link provider. */
const KINDS: Record<string, { keywords: KeywordSpec; provider(name: string, k: Keywords, common: NewLinkOptions): Promise<LinkProvider> }> =
  {
    bridge: { keywords: {}, provider: async (name, _k, o) => (await lean()).lp.bridge(name, o) },
    dummy: { keywords: {}, provider: async (name, _k, o) => (await lean()).lp.dummy(name, o) },
    ifb: { keywords: {}, provider: async (name, _k, o) => (await lean()).lp.ifb(name, o) },
    wireguard: { keywords: {}, provider: async (name, _k, o) => (await lean()).lp.wireguard(name, o) },
    veth: {
      keywords: { peer: "value", netns: "value" },
      async provider(name, k, o) {
        const peer = stringOf(k, "peer");
        if (peer === undefined) throw new ValidationError("peer", "is required: the name of the veth's other end");
        const netns = stringOf(k, "netns");
        return (await lean()).lp.veth(name, { name: peer, ...(netns !== undefined && { ns: await target(netns) }) }, o);
      },
    },
    vxlan: {
      keywords: { id: "value", remote: "value", local: "value", group: "value", dstport: "value", dev: "value" },
      async provider(name, k, o) {
        const { lp } = await lean();
        const id = integerOf(k, "id");
        if (id === undefined) throw new ValidationError("id", "is required: the VXLAN network identifier");
        const dev = stringOf(k, "dev");
        return lp.vxlan(
          name,
          defined({
            ...o,
            id,
            remote: stringOf(k, "remote"),
            local: stringOf(k, "local"),
            multicastGroup: stringOf(k, "group"),
            port: integerOf(k, "dstport"),
            ...(dev !== undefined && { parent: lp.name(dev) }),
          }),
        );
      },
    },
    macvlan: {
      keywords: { link: "value", mode: "value" },
      async provider(name, k, o) {
        const { lp } = await lean();
        const parent = stringOf(k, "link");
        if (parent === undefined) throw new ValidationError("link", "is required: the link the macvlan sits on");
        return lp.macvlan(name, lp.name(parent), stringOf(k, "mode") as "bridge" | undefined, o);
      },
    },
    gretap: {
      keywords: { local: "value", remote: "value" },
      provider: async (name, k, o) =>
        (await lean()).lp.gretap(name, defined({ local: stringOf(k, "local"), remote: stringOf(k, "remote") }), o),
    },
  };

export const linkAdd: Command = {
  name: "link add",
  summary: "create a link of any kind core makes (as `ip link add NAME type KIND ...`)",
  synopsis: "link add KIND NAME [KEYWORD VALUE]... [-n NS]",
  args: ["KIND", "NAME"],
  rest: { name: "KEYWORD", required: false },
  options: ["ns"],
  details: [
    `KIND: ${Object.keys(KINDS).join(", ")}. Every kind takes: mtu N, address MAC, master BRIDGE, group N, up.`,
    "  veth     peer NAME [netns NS]   the other end, created directly in NS (name, path, pid or LAB:NODE)",
    "  vxlan    id VNI [remote IP] [local IP] [group IP] [dstport PORT] [dev LINK]",
    "  macvlan  link PARENT [mode private|vepa|bridge|passthru|source]",
    "  gretap   [local IP] [remote IP]",
    "A kind the kernel lacks fails with ERR_KIND_UNSUPPORTED. --json: the new link (core's Link object).",
  ].join("\n"),
  async run({ args: [kind, name, ...rest], ns }) {
    const shape = KINDS[kind as string];
    if (!shape) throw new ValidationError("KIND", `"${kind}" is not a kind neslink creates (${Object.keys(KINDS).join(", ")})`);
    const k = keywords(rest, { ...COMMON, ...shape.keywords }, `link add ${kind}`);
    const { linkDo, lp } = await lean();
    const master = stringOf(k, "master");
    const options: NewLinkOptions = defined({
      mtu: integerOf(k, "mtu"),
      mac: stringOf(k, "address"),
      group: integerOf(k, "group"),
      up: k.up === true,
      ...(master !== undefined && { master: lp.name(master) }),
    });
    const provider = await shape.provider(name as string, k, options);
    const { link } = await linkDo(await target(ns), provider);
    return { data: link, text: fields(link) };
  },
};
