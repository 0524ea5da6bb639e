/**
 * The command words an iproute2 user types by habit, read as neslink's own:
 * ip's objects and commands whole (`netns`, `address`, `show`, `delete`) or
 * abbreviated as ip abbreviates them (`a`, `l s`, `ro sh`). Each is what `ip`
 * itself accepts for the same thing; a word that means something else in
 * neslink is left alone. The arguments after them are iproute-args.ts's; an
 * exec's program is never read.
 */

/**
 * ip's words at one level, in the order ip tries them, each with the word
 * neslink names the same thing by, or null where neslink has none. ip takes
 * the first word that the typed one begins (`matches()` in ip.c and each
 * object's do_* function): `ip a` is address, `ip r` route, `ip l s` link set.
 */
type IpWords = readonly (readonly [ip: string, neslink: string | null])[];

/** ip.c's cmds[] (iproute2 6.1): `m` is maddress and `n` neigh there, so neither is neslink's monitor or ns. */
const OBJECTS: IpWords = [
  ["address", "addr"],
  ["addrlabel", null],
  ["maddress", null],
  ["route", "route"],
  ["rule", null],
  ["neighbor", null],
  ["neighbour", null],
  ["ntable", null],
  ["ntbl", null],
  ["link", "link"],
  ["l2tp", null],
  ["fou", null],
  ["ila", null],
  ["macsec", null],
  ["tunnel", null],
  ["tunl", null],
  ["tuntap", null],
  ["tap", null],
  ["token", null],
  ["tcpmetrics", null],
  ["tcp_metrics", null],
  ["monitor", "monitor"],
  ["xfrm", null],
  ["mroute", null],
  ["mrule", null],
  ["netns", "ns"],
  ["netconf", null],
  ["vrf", null],
  ["sr", null],
  ["nexthop", null],
  ["mptcp", null],
  ["ioam", null],
  ["help", null],
  ["stats", null],
];

/** Each object's commands, by neslink's group: do_iplink, do_ipaddr, do_iproute, do_netns. */
const COMMANDS: Readonly<Record<string, IpWords>> = {
  // `change` is `set` to ip (the same request); `show` and `list` stay apart here, see fromIproute.
  link: [
    ["add", "add"],
    ["set", "set"],
    ["change", "set"],
    ["replace", null],
    ["delete", "del"],
    ["show", "show"],
    ["lst", "list"],
    ["list", "list"],
    ["xstats", null],
    ["afstats", null],
    ["property", null],
    ["help", null],
  ],
  addr: [
    ["add", "add"],
    ["change", null],
    ["chg", null],
    ["replace", null],
    ["delete", "del"],
    ["list", "list"],
    ["show", "list"],
    ["lst", "list"],
    ["flush", null],
    ["save", null],
    ["showdump", null],
    ["restore", null],
    ["help", null],
  ],
  route: [
    ["add", "add"],
    ["change", null],
    ["chg", null],
    ["replace", "replace"],
    ["prepend", null],
    ["append", null],
    ["test", null],
    ["delete", "del"],
    ["list", "list"],
    ["show", "list"],
    ["lst", "list"],
    ["get", null],
    ["flush", null],
    ["save", null],
    ["restore", null],
    ["showdump", null],
    ["help", null],
  ],
  ns: [
    ["list", "list"],
    ["show", "list"],
    ["lst", "list"],
    ["list-id", null],
    ["help", null],
    ["add", "add"],
    ["set", null],
    ["delete", "del"],
    ["identify", null],
    ["pids", null],
    ["exec", "exec"],
    ["monitor", null],
    ["attach", null],
  ],
};

/** The ip word `typed` is taken for at one level (ip's matches(): a prefix, not empty), if any. */
const ipWordOf = (typed: string, words: IpWords) => (typed === "" ? undefined : words.find(([ip]) => ip.startsWith(typed)));

/**
 * neslink's word for `typed`: as is when it is no ip word (neslink's own,
 * such as `ns`, `prune`, `links`, or a mistake), and as is too where ip would
 * take it for a command neslink lacks (`m`: maddress), so that it is unknown
 * rather than read as another command.
 */
const resolve = (typed: string, words: IpWords) => ipWordOf(typed, words)?.[1] ?? typed;

/** The levels of ip's words a command's words are read at: the object, then its command. */
const levelsOf = (words: readonly string[]): IpWords[] => {
  const sub = COMMANDS[resolve(words[0] ?? "", OBJECTS)];
  return sub ? [OBJECTS, sub] : [OBJECTS];
};

/** The first two positional words as neslink names them (`a a` is `addr add`, `netns e` is `ns exec`); the rest as typed. */
export function commandWords(positionals: readonly string[]): string[] {
  const levels = levelsOf(positionals);
  return positionals.map((word, i) => (levels[i] ? resolve(word, levels[i]) : word));
}

/** Why the command words name no command although ip knows them: the first that ip takes for one neslink lacks (`m`: maddress). */
export function ipOnly(positionals: readonly string[]): string | undefined {
  const levels = levelsOf(positionals);
  for (const [i, words] of levels.entries()) {
    const typed = positionals[i];
    if (typed === undefined) return undefined;
    const found = ipWordOf(typed, words);
    if (found?.[0] === "help") return `"${typed}" is ip's "help": neslink's is --help`;
    if (found && found[1] === null) return `"${typed}" is ip's "${found[0]}", which neslink does not have`;
  }
  return undefined;
}

/**
 * Every word typed otherwise than neslink names it (abbreviated, or ip's
 * spelling) with neslink's word for it: of the objects, or of `group`'s
 * commands. For completion to read the typed words as parse does.
 */
export function ipSpellings(group?: string): [typed: string, word: string][] {
  const words = group === undefined ? OBJECTS : (COMMANDS[group] ?? []);
  const found: [string, string][] = [];
  for (const [ip] of words) {
    for (let n = 1; n <= ip.length; n++) {
      const typed = ip.slice(0, n);
      const word = resolve(typed, words);
      if (word !== typed && ipWordOf(typed, words)?.[0] === ip) found.push([typed, word]);
    }
  }
  return found;
}

/** neslink's groups whose commands ip's words are read as (link, addr, route, ns). */
export const IP_GROUPS: readonly string[] = Object.keys(COMMANDS);
