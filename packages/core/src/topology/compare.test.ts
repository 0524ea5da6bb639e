import type { Route } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { routeMatches } from "./compare.js";

/** A route as the codec decodes the kernel's: a default route has no destination. */
function route(family: 2 | 10, dst: string | null, dstLen: number, gateway: string): Route {
  return { family, dst, dstLen, gateway, table: 254, oifIndex: 2, metric: null, protocol: 3, type: 1 } as Route;
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
});
