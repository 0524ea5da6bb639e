/** A bin that cannot listen says where it tried and why, in the words Node's error had. */
import { describe, expect, it } from "vitest";
import { binTest, startBin } from "./bin-process.js";

const { files } = binTest("nhl");

describe("neslink-http that cannot listen", () => {
  it("names the address already in use, and a host that does not resolve", async () => {
    const first = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    await expect(startBin(["--token-file", files.tokenFile, "--port", String(first.port)])).rejects.toThrow(
      new RegExp(`exited \\(1\\)[^]*EADDRINUSE: listen failed: EADDRINUSE \\(127\\.0\\.0\\.1:${first.port}\\)`),
    );
    await expect(startBin(["--token-file", files.tokenFile, "--host", "no-such-host.invalid", "--port", "0"])).rejects.toThrow(
      /exited \(1\)[\s\S]*ENOTFOUND: [^\n]*no-such-host\.invalid/,
    );
  });
});
