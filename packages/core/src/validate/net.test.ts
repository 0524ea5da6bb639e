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
