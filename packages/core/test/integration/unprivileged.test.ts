/**
 * Reading the caller's own namespace needs no privilege, as with `ip`: the
 * worker is already there and must not setns. A privileged operation
 * attempted without privilege says which capability it needs. Each case runs
 * as user nobody (setpriv drops every capability with the uid).
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("up");
const target = `${prefix}a`;
const core = new URL("../../dist/index.js", import.meta.url).href;
const cli = new URL("../../../cli/dist/bin.cjs", import.meta.url).pathname;
const AS_NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];

beforeAll(() => ip("netns", "add", target));
afterAll(() => cleanup(prefix));

function asNobody(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync("setpriv", [...AS_NOBODY, ...args], { encoding: "utf8", timeout: 30_000 });
}

/** Runs a module script as nobody; it prints one JSON line. */
function scriptAsNobody<T>(body: string): T {
  const r = asNobody([process.execPath, "--input-type=module", "-e", `import * as m from ${JSON.stringify(core)};\n${body}`]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as T;
}

it("links, addresses and routes of the current namespace, with no capability at all", () => {
  const seen = scriptAsNobody<{ capEff: string; uid: number; links: [number, string][]; addrs: string[]; routes: number }>(`
    import { readFileSync } from "node:fs";
    const { results: [links, addrs, routes] } = await m.nsDo(m.ns.now(), m.na.links(), m.na.addrs(), m.na.routes());
    console.log(JSON.stringify({
      capEff: /CapEff:\\s*(\\S+)/.exec(readFileSync("/proc/self/status", "utf8"))[1],
      uid: process.getuid(),
      links: links.map((l) => [l.index, l.name]),
      addrs: addrs.map((a) => a.address + "/" + a.prefixLen),
      routes: routes.length,
    }));`);
  expect(seen.uid).toBe(65534);
  expect(BigInt(`0x${seen.capEff}`)).toBe(0n);
  const links = ipJson<{ ifindex: number; ifname: string }[]>("link", "show").map((l) => [l.ifindex, l.ifname]);
  expect(seen.links).toEqual(links);
  const addrs = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("addr", "show").flatMap((l) =>
    l.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
  );
  expect(seen.addrs.sort()).toEqual(addrs.sort());
  expect(seen.routes).toBeGreaterThan(0);
});

it("`neslink links` in the current namespace, as nobody", () => {
  const r = asNobody([process.execPath, cli, "links", "--json"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const names = (JSON.parse(r.stdout) as { name: string }[]).map((l) => l.name);
  expect(names).toEqual(ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname));
});

it("privileged operations fail, naming the capability they need, and change nothing", () => {
  const link = `${prefix}br`;
  const errs = scriptAsNobody<{ code: string; message: string }[]>(`
    const attempts = [
      m.nsDo(m.ns.create()),
      m.nsDo(m.ns.name(${JSON.stringify(target)}), m.na.links()),
      m.linkDo(m.ns.now(), m.lp.bridge(${JSON.stringify(link)})),
    ];
    const errs = await Promise.all(attempts.map((p) => p.then(() => ({ code: "none", message: "succeeded" }), (e) => ({ code: e.code, message: e.message }))));
    console.log(JSON.stringify(errs));`);
  expect(errs[0]?.code).toBe("EPERM");
  expect(errs[0]?.message).toMatch(/unshare failed: EPERM.*needs CAP_SYS_ADMIN/);
  expect(errs[1]?.code).toBe("EPERM");
  expect(errs[1]?.message).toMatch(/setns failed: EPERM.*needs CAP_SYS_ADMIN/);
  expect(errs[2]?.code).toBe("EPERM");
  expect(errs[2]?.message).toMatch(/RTM_NEWLINK.*EPERM.*needs CAP_NET_ADMIN/);
  expect(ipJson<{ ifname: string }[]>("link", "show").map((l) => l.ifname)).not.toContain(link);
});
