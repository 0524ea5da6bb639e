import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errno, errnoName, hasErrno } from "./errno.js";
import { openWith } from "./ffi/libc.js";

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("errno", () => {
  it("recognises an errno by name on Node's own failures (negative errno) and on core's (positive)", () => {
    const missing = "/nonexistent-neslink-errno-test";
    const node = thrown(() => readdirSync(missing));
    const core = thrown(() => openWith(missing, 0));
    for (const err of [node, core]) {
      expect(hasErrno(err, "ENOENT")).toBe(true);
      expect(hasErrno(err, "EEXIST")).toBe(false);
    }
    expect((core as { code: string }).code).toBe("ENOENT");
    expect(hasErrno(new Error("no errno"), "ENOENT")).toBe(false);
    expect(hasErrno(undefined, "ENOENT")).toBe(false);
  });

  it("names Linux-only errnos Node leaves out, and numbers without a name", () => {
    expect(errno.EXFULL).toBe(54);
    expect(errnoName(errno.ENODEV)).toBe("ENODEV");
    // EOPNOTSUPP and ENOTSUP share 95: the kernel's netlink code means the former.
    expect(errnoName(95)).toBe("EOPNOTSUPP");
    expect(errnoName(4095)).toBe("E4095");
  });
});

describe("the errno table, made at its first use", () => {
  it("reads, lists and spreads as a plain table would", () => {
    expect("EXFULL" in errno).toBe(true);
    expect("ENOPE" in errno).toBe(false);
    expect(Object.keys(errno)).toContain("ENOENT");
    expect({ ...errno }.ENODEV).toBe(19);
    expect(JSON.parse(JSON.stringify(errno)).EACCES).toBe(13);
  });
});
