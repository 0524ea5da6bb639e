import { ValidationError } from "@neslink/core/errors";
import { describe, expect, it } from "vitest";
import { parse } from "./args.js";
import { commands } from "./commands/index.js";
import { commandWords } from "./iproute-words.js";
import { markProgram } from "./program-argv.js";

/** The command and arguments argv is read as. */
const read = (line: string) => {
  const parsed = parse(line.split(" "), commands);
  if (parsed.kind !== "run") throw new Error(`expected a command, got ${parsed.kind}`);
  return [parsed.command.name, ...parsed.invocation.args].join(" ");
};

/** The usage error argv is refused with. */
const refused = (line: string) => {
  try {
    parse(line.split(" "), commands);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error(`expected a usage error for ${line}`);
};

describe("iproute2's spellings, typed by habit", () => {
  it("netns and address name the groups; show and delete the subcommands", () => {
    expect(read("netns list")).toBe("ns list");
    expect(read("netns add lab1")).toBe("ns add lab1");
    expect(read("netns delete lab1")).toBe("ns del lab1");
    expect(read("netns exec lab1 ip link")).toBe("ns exec lab1 ip link");
    expect(read("address show dev eth0")).toBe("addr list dev eth0");
    expect(read("addr delete 10.0.0.1/24 dev eth0")).toBe("addr del 10.0.0.1/24 dev eth0");
    expect(read("route show table all")).toBe("route list table all");
    expect(read("route delete default")).toBe("route del default");
    expect(read("link delete v0")).toBe("link del v0");
    expect(read("link show")).toBe("link list");
  });

  it("dev before a link's name, as `ip link set dev X up`", () => {
    expect(read("link set dev v0 up")).toBe("link set v0 up");
    expect(read("link del dev v0")).toBe("link del v0");
    expect(read("link show dev v0")).toBe("link show v0");
    // A link named dev is still one when nothing but its name follows.
    expect(read("link del dev")).toBe("link del dev");
  });

  it("a link's name without dev where ip takes one, and link list NAME as link show NAME", () => {
    expect(read("addr show lo")).toBe("addr list dev lo");
    expect(read("address list eth0")).toBe("addr list dev eth0");
    expect(read("addr show")).toBe("addr list");
    expect(read("addr show dev lo")).toBe("addr list dev lo");
    expect(read("link list lo")).toBe("link show lo");
    expect(read("link list dev lo")).toBe("link show lo");
    expect(read("link list")).toBe("link list");
    expect(read("route show dev lo")).toBe("route list dev lo");
    // Only where ip reads a bare word as a name: addr add/del still need dev, as ip's do.
    expect(read("addr add 10.0.0.1/24 eth0")).toBe("addr add 10.0.0.1/24 eth0");
  });

  it("link add in ip's order, and a veth's peer name", () => {
    expect(read("link add v0 type veth peer name v1")).toBe("link add veth v0 peer v1");
    expect(read("link add name v0 type veth peer name v1 netns lab2")).toBe("link add veth v0 peer v1 netns lab2");
    expect(read("link add br0 type bridge")).toBe("link add bridge br0");
    expect(read("link add link eth0 name mv0 type macvlan mode bridge")).toBe("link add macvlan mv0 link eth0 mode bridge");
    expect(read("link add vx0 type vxlan id 42 dev eth0 dstport 4789")).toBe("link add vxlan vx0 id 42 dev eth0 dstport 4789");
    expect(read("link add veth v0 peer name v1 up")).toBe("link add veth v0 peer v1 up");
    // neslink's own order is untouched, and a peer named "name" stays one.
    expect(read("link add veth v0 peer name")).toBe("link add veth v0 peer name");
    // In ip's order, as ip: not complete.
    expect(() => read("link add name v0 type veth peer name")).toThrow('name: needs the peer\'s name: "peer name PEER"');
    expect(() => read("link add dev br0")).toThrow('type: is required after "dev NAME": "link add dev NAME type KIND"');
    expect(read("link add vxlan vx0 id 42 dev eth0")).toBe("link add vxlan vx0 id 42 dev eth0");
  });

  it("link add's name before type: bare, after name or after dev, among ip's keywords", () => {
    for (const [typed, words] of [
      ["dev br0 type bridge", "bridge br0"],
      ["name br0 type bridge", "bridge br0"],
      ["mtu 1400 dev br0 up type bridge", "bridge br0 mtu 1400 up"],
      ["up br0 type bridge", "bridge br0 up"],
      ["link eth0 mv0 type macvlan", "macvlan mv0 link eth0"],
      ["dev vx0 type vxlan id 42 dev eth0", "vxlan vx0 id 42 dev eth0"],
    ])
      expect(read(`link add ${typed}`)).toBe(`link add ${words}`);
  });

  it("dev or name before type with no name after it is a usage error naming the word", () => {
    expect(refused("link add dev type bridge")).toBe(`dev: needs the link's name: "link add dev NAME type KIND"`);
    expect(refused("link add name mtu 1400 type bridge")).toBe(`name: needs the link's name: "link add name NAME type KIND"`);
    expect(refused("link add dev up type bridge")).toContain("dev: needs the link's name");
    expect(refused("link add mtu 1400 type bridge")).toBe(`NAME: is required: "link add [name] NAME type KIND"`);
    expect(refused("link add name br0 dev br1 type bridge")).toBe(`dev: names the link "br1", but it is named "br0" already`);
  });

  it("ip's abbreviations of objects and commands, each resolved in ip's own order", () => {
    // Objects (ip.c's cmds[]): address before addrlabel, route before rule, link before l2tp, netns before netconf.
    for (const typed of ["a", "ad", "add", "addr", "addre", "address"])
      expect(read(`${typed} add 10.0.0.1/24 dev lo`)).toBe("addr add 10.0.0.1/24 dev lo");
    for (const typed of ["r", "ro", "rou", "rout"]) expect(read(`${typed} list`)).toBe("route list");
    for (const typed of ["l", "li", "lin"]) expect(read(`${typed} del v0`)).toBe("link del v0");
    for (const typed of ["net", "netn"]) expect(read(`${typed} add lab1`)).toBe("ns add lab1");
    expect(read("mo link")).toBe("monitor link");
    expect(read("moni link")).toBe("monitor link");
    // Commands, as each object's do_* function tries them: set before show, add before append, list/show/lst.
    expect(read("a a 10.0.0.1/24 dev lo")).toBe("addr add 10.0.0.1/24 dev lo");
    expect(read("a d 10.0.0.1/24 dev lo")).toBe("addr del 10.0.0.1/24 dev lo");
    expect(read("a del 10.0.0.1/24 dev lo")).toBe("addr del 10.0.0.1/24 dev lo");
    expect(read("a s lo")).toBe("addr list dev lo");
    expect(read("a l")).toBe("addr list");
    expect(read("a ls")).toBe("addr list");
    expect(read("a lst dev lo")).toBe("addr list dev lo");
    expect(read("l s lo up")).toBe("link set lo up");
    expect(read("l se dev lo up")).toBe("link set lo up");
    expect(read("l change lo mtu 1400")).toBe("link set lo mtu 1400");
    expect(read("l c lo mtu 1400")).toBe("link set lo mtu 1400");
    expect(read("l sh")).toBe("link list");
    expect(read("link sh")).toBe("link list");
    expect(read("l sh lo")).toBe("link show lo");
    expect(read("l sho dev lo")).toBe("link show lo");
    expect(read("l l")).toBe("link list");
    expect(read("l l lo")).toBe("link show lo");
    expect(read("l a v0 type veth peer name v1")).toBe("link add veth v0 peer v1");
    expect(read("l d v0")).toBe("link del v0");
    expect(read("l dele dev v0")).toBe("link del v0");
    expect(read("r")).toBe("route list");
    expect(read("ro sh")).toBe("route list");
    expect(read("r s table all")).toBe("route list table all");
    expect(read("r l dev lo")).toBe("route list dev lo");
    expect(read("r a default via 10.0.0.1")).toBe("route add default via 10.0.0.1");
    expect(read("r r default dev lo")).toBe("route replace default dev lo");
    expect(read("r re default dev lo")).toBe("route replace default dev lo");
    expect(read("r d default")).toBe("route del default");
    expect(read("netns s")).toBe("ns list");
    expect(read("net l")).toBe("ns list");
    expect(read("netns a lab1")).toBe("ns add lab1");
    expect(read("netns d lab1")).toBe("ns del lab1");
    expect(read("ns d lab1")).toBe("ns del lab1");
    expect(read("netns e lab1 ip link")).toBe("ns exec lab1 ip link");
  });

  it("a word ip takes for a command neslink lacks is unknown, not read as a later one (n is neigh, m maddress)", () => {
    expect(refused("n")).toBe(`command: unknown command "n" ("n" is ip's "neighbor", which neslink does not have)`);
    expect(refused("ne add x")).toContain(`unknown command "ne" ("ne" is ip's "neighbor"`);
    expect(refused("m")).toContain(`("m" is ip's "maddress"`);
    expect(refused("ru")).toContain(`("ru" is ip's "rule"`);
    expect(refused("netc")).toContain(`("netc" is ip's "netconf"`);
    expect(refused("ns p")).toBe(`command: unknown command "ns p" ("p" is ip's "pids", which neslink does not have)`);
    expect(refused("netns se x")).toContain(`("se" is ip's "set"`);
    expect(refused("l r v0")).toContain(`("r" is ip's "replace"`);
    expect(refused("a r 10.0.0.1/24 dev lo")).toContain(`("r" is ip's "replace"`);
    expect(refused("a c 10.0.0.1/24 dev lo")).toContain(`("c" is ip's "change"`);
    expect(refused("r ap default dev lo")).toContain(`("ap" is ip's "append"`);
    expect(refused("r g 10.0.0.1")).toContain(`("g" is ip's "get"`);
    expect(refused("h")).toContain(`("h" is ip's "help": neslink's is --help`);
    // neslink's own commands are not abbreviated (ip has no such word), nor is ns, which is not ip's.
    for (const typed of ["e h1 true", "ap x.yaml", "pl x.yaml", "de x", "i", "g x", "sh", "ag", "co bash", "ns pr", "n"])
      expect(refused(typed)).toContain("unknown command");
    expect(refused("ex h1 true")).toBe('command: unknown command "ex"');
  });

  it("every command's own words read as themselves", () => {
    for (const { name } of commands) expect(commandWords(name.split(" "))).toEqual(name.split(" "));
  });

  it("a group alone runs its list command, with its options; --help is still the group's", () => {
    expect(read("link")).toBe("link list");
    expect(read("l")).toBe("link list");
    expect(read("addr")).toBe("addr list");
    expect(read("a")).toBe("addr list");
    expect(read("route")).toBe("route list");
    expect(read("ns")).toBe("ns list");
    expect(read("netns")).toBe("ns list");
    expect(parse(["-n", "lab1", "link", "--json"], commands)).toMatchObject({
      kind: "run",
      command: { name: "link list" },
      invocation: { args: [], ns: "lab1" },
    });
    expect(parse(["route", "-6"], commands)).toMatchObject({ kind: "run", invocation: { options: { inet6: true } } });
    expect(parse(["link", "--help"], commands)).toEqual({ kind: "help", topic: "link" });
    expect(parse(["-n", "x", "l", "-h"], commands)).toEqual({ kind: "help", topic: "link" });
    expect(parse(["netns", "--help"], commands)).toEqual({ kind: "help", topic: "ns" });
    expect(parse(["l", "sh", "--help"], commands)).toEqual({ kind: "help", topic: "link show" });
    expect(parse(["a", "a", "--help"], commands)).toEqual({ kind: "help", topic: "addr add" });
    // As `ns list -n x` is refused, so is `ns -n x`: the same command.
    expect(() => parse(["ns", "-n", "x"], commands)).toThrow('-n: is not an option of "neslink ns list"');
  });

  it("an exec's program starts at the same word, however ns exec is spelt", () => {
    for (const words of ["ns exec", "netns exec", "net e", "netns ex", "ns e"])
      expect(markProgram([...words.split(" "), "h1", "ip", "-br", "link"])).toEqual([...words.split(" "), "h1", "--", "ip", "-br", "link"]);
  });

  it("never an exec's program", () => {
    expect(read("exec lab1 link show dev v0")).toBe("exec lab1 link show dev v0");
    expect(read("ns exec lab1 netns delete x")).toBe("ns exec lab1 netns delete x");
  });
});
