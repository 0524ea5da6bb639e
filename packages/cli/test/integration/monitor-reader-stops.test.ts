/**
 * `neslink monitor --json` into a reader that stops reading, while the kernel
 * floods the namespace: its memory stays bounded (the monitor stops pulling
 * events once its output is full, and core's watch bounds what waits), where
 * its output piled up in memory without bound; once the reader reads again,
 * the monitor says what it dropped (`resync`) and goes on. A signal still ends
 * it, where it waited for that reader for ever.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { cleanup, floodMtu, ip, ipJson, resetPeakRss, rssOf, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("mr");
const CHANGES = 600_000;

afterAll(() => cleanup(prefix));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("stays bounded while its reader reads nothing through a flood, and says what it dropped once read again", async () => {
  const name = `${prefix}a`;
  const link = `${prefix}v`;
  ip("netns", "add", name);
  ip("-n", name, "link", "add", link, "type", "veth", "peer", "name", `${prefix}p`);
  const mon = spawn(process.execPath, [BIN, "monitor", "link", "--json", "-n", name], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => mon.on("exit", resolve));
  const killer = setTimeout(() => mon.kill("SIGKILL"), 170_000);
  try {
    let out = "";
    const read = (chunk: Buffer) => {
      out += chunk.toString();
    };
    mon.stdout.on("data", read);
    // Once it listens (a change of lo comes through), its reader stops reading.
    for (let i = 0; !out.includes('"type":"link"') && i < 100; i++) {
      ip("-n", name, "link", "set", "lo", i % 2 ? "down" : "up");
      await sleep(100);
    }
    mon.stdout.off("data", read);
    mon.stdout.pause();
    const pid = mon.pid as number;
    resetPeakRss(pid);
    const start = rssOf(pid, "VmRSS");
    await floodMtu(name, link, CHANGES, 1300);
    // ~120 MB here (core's queue, maxQueued events); without the bound, its output took ~450 MB more.
    expect(rssOf(pid, "VmHWM") - start).toBeLessThan(300 * 1024 * 1024);

    out = "";
    mon.stdout.on("data", read);
    mon.stdout.resume();
    const resync = JSON.stringify({ type: "resync", netns: name, reason: "slow-consumer" });
    const after = () => (out.includes(resync) ? out.slice(out.indexOf(resync)) : "");
    for (let i = 0; i < 1200 && !(after().includes('"synced"') && after().includes('"mtu":1300')); i++) await sleep(100);
    expect(out).toContain(resync);
    expect(after()).toContain('"mtu":1300');
    expect(ipJson<{ mtu: number }[]>("-n", name, "link", "show", link)[0]?.mtu).toBe(1300);
  } finally {
    mon.kill("SIGTERM");
    await exited;
    clearTimeout(killer);
  }
}, 180_000);

/** Preloaded into the bin: says on stderr once its stdout is full. */
const PROBE = fileURLToPath(new URL("./stdout-probe.mjs", import.meta.url));

it.each(["SIGTERM", "SIGINT"] as const)(
  "%s ends it with status 0 while its reader reads nothing and its output is full",
  async (signal) => {
    const name = `${prefix}${signal === "SIGTERM" ? "t" : "i"}`;
    const link = `${name}v`;
    ip("netns", "add", name);
    ip("-n", name, "link", "add", link, "type", "veth", "peer", "name", `${name}p`);
    const mon = spawn(process.execPath, ["--import", PROBE, BIN, "monitor", "link", "--json", "-n", name], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Its stdout is never read: Node's reading stops once its own buffer is full, and then the pipe fills.
    mon.stdout.pause();
    let stderr = "";
    mon.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise((resolve) => mon.on("exit", (status, sig) => resolve([status, sig])));
    const killer = setTimeout(() => mon.kill("SIGKILL"), 60_000);
    try {
      // Changes until the output is full (the first ones may come before it listens).
      for (let i = 0; !stderr.includes("probe: stdout is full") && i < 100; i++) await floodMtu(name, link, 5_000, 1300);
      expect(stderr).toContain("probe: stdout is full");
      mon.kill(signal);
      expect(await exited).toEqual([0, null]);
    } finally {
      mon.kill("SIGKILL");
      await exited;
      clearTimeout(killer);
    }
  },
  120_000,
);
