/**
 * The kinds `link add` creates, the keywords each takes and how they become a link provider: from core's kind rules
 * and the schemas the codec generates, so a kind the codec adds needs nothing here. Apart from the command's run, so
 * that `link add --help` loads this and core's kinds alone.
 */
import { ValidationError } from "@neslink/core/errors";
import type { LINK_KIND_RULES } from "@neslink/core/kinds";
import type { LinkKind, LinkProvider, MacvlanMode, NewLinkOptions } from "@neslink/core/lean";
import { linker } from "../../core.js";
import { defined, integerOf, type KeywordSpec, type Keywords, stringOf } from "../../keywords.js";
import { target } from "../../target.js";

type KindRules = (typeof LINK_KIND_RULES)[LinkKind];

/** The kinds core creates and their rules: loaded when `link add` runs or shows its help. */
export const kinds = () => import("@neslink/core/kinds");

export interface Shape {
  keywords: KeywordSpec;
  /** The keywords' help line. */
  usage: string;
  provider(name: string, k: Keywords, common: NewLinkOptions): Promise<LinkProvider>;
}

/**
 * Kinds whose keywords are not simply their options: the veth peer's
 * namespace, vxlan's iproute2 spellings, and macvlan's mode, which is
 * bridge when not given (core's lp.macvlan), not the kernel's vepa.
 */
const OWN: Partial<Record<LinkKind, Shape>> = {
  veth: {
    keywords: { peer: "value", netns: "value" },
    usage: "peer NAME [netns NS]   the other end, created directly in NS (name, path, pid or LAB:NODE)",
    async provider(name, k, o) {
      const peer = stringOf(k, "peer");
      if (peer === undefined) throw new ValidationError("peer", "is required: the name of the veth's other end");
      const netns = stringOf(k, "netns");
      return (await linker()).lp.veth(name, { name: peer, ...(netns !== undefined && { ns: await target(netns, undefined, "netns") }) }, o);
    },
  },
  macvlan: {
    keywords: { link: "value", mode: "value" },
    usage: "link PARENT [mode private|vepa|bridge|passthru|source]   (mode bridge when not given)",
    async provider(name, k, o) {
      const { lp } = await linker();
      const parent = stringOf(k, "link");
      if (parent === undefined) throw new ValidationError("link", "is required: the link the macvlan sits on");
      return lp.macvlan(name, lp.name(parent), stringOf(k, "mode") as MacvlanMode | undefined, o);
    },
  },
  vxlan: {
    keywords: { id: "value", remote: "value", local: "value", group: "value", dstport: "value", dev: "value" },
    usage: "id VNI [remote IP] [local IP] [group IP] [dstport PORT] [dev LINK]",
    async provider(name, k, o) {
      const { lp } = await linker();
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
};

interface Property {
  type?: string | string[];
  enum?: unknown[];
}

/** A kind's options that one word can give (strings, whole numbers), from the schema the codec generates. */
function scalarOptions(rules: KindRules): [string, Property][] {
  const schema = rules.schema as { properties?: Record<string, Property> } | null;
  const types = (p: Property) => [p.type ?? []].flat();
  return Object.entries(schema?.properties ?? {}).filter(([, p]) => types(p).some((t) => t === "string" || t === "integer"));
}

/**
 * Any other kind: `link PARENT` when it takes one, and each of its options
 * as a keyword of the same name (`mode bridge`), so a kind the codec adds
 * needs nothing here.
 */
function generic(kind: LinkKind, rules: KindRules): Shape {
  const options = scalarOptions(rules);
  const parent: KeywordSpec = rules.parent === "no" ? {} : { link: "value" };
  const required = new Set((rules.schema as { required?: string[] } | null)?.required ?? []);
  const usage = options.map(([key, p]) => {
    const value = p.enum ? p.enum.filter((v) => v !== null).join("|") : [p.type].flat().includes("integer") ? "N" : "VALUE";
    return required.has(key) ? `${key} ${value}` : `[${key} ${value}]`;
  });
  return {
    keywords: { ...parent, ...Object.fromEntries(options.map(([key]) => [key, "value" as const])) },
    usage: [...(rules.parent === "no" ? [] : [rules.parent === "required" ? "link PARENT" : "[link PARENT]"]), ...usage].join(" "),
    async provider(name, k, o) {
      const { lp } = await linker();
      const link = stringOf(k, "link");
      if (rules.parent === "required" && link === undefined) throw new ValidationError("link", `is required: the link the ${kind} sits on`);
      const given = defined(
        Object.fromEntries(options.map(([key, p]) => [key, [p.type].flat().includes("integer") ? integerOf(k, key) : stringOf(k, key)])),
      );
      const withOptions = rules.options === "required" || Object.keys(given).length > 0;
      return lp.new({
        type: kind,
        name,
        ...o,
        ...(link !== undefined && { parent: lp.name(link) }),
        ...(withOptions && { [kind]: given }),
      });
    },
  };
}

export const shapeOf = (kind: LinkKind, rules: KindRules): Shape => OWN[kind] ?? generic(kind, rules);

/** `link add --help`'s details: the kinds, and the keywords each takes. */
export async function details(): Promise<string> {
  const { LINK_KINDS, LINK_KIND_RULES } = await kinds();
  return [
    `KIND: ${LINK_KINDS.join(", ")}. Every kind takes: mtu N, address MAC, master BRIDGE, group N (the link's group; vxlan's group is its multicast group: set the link group with link set), up, netns NS (made directly in NS, name, path, pid or LAB:NODE, from the namespace of -n, where its parent is looked up and a vxlan's socket stays; not with master; a veth's netns is its peer's).`,
    ...LINK_KINDS.map((kind) => [kind, shapeOf(kind, LINK_KIND_RULES[kind]).usage] as const)
      .filter(([, usage]) => usage !== "")
      .map(([kind, usage]) => `  ${kind.padEnd(8)} ${usage}`),
    "A kind the kernel lacks fails with ERR_KIND_UNSUPPORTED. --json: the new link, as link list shows one.",
  ].join("\n");
}
