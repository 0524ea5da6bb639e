/**
 * Many one-shot `neslink` processes at once, and one killed (-9) at each
 * system call of its request, as a test rig's script may run and stop them:
 * each veth is made whole or not at all, checked with `ip -j -d` in both of
 * its namespaces.
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix, vethsIn } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("pa");
afterAll(() => cleanup(prefix));

/** The bin with --json in a child process, not waited for: its status and parsed output. */
function started(...args: string[]): Promise<{ status: number | null; body: { error?: { code: string } } }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--json", ...args], { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.on("close", (status) => resolve({ status, body: JSON.parse(stdout) }));
  });
}

describe("one-shot processes at once", () => {
  it("24 `link add veth` across 12 namespaces, each name raced by two: one makes the pair, whole; the other is told it exists", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `${prefix}${i}`);
    for (const n of names) ip("netns", "add", n);
    const runs = await Promise.all(
      Array.from({ length: 24 }, (_, k) => {
        const i = k % 12;
        return started(
          "link",
          "add",
          "veth",
          `v${i}`,
          "peer",
          `w${i}`,
          "netns",
          names[(i + 1) % 12] as string,
          "up",
          "-n",
          names[i] as string,
        );
      }),
    );
    for (let i = 0; i < 12; i++) {
      const [first, second] = [runs[i], runs[i + 12]];
      const lost = [first, second].filter((r) => r?.status !== 0);
      expect(lost, `v${i}`).toHaveLength(1);
      expect(lost[0]?.body.error?.code).toBe("ERR_LINK_EXISTS");
      expect(lost[0]?.status).toBe(1);
    }
    for (const [i, n] of names.entries()) {
      expect([...vethsIn(n).entries()].sort(), n).toEqual([
        [`v${i}`, true],
        [`w${(i + 11) % 12}`, true],
      ]);
    }
  });

  it("killed (-9) at each system call of `link add veth ... netns OTHER -n NS`: the pair is there whole or not at all, and a re-run converges", () => {
    const [here, other] = [`${prefix}k`, `${prefix}o`];
    ip("netns", "add", here);
    ip("netns", "add", other);
    // The request (sendto), its answer (recvfrom), the read-back (the second sendto): strace kills the process at each.
    for (const at of ["sendto:when=1", "recvfrom:when=1", "sendto:when=2"]) {
      const call = at.slice(0, at.indexOf(":"));
      const argv = ["link", "add", "veth", "e0", "peer", "e1", "netns", other, "up", "-n", here];
      const killed = spawnSync("strace", [
        "-f",
        "-o",
        "/dev/null",
        "-e",
        `trace=${call}`,
        "-e",
        `inject=${at}:signal=KILL`,
        process.execPath,
        BIN,
        ...argv,
      ]);
      expect(killed.signal ?? killed.status, at).not.toBe(0);
      const [mine, theirs] = [vethsIn(here), vethsIn(other)];
      expect(mine.has("e0"), at).toBe(theirs.has("e1"));
      for (const paired of [...mine.values(), ...theirs.values()]) expect(paired, at).toBe(true);
      const again = spawnSync(process.execPath, [BIN, ...argv], { encoding: "utf8" });
      expect(again.status === 0 || again.stderr.includes("ERR_LINK_EXISTS"), `${at}: ${again.stderr}`).toBe(true);
      expect([...vethsIn(here).entries()], at).toEqual([["e0", true]]);
      expect([...vethsIn(other).entries()], at).toEqual([["e1", true]]);
      ip("-n", here, "link", "del", "e0");
    }
  });
});
