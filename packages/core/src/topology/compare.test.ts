import type { Route } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { routeMatches } from "./compare.js";

/**
 * A route as the codec decodes the kernel's: a default route has no destination; an IPv4 dump leaves a metric of 0
 * out, an IPv6 one always gives it (1024 for a route added without one).
 */
function route(family: 2 | 10, dst: string | null, dstLen: number, gateway: string, metric = family === 10 ? 1024 : null): Route {
  return { family, dst, dstLen, gateway, table: 254, oifIndex: 2, metric, protocol: 3, type: 1 } as Route;
}

const names = new Map([[2, "eth0"]]);

describe("routeMatches", () => {
  it("takes a /0 (0.0.0.0/0, ::/0) for the default route the kernel reports, as ip does", () => {
    const v4 = route(2, null, 0, "10.0.1.254");
    const v6 = route(10, null, 0, "fd00:2::1");
    expect(routeMatches({ to: "default", via: "10.0.1.254" }, v4, names)).toBe(true);
    expect(routeMatches({ to: "0.0.0.0/0", via: "10.0.1.254" }, v4, names)).toBe(true);
    expect(routeMatches({ to: "::/0", via: "fd00:2::1" }, v6, names)).toBe(true);
    expect(routeMatches({ to: "::/0", via: "fd00:2:0::1" }, v6, names)).toBe(true);
    // Not another destination, nor another family's default.
    expect(routeMatches({ to: "10.0.0.0/8", via: "10.0.1.254" }, v4, names)).toBe(false);
    expect(routeMatches({ to: "::/0", via: "fd00:2::1" }, v4, names)).toBe(false);
    expect(routeMatches({ to: "0.0.0.0/0", via: "10.0.1.254" }, route(2, "10.0.0.0", 8, "10.0.1.254"), names)).toBe(false);
  });

  it("takes a route the file gives without a metric to have the kernel's default, IPv4 0 and IPv6 1024, as apply makes it", () => {
    const want4 = { to: "default", via: "10.0.1.254" };
    const want6 = { to: "default", via: "fd00:2::1" };
    expect(routeMatches(want4, route(2, null, 0, "10.0.1.254"), names)).toBe(true);
    expect(routeMatches(want6, route(10, null, 0, "fd00:2::1"), names)).toBe(true);
    // The same route remade by hand with another metric is another route: the file's is not there.
    expect(routeMatches(want4, route(2, null, 0, "10.0.1.254", 5), names)).toBe(false);
    expect(routeMatches(want6, route(10, null, 0, "fd00:2::1", 7), names)).toBe(false);
    expect(routeMatches({ ...want4, metric: 5 }, route(2, null, 0, "10.0.1.254", 5), names)).toBe(true);
    expect(routeMatches({ ...want6, metric: 7 }, route(10, null, 0, "fd00:2::1", 7), names)).toBe(true);
  });
});
