/**
 * `neslink monitor --json` into a reader that stops reading, while the kernel
 * floods the namespace: its memory stays bounded (the monitor stops pulling
 * events once its output is full, and core's watch bounds what waits), where
 * its output piled up in memory without bound; once the reader reads again,
 * the monitor says what it dropped (`resync`) and goes on.
 */
import { spawn } from "node:child_process";
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
    const resync = JSON.stringify({ type: "resync", ns: name, reason: "slow-consumer" });
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
