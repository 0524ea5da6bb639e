import { closeSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { connectUnix } from "./unix-client.js";
import { unixPathProblem } from "./unix-path.js";
import { listenUnix } from "./unix-socket.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "neslink-unix-path-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A path in the test's directory of `bytes` bytes. */
const ofLength = (bytes: number) => join(dir, "s".repeat(bytes - dir.length - 1));

describe("a unix socket path past sun_path (108 bytes with its NUL)", () => {
  it("listenUnix refuses it naming the caller's field, binding nothing (bind would have made a socket of a cut name)", async () => {
    const server = createServer();
    const long = ofLength(108);
    const err = await listenUnix(server, long, "--socket").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({
      field: "--socket",
      message: `--socket: ${long} is 108 bytes long; a unix socket path holds at most 107 (sun_path is 108 bytes with its NUL)`,
    });
    expect(server.listening).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    await expect(listenUnix(server, ofLength(200))).rejects.toMatchObject({ field: "socket" });
  });

  it("the longest that fits (107 bytes) is listened on under its full name, and connected to", async () => {
    const server = createServer((socket) => socket.end());
    const fits = ofLength(107);
    await listenUnix(server, fits);
    try {
      expect(readdirSync(dir)).toEqual([fits.slice(dir.length + 1)]);
      const connection = connectUnix(fits);
      expect(connection).toHaveProperty("fd");
      if ("fd" in connection) closeSync(connection.fd);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("says why: empty, a NUL (another file's name), too long counted in bytes, not characters", () => {
    expect(unixPathProblem("")).toBe("is empty");
    expect(unixPathProblem("/tmp/a\0b")).toBe("contains a NUL byte");
    // 54 two-byte characters: 54 characters, 108 bytes.
    expect(unixPathProblem("é".repeat(54))).toMatch(/is 108 bytes long/);
    expect(unixPathProblem("é".repeat(53))).toBeUndefined();
  });
});
