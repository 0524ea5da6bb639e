import { describe, expect, it } from "vitest";
import { parse } from "./args.js";
import { commands } from "./commands/index.js";

/** The command and arguments argv is read as. */
const read = (line: string) => {
  const parsed = parse(line.split(" "), commands);
  if (parsed.kind !== "run") throw new Error(`expected a command, got ${parsed.kind}`);
  return [parsed.command.name, ...parsed.invocation.args].join(" ");
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
    expect(read("link add vxlan vx0 id 42 dev eth0")).toBe("link add vxlan vx0 id 42 dev eth0");
  });

  it("never an exec's program", () => {
    expect(read("exec lab1 link show dev v0")).toBe("exec lab1 link show dev v0");
    expect(read("ns exec lab1 netns delete x")).toBe("ns exec lab1 netns delete x");
  });
});
