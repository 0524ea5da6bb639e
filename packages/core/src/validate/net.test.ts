import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import * as net from "./net.js";
import { cidr, ip, mac } from "./net.js";

describe("network input", () => {
  it("MACs", () => {
    expect(mac("mac", "02:AB:00:00:00:01")).toBe("02:ab:00:00:00:01");
    for (const bad of ["02:ab:00:00:00", "02-ab-00-00-00-01", "zz:00:00:00:00:00", 5]) {
      expect(() => mac("mac", bad)).toThrow(ValidationError);
    }
  });
  it("CIDRs, v4 and v6", () => {
    expect(cidr("address", "10.0.0.1/24")).toEqual({ family: 2, address: "10.0.0.1", prefixLen: 24 });
    expect(cidr("address", "2001:db8::1/64")).toEqual({ family: 10, address: "2001:db8::1", prefixLen: 64 });
    for (const bad of [
      "10.0.0.1",
      "10.0.0.1/33",
      "2001:db8::1/129",
      "10.0.0.256/8",
      "x/1",
      "10.0.0.1/-1",
      "10.0.0.1/",
      "10.0.0.1/24/8",
      "10.0.0.1//24",
      "2001:db8::1/64/",
      "10.0.0.1/010",
      "10.0.0.1/08",
      "2001:db8::1/064",
    ]) {
      expect(() => cidr("address", bad)).toThrow(/address/);
    }
    expect(cidr("address", "0.0.0.0/0").prefixLen).toBe(0);
  });

  it("quote a bad prefix length as JSON, so that a control character in it (a newline, an escape) is shown, not acted on", () => {
    expect(() => cidr("address", "10.0.0.1/24\n")).toThrow('address: prefix length "24\\n" must be 0..32');
    expect(() => cidr("address", "10.0.0.1/\u001b[2J")).toThrow('address: prefix length "\\u001b[2J" must be 0..32');
    expect(() => cidr("address", "10.0.0.1/024")).toThrow('address: prefix length "024" has a leading 0');
  });
  it("IPs", () => {
    expect(ip("via", "fe80::1")).toBe("fe80::1");
    expect(() => ip("via", "10.0.0")).toThrow(/via/);
  });
});

describe("network, gateway and unicast MACs", () => {
  it("takes a network with its host bits zero, and refuses one with any set, IPv4 and IPv6", () => {
    expect(net.network("to", "10.0.0.0/8")).toMatchObject({ address: "10.0.0.0", prefixLen: 8 });
    expect(net.network("to", "fd00:1::/64")).toMatchObject({ prefixLen: 64 });
    expect(net.network("to", "0.0.0.0/0")).toMatchObject({ prefixLen: 0 });
    expect(() => net.network("to", "10.0.0.1/8")).toThrow(/host bits/);
    expect(() => net.network("to", "fd00:1::1/64")).toThrow(/host bits/);
    expect(() => net.network("to", "::ffff:10.0.0.1/120")).toThrow(/host bits/);
    expect(net.network("to", "10.0.0.1/32").prefixLen).toBe(32);
  });

  it("refuses the unspecified address as a gateway, and a multicast or broadcast MAC for a link", () => {
    expect(net.gateway("via", "10.0.0.1")).toBe("10.0.0.1");
    expect(() => net.gateway("via", "0.0.0.0")).toThrow(/unspecified/);
    expect(() => net.gateway("via", "::")).toThrow(/unspecified/);
    expect(net.mac("mac", "02:00:00:00:00:01")).toBe("02:00:00:00:00:01");
    expect(() => net.mac("mac", "ff:ff:ff:ff:ff:ff")).toThrow(/multicast or broadcast/);
    expect(() => net.mac("mac", "01:00:5e:00:00:01")).toThrow(/multicast or broadcast/);
  });
});

describe("isIPv4 and isIPv6 answer as node:net does", () => {
  /** A small seeded generator (mulberry32): the same corpus at every run. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("over edge cases and 170,000 generated strings, valid and not", () => {
    const { isIPv4, isIPv6 } = process.getBuiltinModule("node:net");
    const next = random(18);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
    const cases = [
      ...["1.2.3.4", "01.2.3.4", "256.1.1.1", "1.2.3", "1.2.3.4.5", "0.0.0.0", "255.255.255.255", "1.2.3.4\n"],
      ...["::", "::1", "1::", "fe80::1%eth0", "fe80::1%", "fe80::1%a_b", "fe80::1%e th", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9"],
      ...["1:2:3:4:5:6:7::", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "12345::", ":::", "1::2::3"],
      ...["[::1]", " ::1", "::01.2.3.4", "fe80::1%eth0%x", "ABCD::EF", "::%1", "1.2.3.04", "::1.2.3"],
    ];
    const chars = "0123456789abcdefABCDEFg:.%-_ \n";
    for (let i = 0; i < 100_000; i++) {
      let s = "";
      for (let n = 1 + Math.floor(next() * 24); n > 0; n--) s += pick([...chars]);
      cases.push(s);
    }
    // Near-valid IPv6: groups (some too long, some empty), a "::", an IPv4 tail, a zone.
    for (let i = 0; i < 50_000; i++) {
      const groups = Array.from({ length: Math.floor(next() * 9) }, () => (next() < 0.1 ? "" : Math.floor(next() * 0x1ffff).toString(16)));
      let s = groups.join(":");
      if (next() < 0.5) s = s.replace(/^|:$/, "::");
      if (next() < 0.2) s += `:${[0, 0, 0, 0].map(() => Math.floor(next() * 300)).join(".")}`;
      if (next() < 0.1) s += `%${pick(["eth0", "1", "a.b", "x-y", "", ":"])}`;
      cases.push(s);
    }
    // Near-valid IPv4: octets up to 299, some with a leading zero, some of three or five parts.
    for (let i = 0; i < 20_000; i++) {
      const parts = Array.from({ length: pick([3, 4, 4, 4, 5]) }, () => `${next() < 0.05 ? "0" : ""}${Math.floor(next() * 300)}`);
      cases.push(parts.join("."));
    }
    const differing = cases.filter((c) => net.isIPv4(c) !== isIPv4(c) || net.isIPv6(c) !== isIPv6(c));
    expect(differing).toEqual([]);
    // The corpus reaches both answers of both checks.
    expect(cases.filter((c) => isIPv6(c)).length).toBeGreaterThan(1000);
    expect(cases.filter((c) => isIPv4(c)).length).toBeGreaterThan(1000);
  });
});
