import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import * as net from "./net.js";
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

describe("hidden characters", () => {
  const hidden = [
    "a\u0085b",
    "a\u009bb",
    "a\u0007b",
    "a\u200bb",
    "a\u200fb",
    "a\u2060b",
    "a\ufeffb",
    "a\u202eb",
    "a\u2066b",
    "a\u2069b",
    "a\u061cb",
    // Printed as nothing: the soft hyphen, an invisible operator, a tag character; and a line separator.
    "a\u00adb",
    "a\u2062b",
    "a\u{e0041}b",
    "a\u2028b",
  ];
  it("are refused in namespace names, link names and aliases, naming the character", () => {
    for (const bad of hidden) {
      expect(refusal(() => v.namespaceName("name", bad)).message).toMatch(/U\+[0-9A-F]{4,6}, a control, invisible or bidi character/);
      expect(refusal(() => v.linkName("link.name", bad)).field).toBe("link.name");
      expect(refusal(() => v.alias("alias", bad)).field).toBe("alias");
    }
  });
  it("lone surrogates are refused: they have no UTF-8 form", () => {
    for (const bad of ["a\ud800", "\udc00b", "x\udfff\ud800"]) {
      expect(refusal(() => v.namespaceName("name", bad)).message).toMatch(/lone surrogate/);
      expect(refusal(() => v.linkName("name", bad)).message).toMatch(/lone surrogate/);
      expect(refusal(() => v.alias("alias", bad)).message).toMatch(/lone surrogate/);
    }
    // A well-formed pair (an emoji) is text like any other.
    expect(v.namespaceName("name", "lab-\u{1F600}")).toBe("lab-\u{1F600}");
    expect(v.alias("alias", "uplink \u00e9\u{1F600}")).toBe("uplink \u00e9\u{1F600}");
  });
});

describe("linkName and the kernel's %d", () => {
  it("refuses '%', which the kernel would expand to a name of its choosing", () => {
    for (const bad of ["rt%d", "%d", "a%b"]) expect(refusal(() => v.linkName("name", bad)).message).toMatch(/'%'.*"%d"/);
  });
});

describe("linkName and the kernel's conf/all and conf/default", () => {
  it('refuses "all" and "default", which name /proc/sys/net/ipv4/conf/all and default (the kernel answers EINVAL)', () => {
    for (const bad of ["all", "default"]) {
      const err = refusal(() => v.linkName("name", bad));
      expect(err.field).toBe("name");
      expect(err.message).toMatch(/\/proc\/sys\/net\/ipv\{4,6\}\/conf.*EINVAL/);
    }
    // The kernel compares them as written: these are names like any other.
    for (const ok of ["All", "DEFAULT", "all0", "defaults", "alll"]) expect(v.linkName("name", ok)).toBe(ok);
  });
});

describe("boolean", () => {
  it('takes booleans only: "false" is a truthy string', () => {
    expect(v.boolean("up", false)).toBe(false);
    for (const bad of ["false", "true", 0, 1, null, undefined])
      expect(refusal(() => v.boolean("changes.up", bad)).field).toBe("changes.up");
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
    expect(refusal(() => v.absolutePath("dir", "run\n\u001b[2J")).message).toBe('dir: "run\\n\\u001b[2J" is not an absolute path');
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
    expect(refusal(() => v.moduleSpecifier("module", "./x\u001b[2J")).message).toMatch(/^module: "\.\/x\\u001b\[2J" is relative/);
  });
});

describe("a value JSON cannot show", () => {
  it("is refused with the typed error naming the field, not a TypeError from JSON.stringify (a BigInt), and shown as written", () => {
    expect(refusal(() => v.integer("options.killGraceMs", 10n, 1, 100))).toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.killGraceMs",
      message: "options.killGraceMs: must be an integer from 1 to 100, got 10n",
    });
    expect(refusal(() => v.boolean("options.group", 1n)).message).toBe("options.group: must be true or false, got 1n");
    expect(refusal(() => v.oneOf("mode", 2n, ["a"])).message).toBe("mode: must be one of a, got 2n");
    expect(refusal(() => v.integer("timeoutMs", Number.NaN, 1, 100)).message).toBe("timeoutMs: must be an integer from 1 to 100, got NaN");
    expect(refusal(() => v.integer("n", Number.POSITIVE_INFINITY, 1, 100)).message).toBe(
      "n: must be an integer from 1 to 100, got Infinity",
    );
    expect(refusal(() => net.cidr("to", 1n))).toMatchObject({ field: "to", message: "to: 1n is not a CIDR like 10.0.0.1/24" });
    expect(refusal(() => net.familyOf("via", 1n))).toMatchObject({ field: "via" });
    expect(refusal(() => net.mac("mac", 1n))).toMatchObject({ field: "mac" });
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(refusal(() => v.integer("n", cycle, 1, 100)).message).toBe("n: must be an integer from 1 to 100, got object");
    expect(refusal(() => v.integer("n", [1n], 1, 100)).message).toBe("n: must be an integer from 1 to 100, got an array");
  });
});
