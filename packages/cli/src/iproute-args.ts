/**
 * The arguments an iproute2 user types after the command words, read as neslink's: `dev NAME` where a link is named,
 * a bare NAME for `addr list`, `link list NAME` for `link show NAME`, `link add [name|dev] NAME type KIND` and a
 * veth's `peer name NAME`. Apart from iproute-words.ts, which the agent's client loads before core's errors.
 */
import { ValidationError } from "@neslink/core/errors";
import type { KeywordSpec } from "./keywords.js";

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
 * Keywords every kind takes, as `ip link add` does. `netns NS` makes the link
 * directly in NS, its parent looked up where the command runs (`ip link add
 * link eth0 name mv0 netns NS type macvlan`); a veth's `netns` is its peer's
 * (after `peer NAME`, as in ip).
 */
export const COMMON: KeywordSpec = { mtu: "value", address: "value", master: "value", group: "value", up: "flag", netns: "value" };

/** ip's words before `type` that name the link: `name NAME`, and `dev NAME` as ip also takes it. */
const NAMING = new Set(["name", "dev"]);

/** ip's keywords before `type` that neslink reads: each kind's common ones, the parent's `link`, and the naming words. */
const isKeyword = (word: string) => COMMON[word] !== undefined || word === "link" || NAMING.has(word);

/**
 * The link's name among the words before `type` (`link eth0 name mv0`, `dev br0 mtu 1400`, `br0 up`), and the other
 * words: the first word that is no keyword nor a keyword's value is the name, as ip reads it. `dev` or `name`
 * followed by nothing or by a keyword names no link (ip would name it `type` or `mtu`).
 */
function nameBeforeType(words: readonly string[]): [name: string, rest: string[]] {
  let name: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (NAMING.has(word)) {
      const value = words[i + 1];
      if (value === undefined || isKeyword(value))
        throw new ValidationError(word, `needs the link's name: "link add ${word} NAME type KIND"`);
      if (name !== undefined) throw new ValidationError(word, `names the link "${value}", but it is named "${name}" already`);
      name = value;
      i++;
    } else if (name === undefined && !isKeyword(word)) {
      name = word;
    } else {
      rest.push(word);
      if (isKeyword(word) && COMMON[word] !== "flag" && words[i + 1] !== undefined) rest.push(words[++i] as string);
    }
  }
  if (name === undefined) throw new ValidationError("NAME", 'is required: "link add [name] NAME type KIND"');
  return [name, rest];
}

/**
 * ip's order, `[name|dev] NAME ... type KIND [peer name PEER] ...` (`link eth0 name mv0 type macvlan mode bridge`),
 * as neslink's `KIND NAME ...`; words with no `type` among them are neslink's order already.
 */
function linkAddArgs(args: readonly string[]): string[] {
  const words = [...args];
  const peer = words.indexOf("peer");
  const ipOrder = words.indexOf("type") >= 1;
  // In ip's order, `peer name` with nothing after it is ip's "Command line is not complete": it made a peer named "name".
  if (ipOrder && peer >= 0 && words[peer + 1] === "name" && words[peer + 2] === undefined)
    throw new ValidationError("name", 'needs the peer\'s name: "peer name PEER"');
  // In neslink's own order, a peer named "name" stays one when nothing follows it.
  if (peer >= 0 && words[peer + 1] === "name" && words[peer + 2] !== undefined) words.splice(peer + 1, 1);
  const type = words.indexOf("type");
  const kind = words[type + 1];
  // ip's `dev NAME`/`name NAME` with no `type`: it said `"dev" is not a kind neslink creates`.
  if (type < 0 && (words[0] === "dev" || words[0] === "name"))
    throw new ValidationError("type", `is required after "${words[0]} NAME": "link add ${words[0]} NAME type KIND"`);
  if (type < 1 || kind === undefined) return words;
  const [name, rest] = nameBeforeType(words.slice(0, type));
  return [kind, name, ...rest, ...words.slice(type + 2)];
}

/**
 * The positional words of argv, their command words already neslink's (iproute-words.ts's commandWords), with
 * iproute2's orders of a command's own arguments turned into neslink's.
 */
export function fromIproute(words: readonly string[]): string[] {
  const [group, spelt, ...args] = words;
  if (group === undefined) return [];
  if (spelt === undefined) return [group];
  if (group === "addr" && spelt === "list") return [group, spelt, ...addrListArgs(args)];
  if (group !== "link") return [group, spelt, ...args];
  // `ip link show` with no name lists every link, and `ip link list NAME` shows one: the two are one command to ip.
  if (args.length === 0 && (spelt === "show" || spelt === "list")) return [group, "list"];
  const sub = spelt === "list" ? "show" : spelt;
  if (NAMED_BY_DEV.has(sub) && args[0] === "dev" && args[1] !== undefined) return [group, sub, ...args.slice(1)];
  if (sub === "add") return [group, sub, ...linkAddArgs(args)];
  return [group, sub, ...args];
}
