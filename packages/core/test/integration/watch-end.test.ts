/**
 * A watch of a fixed list of namespaces ends once every one of them is gone
 * from the kernel: nothing more can come, so a `for await` loop finishes and
 * a script exits by itself. Run as a user would, in a child process.
 */
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("we");
const core = new URL("../../dist/index.js", import.meta.url).href;

afterAll(() => cleanup(prefix));

/** Runs an ES module body with `m` bound to core; its exit code, output, and how long it lived. */
function script(body: string, killAfterMs: number): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", `import * as m from ${JSON.stringify(core)};\n${body}`]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe("watch() of namespaces that go away", () => {
  it("goes on while one of its namespaces is left, and ends (the script exits) once every one is gone", async () => {
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    for (const name of [a, b]) ip("netns", "add", name);
    // a goes first; b then gets a link (which must still be heard), then goes too.
    const body = `
      const { execFileSync } = await import("node:child_process");
      const seen = [];
      let deleted = false;
      for await (const e of m.watch([m.ns.name(${JSON.stringify(a)}), m.ns.name(${JSON.stringify(b)})], { groups: ["link"], listExisting: true })) {
        if (e.type === "synced" || e.type === "gone") seen.push(e.type + " " + e.netns);
        if (e.type === "link" && e.action === "new" && e.link.name === "br9") seen.push("br9 " + e.netns);
        if (seen.length === 2 && !deleted) {
          deleted = true;
          execFileSync("ip", ["netns", "del", ${JSON.stringify(a)}]);
        }
        if (e.type === "gone" && e.netns === ${JSON.stringify(a)}) execFileSync("ip", ["-n", ${JSON.stringify(b)}, "link", "add", "br9", "type", "bridge"]);
        if (e.type === "link" && e.action === "new" && e.link.name === "br9") execFileSync("ip", ["netns", "del", ${JSON.stringify(b)}]);
      }
      console.log(JSON.stringify(seen));`;
    // The kernel destroys a namespace on one host-wide queue: allow for a busy host.
    const r = await script(body, 45_000);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const seen = JSON.parse(r.stdout) as string[];
    expect(seen.slice(0, 2).sort()).toEqual([`synced ${a}`, `synced ${b}`]);
    expect(seen.slice(2)).toEqual([`gone ${a}`, `br9 ${b}`, `gone ${b}`]);
  });

  it("of an empty list ends at once, as iterating an empty array would", async () => {
    // Its loop timed inside the script: the script's own life includes node's start, seconds on a loaded machine.
    const body = `const t = performance.now(); let n = 0; for await (const e of m.watch([], { listExisting: true })) n++;
      console.log(n, performance.now() - t);`;
    const r = await script(body, 40_000);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const [n, loopMs] = r.stdout.trim().split(" ").map(Number);
    expect(n).toBe(0);
    expect(loopMs).toBeLessThan(5000);
  });
});
