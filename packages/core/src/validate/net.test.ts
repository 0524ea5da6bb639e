import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
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
    ]) {
      expect(() => cidr("address", bad)).toThrow(/address/);
    }
  });
  it("IPs", () => {
    expect(ip("via", "fe80::1")).toBe("fe80::1");
    expect(() => ip("via", "10.0.0")).toThrow(/via/);
  });
});
