import { describe, expect, it } from "vitest";
import { byName } from "../links/providers.js";
import { addRoute, delRoute, replaceRoute, routes } from "./route-actions.js";

describe("route actions", () => {
  it("split the destination and settle the family", () => {
    expect(addRoute({ to: "10.9.0.0/16", via: "10.1.2.1", metric: 5 })).toEqual({
      kind: "route",
      op: "add",
      route: { family: 2, dst: "10.9.0.0", dstLen: 16, via: "10.1.2.1", metric: 5 },
    });
    expect(addRoute({ to: "default", via: "2001:db8::1" }).route.family).toBe(10);
    expect(addRoute({ to: "default", dev: byName("eth0"), family: 6 }).route).toEqual({ family: 10, dev: { kind: "name", name: "eth0" } });
    expect(delRoute({ to: "2001:db8:1::/64", dev: byName("eth0") }).route).toMatchObject({ family: 10, dstLen: 64 });
    expect(routes(4)).toEqual({ kind: "routes", family: 2 });
  });

  it("need a gateway or a device to add or replace, not to delete (found by its destination, as `ip route del`)", () => {
    expect(delRoute({ to: "10.9.0.0/16" }).route).toEqual({ family: 2, dst: "10.9.0.0", dstLen: 16 });
    expect(() => addRoute({ to: "10.9.0.0/16" })).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "via" }));
    expect(() => replaceRoute({ to: "10.9.0.0/16", metric: 3 })).toThrow(expect.objectContaining({ field: "via" }));
  });

  it('take a family only as 4, 6 or "all": anything else ("4", AF_INET\'s 2, "inet") is refused, not read as all', () => {
    expect(routes(6)).toEqual({ kind: "routes", family: 10 });
    expect(routes("all")).toEqual({ kind: "routes", family: 0 });
    for (const family of ["4", 2, 10, 5, "inet", null]) {
      expect(() => routes(family as never), JSON.stringify(family)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "family" }),
      );
      expect(() => addRoute({ to: "default", dev: byName("eth0"), family: family as never }), JSON.stringify(family)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "family" }),
      );
    }
  });

  it("take a filter only as an object of known fields", () => {
    expect(routes(4, { protocol: 3 })).toEqual({ kind: "routes", family: 2, protocol: 3 });
    expect(routes(6, { table: 254, protocol: 2 })).toEqual({ kind: "routes", family: 10, protocol: 2, table: 254 });
    expect(routes("all", { table: 0xffffffff })).toEqual({ kind: "routes", family: 0, table: 0xffffffff });
    for (const [filter, field] of [
      [null, "filter"],
      [3, "filter"],
      [{ proto: 3 }, "filter.proto"],
      [{ protocol: 0 }, "protocol"],
      [{ table: 0 }, "table"],
      [{ table: 2 ** 32 }, "table"],
      [{ table: "main" }, "table"],
    ] as const) {
      expect(() => routes(4, filter as never), JSON.stringify(filter)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field }),
      );
    }
  });

  it("take a route only as an object of RouteInput's fields: dst and dstLen are made from `to`, not taken beside it", () => {
    for (const [input, field] of [
      [null, "value"],
      [[], "value"],
      ["default", "value"],
      [{ to: "10.0.0.0/8", via: "10.0.0.1", dst: "192.168.0.0", dstLen: 16 }, "dst"],
      [{ to: "default", via: "10.0.0.1", dstLen: 16 }, "dstLen"],
      [{ to: "default", via: "10.0.0.1", gateway: "10.0.0.2" }, "gateway"],
    ] as const) {
      for (const change of [addRoute, replaceRoute, delRoute]) {
        expect(() => change(input as never), JSON.stringify(input)).toThrow(
          expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field }),
        );
      }
    }
    expect(() => addRoute({ to: "default", via: "10.0.0.1", gateway: "x" } as never)).toThrow(
      "gateway: is not a field here (expected to, via, dev, metric, table, family)",
    );
  });

  it("refuse routes the kernel would refuse, naming the field", () => {
    expect(() => addRoute({ to: "10.0.0.0/8" })).toThrow(/via/);
    expect(() => addRoute({ to: "10.0.0.0/8", via: "2001:db8::1" })).toThrow(/address family/);
    expect(() => addRoute({ to: "10.0.0.0/40", via: "10.0.0.1" })).toThrow(/^to:/);
    // Host bits set: named as given (`to`), not as the worker's spec names it (`dst`).
    expect(() => delRoute({ to: "10.0.0.1/8" })).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "to" }));
    expect(() => addRoute({ to: "10.0.0.0/8", via: "10.0.0.1", table: 0 })).toThrow(/table/);
  });
});
