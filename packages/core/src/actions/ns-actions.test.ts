import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { byName } from "../links/providers.js";
import { create } from "../namespace/providers.js";
import { addrs, deleteNamed, exec, script, setLinkNs, sysctl } from "./ns-actions.js";

describe("namespace actions are validated plain data", () => {
  it("deleteNamed's options are an object of known fields: a misspelt guard is refused, not dropped (an unguarded delete)", () => {
    const refused = (options: unknown) => {
      try {
        deleteNamed("lab", "/run/netns", options as never);
      } catch (err) {
        return (err as ValidationError).field;
      }
      return "accepted";
    };
    expect(refused({ loaliasPrefix: "neslink:lab:" })).toBe("options.loaliasPrefix");
    expect(refused(null)).toBe("options");
    expect(refused("neslink:lab:")).toBe("options");
    expect(deleteNamed("lab", "/run/netns", { loAliasPrefix: "neslink:lab:", keepGroup: 7 })).toMatchObject({
      kind: "deleteNamed",
      loAliasPrefix: "neslink:lab:",
      keepGroup: 7,
    });
  });

  it('addrs takes a family only as 4, 6 or "all": anything else is refused, not read as all', () => {
    expect([addrs(4), addrs(6), addrs("all"), addrs()]).toEqual([2, 10, 0, 0].map((family) => ({ kind: "addrs", family })));
    for (const family of ["4", 2, 10, 5, "inet", null]) {
      expect(() => addrs(family as never), JSON.stringify(family)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "family" }),
      );
    }
  });

  it("a sysctl's value is a string or a finite number: anything else is refused, not written as String() makes it", () => {
    expect(sysctl("net.ipv4.ip_forward", 1)).toEqual({ kind: "sysctl", name: "net.ipv4.ip_forward", value: "1" });
    expect(sysctl("net.ipv4.ip_forward", "1")).toEqual({ kind: "sysctl", name: "net.ipv4.ip_forward", value: "1" });
    expect(sysctl("net.ipv4.ip_forward")).toEqual({ kind: "sysctl", name: "net.ipv4.ip_forward" });
    for (const value of [{}, [1], null, true, Number.NaN, Number.POSITIVE_INFINITY, 1n, () => 1]) {
      expect(() => sysctl("net.ipv4.ip_forward", value as never), String(value)).toThrow(
        expect.objectContaining({
          code: "ERR_INVALID_ARGUMENT",
          field: "value",
          message: expect.stringMatching(/^value: must be a string or a finite number, got /),
        }),
      );
    }
  });

  it("script variables are quoted as one word", () => {
    const action = script("echo {{a}} {{ b }}", { a: "x'; rm -rf /", b: 3 });
    expect(action).toEqual({ kind: "exec", argv: ["/bin/sh", "-e", "-c", "echo 'x'\\''; rm -rf /' '3'"], options: {} });
  });

  it("a script variable that is not given names itself", () => {
    expect(() => script("echo {{nope}}")).toThrow(ValidationError);
    expect(() => script("echo {{nope}}")).toThrow(/vars\.nope/);
  });

  it("exec needs a non-empty argv", () => {
    expect(() => exec([])).toThrow(/argv/);
    expect(() => exec(["ls", "a\0b"])).toThrow(/argv\[1\]/);
  });

  it("a link can only move to a namespace that already exists", () => {
    expect(() => setLinkNs(byName("eth0"), create())).toThrow(/existing namespace/);
  });

  it("survive structured cloning (they cross into workers)", () => {
    const action = setLinkNs(byName("veth0"), { kind: "name", name: "b", dir: "/run/netns" });
    expect(structuredClone(action)).toEqual(action);
  });
});
