import { closeSync, openSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SystemCallError } from "../errors.js";
import { identityOfFd, identityOfPath, keyOfIdentity } from "./identity.js";

describe("file identity by statx", () => {
  it.each(["/proc/self/ns/net", "/", "/dev/null", import.meta.filename])("equals fs.statSync's dev and ino for %s", (path) => {
    const { dev, ino } = statSync(path);
    expect(identityOfPath(path)).toEqual({ dev, ino });
    const fd = openSync(path, "r");
    try {
      expect(identityOfFd(fd)).toEqual({ dev, ino });
    } finally {
      closeSync(fd);
    }
  });

  it("keys as dev:ino", () => {
    expect(keyOfIdentity({ dev: 4, ino: 4026531840 })).toBe("4:4026531840");
  });

  it("a missing path is a SystemCallError naming it", () => {
    const err = (() => {
      try {
        identityOfPath("/nonexistent/neslink");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SystemCallError);
    expect(err).toMatchObject({ code: "ENOENT", message: expect.stringContaining("/nonexistent/neslink") });
  });
});
