import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import * as v from "./validate.js";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as ValidationError;
  }
  throw new Error("accepted");
};

describe("linkName", () => {
  it("accepts what the kernel accepts", () => {
    for (const ok of ["eth0", "a", "veth-a.b_c", "x".repeat(15), "ünï"]) expect(v.linkName("f", ok)).toBe(ok);
  });
  it("refuses what the kernel refuses, naming the field", () => {
    for (const bad of ["", ".", "..", "a/b", "a b", "a:b", "a\tb", "x".repeat(16), "ü".repeat(8), 7, null]) {
      const err = refusal(() => v.linkName("link.name", bad));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.field).toBe("link.name");
      expect(err.code).toBe("ERR_INVALID_ARGUMENT");
    }
  });
});

describe("namespaceName", () => {
  it("refuses anything that could leave the mount dir", () => {
    for (const bad of ["../x", "a/b", "/abs", "..", ".", "", "a\nb", "a b", "x".repeat(256)]) {
      expect(refusal(() => v.namespaceName("name", bad)).field).toBe("name");
    }
    expect(v.namespaceName("name", "lab-1.a_b")).toBe("lab-1.a_b");
  });
});

describe("absolutePath", () => {
  it("normalises absolute paths and refuses relative ones", () => {
    expect(v.absolutePath("dir", "/run//netns/")).toBe("/run/netns/");
    expect(refusal(() => v.absolutePath("dir", "run/netns")).field).toBe("dir");
    expect(refusal(() => v.absolutePath("dir", "/a\0b")).message).toMatch(/NUL/);
  });
});

describe("numbers", () => {
  it("refuses index 0, which the kernel would resolve by name", () => {
    expect(refusal(() => v.linkIndex("index", 0)).field).toBe("index");
    expect(refusal(() => v.linkIndex("index", 1.5)).field).toBe("index");
    expect(v.linkIndex("index", 3)).toBe(3);
    expect(refusal(() => v.pid("pid", -1)).field).toBe("pid");
  });

  it("takes any MTU the kernel's int holds from IPv4's minimum, lo's default 65536 included", () => {
    expect(v.mtu("mtu", 65536)).toBe(65536);
    expect(v.mtu("mtu", 68)).toBe(68);
    expect(refusal(() => v.mtu("mtu", 67)).field).toBe("mtu");
    expect(refusal(() => v.mtu("peer.mtu", 2 ** 31)).field).toBe("peer.mtu");
  });
});

describe("moduleSpecifier", () => {
  it("refuses relative specifiers, which workers would resolve from the wrong place", () => {
    expect(refusal(() => v.moduleSpecifier("module", "./x.mjs")).field).toBe("module");
    expect(v.moduleSpecifier("module", "/abs/x.mjs")).toBe("/abs/x.mjs");
  });
});
