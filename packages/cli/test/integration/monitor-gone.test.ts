/** `neslink monitor -n NS` ends by itself, status 0, once NS is gone from the kernel: nothing more can come from it. */
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, ip, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("mg");

afterAll(() => cleanup(prefix));

describe("neslink monitor -n NS", () => {
  it("prints the namespace's `gone` and exits 0 once it is deleted", async () => {
    const name = `${prefix}a`;
    ip("netns", "add", name);
    const mon = spawn(process.execPath, [BIN, "monitor", "--json", "-n", name], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    mon.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => mon.on("exit", (code) => resolve(code)));
    // The kernel destroys a namespace on one host-wide queue: allow for a busy host.
    const killer = setTimeout(() => mon.kill("SIGKILL"), 45_000);
    // Once it listens (a link event for lo brought up comes through), the namespace goes.
    for (let i = 0, end = Date.now() + FAIL_AFTER_MS; !out.includes('"type":"link"') && Date.now() < end; i++) {
      ip("-n", name, "link", "set", "lo", i % 2 ? "down" : "up");
      await new Promise((r) => setTimeout(r, 100));
    }
    ip("netns", "del", name);
    const code = await exited;
    clearTimeout(killer);
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; netns: string });
    expect(lines.at(-1)).toEqual({ type: "gone", netns: name });
  });
});
