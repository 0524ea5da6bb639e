import { closeSync, linkSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { SystemCallError } from "../errors.js";
import { devNumbers, identityOfFd, identityOfPath, keyOfIdentity, sameFile } from "./identity.js";

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

  it("gives back the major and minor a device number was made of (/dev/null is 1:3, /dev/zero 1:5; a loop device's minor past 255 too)", () => {
    expect(devNumbers(statSync("/dev/null").rdev)).toEqual({ major: 1, minor: 3 });
    expect(devNumbers(statSync("/dev/zero").rdev)).toEqual({ major: 1, minor: 5 });
    // glibc's makedev(259, 300) is 0x11032c: the minor's high bits sit above the major's twelve low ones.
    expect(devNumbers(0x11032c)).toEqual({ major: 259, minor: 300 });
  });

  it("sameFile: one file by its path, a descriptor on it and a hard link to it; not another file, nor the same inode number on another device", () => {
    const dir = mkdtempSync(`${tmpdir()}/neslink-same-`);
    try {
      writeFileSync(`${dir}/a`, "");
      writeFileSync(`${dir}/b`, "");
      linkSync(`${dir}/a`, `${dir}/a2`);
      const a = identityOfPath(`${dir}/a`);
      const fd = openSync(`${dir}/a`, "r");
      try {
        expect(sameFile(a, identityOfFd(fd))).toBe(true);
      } finally {
        closeSync(fd);
      }
      expect(sameFile(a, identityOfPath(`${dir}/a2`))).toBe(true);
      expect(sameFile(a, identityOfPath(`${dir}/b`))).toBe(false);
      expect(sameFile(a, { dev: a.dev + 1, ino: a.ino })).toBe(false);
      expect(sameFile(a, { dev: a.dev, ino: a.ino + 1 })).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
