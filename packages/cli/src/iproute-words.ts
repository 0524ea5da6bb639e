/**
 * The words an iproute2 user types by habit, read as neslink's own: `netns`
 * and `address` for the groups, `show` and `delete` for the subcommands,
 * `dev NAME` where a link is named (and a bare NAME for `addr list`, `link
 * list NAME` for `link show NAME`), `link add NAME type KIND`, and a veth's
 * `peer name NAME`. Each is what `ip` itself accepts for the same thing; a
 * word that means something else in neslink is left alone. Only the command
 * words and a link command's own arguments are read, never an exec's program.
 */

const GROUPS: Readonly<Record<string, string>> = { netns: "ns", address: "addr" };

/** Subcommands `ip` spells another way, by group. */
const SUBCOMMANDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ns: { delete: "del" },
  link: { delete: "del" },
  addr: { show: "list", delete: "del" },
  route: { show: "list", delete: "del" },
};

/** `link set|del|show dev NAME ...`: `dev` is iproute2's optional word before the link's name. */
const NAMED_BY_DEV = new Set(["set", "del", "show"]);

/**
 * `addr list NAME`: ip reads a word of `ip addr show` that is none of its
 * keywords as the link's name, as if after `dev` (`ip addr show lo`).
 */
function addrListArgs(args: readonly string[]): string[] {
  return args[0] === undefined || args[0] === "dev" ? [...args] : ["dev", ...args];
}

/**
 * ip's order, `[name] NAME ... type KIND [peer name PEER] ...` (`link eth0
 * name mv0 type macvlan mode bridge`), as neslink's `KIND NAME ...`; words
 * with no `type` among them are neslink's order already.
 */
function linkAddArgs(args: readonly string[]): string[] {
  const words = [...args];
  const peer = words.indexOf("peer");
  // A peer named "name" stays one when nothing follows it.
  if (peer >= 0 && words[peer + 1] === "name" && words[peer + 2] !== undefined) words.splice(peer + 1, 1);
  const type = words.indexOf("type");
  const kind = words[type + 1];
  if (type < 1 || kind === undefined) return words;
  words.splice(type, 2);
  const named = words.indexOf("name");
  const [name] = named >= 0 && words[named + 1] !== undefined ? words.splice(named, 2).slice(1) : words.splice(0, 1);
  return [kind, name as string, ...words];
}

/** The positional words of argv, with iproute2's spellings turned into neslink's. */
export function fromIproute(positionals: readonly string[]): string[] {
  const [first, second, ...args] = positionals;
  if (first === undefined) return [];
  const group = GROUPS[first] ?? first;
  if (second === undefined) return [group];
  const spelt = SUBCOMMANDS[group]?.[second] ?? second;
  if (group === "addr" && spelt === "list") return [group, spelt, ...addrListArgs(args)];
  if (group !== "link") return [group, spelt, ...args];
  // `ip link show` with no name lists every link, and `ip link list NAME` shows one: the two are one command to ip.
  if (args.length === 0 && (spelt === "show" || spelt === "list")) return [group, "list"];
  const sub = spelt === "list" ? "show" : spelt;
  if (NAMED_BY_DEV.has(sub) && args[0] === "dev" && args[1] !== undefined) return [group, sub, ...args.slice(1)];
  if (sub === "add") return [group, sub, ...linkAddArgs(args)];
  return [group, sub, ...args];
}
