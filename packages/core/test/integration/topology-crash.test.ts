/**
 * A topology apply killed with SIGKILL at any moment leaves a state that the
 * next apply converges from, and destroy then leaves nothing: no namespace,
 * no /run/netns file, no mount, no link in the root namespace.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { applyKilledAfter, cleanup, FAIL_AFTER_MS, ip, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("tk");
const HOSTS = 99;
const KILLS = 10;
const LOGS = "/run/neslink/topologies";

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

/** A hub with a bridge and 99 hosts, each with an address and a default route: every phase of apply has work. */
function star(name: string): string {
  const lines = [`name: ${name}`, "nodes:", "  hub:", "    bridges: [br0]", "    addresses: { br0: [10.9.0.254/16] }"];
  for (let i = 0; i < HOSTS; i++) {
    lines.push(`  h${i}: { addresses: { eth0: [10.9.${i >> 8}.${(i & 255) + 1}/16] }, routes: [{ to: default, via: 10.9.0.254 }] }`);
  }
  lines.push("links:");
  for (let i = 0; i < HOSTS; i++) lines.push(`  - endpoints: ["h${i}:eth0", { node: hub, interface: v${i}, master: br0 }]`);
  return `${lines.join("\n")}\n`;
}

/** How long a whole apply takes here (in a child process, the lab destroyed after), so that kills spread over all its phases. */
async function wholeApply(name: string, text: string): Promise<number> {
  const t0 = performance.now();
  expect(await applyKilledAfter(text, 60_000)).toBe("finished");
  const ms = performance.now() - t0;
  await topology.destroy(name);
  return ms;
}

const rootLinks = () => ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname);
const ROOT_LINKS = rootLinks();

function leftovers(name: string) {
  return {
    namespaces: netnsList(name),
    files: readdirSync("/run/netns").filter((f) => f.startsWith(name)),
    mounts: readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter((l) => l.split(" ")[4]?.startsWith(`/run/netns/${name}`)),
    // The root namespace gets none of the lab's links (names the lab uses; other tests may run alongside).
    rootLinks: rootLinks().filter((l) => !ROOT_LINKS.includes(l) && (/^(v\d+|eth0|br0)$/.test(l) || l.startsWith(prefix))),
  };
}

describe("topology apply killed at random moments", () => {
  it(`converges after SIGKILL at ${KILLS} moments across every phase, and destroy leaves nothing`, async () => {
    const name = `${prefix}s`;
    const text = star(name);
    const spec = topology.load(text);
    const full = await wholeApply(name, text);

    for (let k = 0; k < KILLS; k++) {
      const at = Math.round(((k + Math.random()) / KILLS) * full);
      await applyKilledAfter(text, at);
      const result = await topology.apply(spec);
      expect((await topology.plan(spec)).changes, `after a kill at ${at} ms (apply made ${result.changes.length} changes)`).toEqual([]);
      expect(netnsList(name)).toHaveLength(HOSTS + 1);
      const hub = ipJson<{ ifname: string; master?: string; operstate: string }[]>("-n", `${name}-hub`, "link", "show");
      expect(hub.filter((l) => l.master === "br0")).toHaveLength(HOSTS);
      expect(ipJson("-n", `${name}-h${HOSTS - 1}`, "route", "show", "default")).toMatchObject([{ gateway: "10.9.0.254" }]);
      await topology.destroy(name);
      expect(leftovers(name), `after a kill at ${at} ms`).toEqual({ namespaces: [], files: [], mounts: [], rootLinks: [] });
    }
  }, 300_000);

  it("runs 20 destroy -> apply cycles back to back without EEXIST or EBUSY", async () => {
    const name = `${prefix}c`;
    const router = topology.load(
      readFileSync(new URL("../../examples/topologies/router.yaml", import.meta.url), "utf8").replace(/^name: .*$/m, `name: ${name}`),
    );
    for (let i = 0; i < 20; i++) {
      await topology.apply(router);
      await topology.destroy(router);
    }
    expect(leftovers(name)).toEqual({ namespaces: [], files: [], mounts: [], rootLinks: [] });
  }, 120_000);
});

describe("topology apply killed while it starts programs", () => {
  const NODES = 8;
  /** Each node runs a silent program and a chatty one (neither forks, so what runs in a node is known exactly). */
  function lab(name: string): string {
    const lines = [`name: ${name}`, "nodes:"];
    for (let i = 0; i < NODES; i++)
      lines.push(`  n${i}: { processes: [[sleep, "1000"], { name: ticker, command: [ping, -i, "0.2", 127.0.0.1] }] }`);
    return `${lines.join("\n")}\n`;
  }
  const cmdlines = (netns: string) =>
    ip("netns", "pids", netns)
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0])
      .sort();
  /** Live processes whose cgroup v2 path is in the lab's tree (programs, their children, log relays). */
  const inLabCgroup = (name: string) =>
    readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return (
            readFileSync(`/proc/${p}/cgroup`, "utf8").includes(`::/neslink/${name}/`) &&
            !readFileSync(`/proc/${p}/stat`, "utf8").includes(") Z ")
          );
        } catch {
          return false;
        }
      });

  it("converges to one copy of each program with its log relay, and destroy leaves no program, relay, cgroup or log", async () => {
    const name = `${prefix}p`;
    const text = lab(name);
    const spec = topology.load(text);
    const full = await wholeApply(name, text);
    for (let k = 0; k < 6; k++) {
      // Most of such an apply is the programs' phase: the kills land in it.
      const at = Math.round(((k + Math.random()) / 6) * full);
      await applyKilledAfter(text, at);
      await topology.apply(spec);
      expect((await topology.plan(spec)).changes, `after a kill at ${at} ms`).toEqual([]);
      for (let i = 0; i < NODES; i++) expect(cmdlines(`${name}-n${i}`), `n${i} after a kill at ${at} ms`).toEqual(["ping", "sleep"]);
      // Each program and its relay (split, and cat while a chunk is written): nothing more.
      // A chunk's cat can end between the listing and the read: gone, it is no relay.
      const relays = inLabCgroup(name).filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("split\0");
        } catch {
          return false;
        }
      });
      expect(relays, `after a kill at ${at} ms`).toHaveLength(2 * NODES);
      // The relay writes as output comes: ping's first lines, a moment after it started.
      const log = `${LOGS}/${name}/n0/ticker.log`;
      for (const end = Date.now() + FAIL_AFTER_MS; !(existsSync(log) && readFileSync(log, "utf8").includes("PING")) && Date.now() < end; )
        await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(log, "utf8")).toMatch(/^PING 127\.0\.0\.1/m);
      await topology.destroy(name);
      expect(inLabCgroup(name)).toEqual([]);
      expect(existsSync(`${LOGS}/${name}`)).toBe(false);
      expect(leftovers(name), `after a kill at ${at} ms`).toEqual({ namespaces: [], files: [], mounts: [], rootLinks: [] });
    }
  }, 120_000);
});
