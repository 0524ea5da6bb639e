import type { Address, Link } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { describeChange } from "./changes.js";
import { liveRead, ownedNode } from "./live.fixture.js";
import { load } from "./load.js";
import { diff } from "./plan.js";

/** Node a has x (no addresses in the file) and y (one); b is x's and y's far end. */
const lab = load({
  name: "pl",
  nodes: { a: { ipv6: true, addresses: { y: ["10.1.0.1/24"] } }, b: { ipv6: true } },
  links: [{ endpoints: ["a:x", "b:x"] }, { endpoints: ["a:y", "b:y"] }],
});

const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_HOST = 254;

function link(index: number, name: string, peerIndex?: number): Link {
  return {
    index,
    name,
    flags: 1,
    up: true,
    mtu: 1500,
    mac: null,
    operstate: "up",
    kind: peerIndex === undefined ? null : "veth",
    masterIndex: null,
    alias: null,
    group: 0,
    linkNetnsid: peerIndex === undefined ? null : 0,
    parentIndex: peerIndex ?? null,
  } as Link;
}

function address(index: number, cidr: string, scope: number): Address {
  const [local, prefixLen] = cidr.split("/");
  const family = local?.includes(":") ? 10 : 2;
  return { index, family, prefixLen: Number(prefixLen), address: local, local: family === 2 ? local : null, label: null, scope } as Address;
}

const node = (name: string, addresses: Address[]) =>
  ownedNode(
    "pl",
    name,
    link(1, "lo"),
    [link(2, "x", 2), link(3, "y", 3)],
    [address(1, "127.0.0.1/8", RT_SCOPE_HOST), address(1, "::1/128", RT_SCOPE_HOST), ...addresses],
  );

const plan = (a: Address[], b: Address[] = []) => diff(lab, liveRead(new Map([node("a", a), node("b", b)]))).map(describeChange);

describe("the addresses of an interface are the file's", () => {
  it("plans nothing when they are, the kernel's own (link and host scope) left alone", () => {
    expect(plan([address(2, "fe80::1/64", RT_SCOPE_LINK), address(3, "10.1.0.1/24", RT_SCOPE_UNIVERSE)])).toEqual([]);
  });

  it("removes an address added by hand, also on an interface the file gives none, and adds one that is missing", () => {
    const byHand = [address(2, "10.2.0.1/24", RT_SCOPE_UNIVERSE), address(3, "10.3.0.1/24", RT_SCOPE_UNIVERSE)];
    expect(plan(byHand, [address(1, "10.4.0.1/32", RT_SCOPE_UNIVERSE)])).toEqual([
      "- address 10.2.0.1/24 on a:x",
      "+ address 10.1.0.1/24 on a:y",
      "- address 10.3.0.1/24 on a:y",
      "- address 10.4.0.1/32 on b:lo",
    ]);
  });
});

describe("what diff plans from", () => {
  it("must give the host's links: left out, it is a type error, not a plan against a host with none", () => {
    const { hostLinks: _, ...forgotten } = liveRead(new Map([node("a", []), node("b", [])]));
    // @ts-expect-error hostLinks is required (it defaulted to an empty map, so a caller that forgot it planned silently wrong)
    expect(diff(lab, forgotten).map(describeChange)).toEqual(["+ address 10.1.0.1/24 on a:y"]);
  });
});
