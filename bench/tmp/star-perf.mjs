// What both neslink peers share: the star's arguments (N PREFIX, BENCH_BRIDGE_PORTS, BENCH_IPV6, see
// bench/README.md), its addresses, the clock, the result line and the cleanup.
import { readFileSync } from "node:fs";
import { listNamed, na, ns, nsDo } from "@neslink/core";
export function starArgs(script) {
  const [n, prefix] = [Number(process.argv[2]), process.argv[3]];
  const ports = Number(process.env.BENCH_BRIDGE_PORTS ?? 1000);
  if (!Number.isInteger(n) || n < 2 || !prefix || !Number.isInteger(ports) || ports < 1) {
    console.error(`usage: ${script} N PREFIX (BENCH_BRIDGE_PORTS: a positive integer)`);
    process.exit(2);
  }
  return { n, prefix, ports, ipv6: process.env.BENCH_IPV6 === "on", range: Array.from({ length: n }, (_, i) => i + 1) };
}

/** Namespace i's eth0 address (i from 1 to N, in a /16). */
export const addrOf = (i) => `10.200.${i >> 8}.${i & 255}`;

/** Milliseconds since a process.hrtime.bigint() reading. */
export const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Prints the peer's one JSON line (bench/README.md): the phases and counts given, with total, peak RSS and IPv6 added. */
export function report(peer, versionNote, { ipv6, ...fields }) {
  const core = JSON.parse(readFileSync(new URL("../../packages/core/package.json", import.meta.url), "utf8"));
  const total_ms = fields.setup_ms + fields.inventory_ms + fields.teardown_ms;
  const version = `@neslink/core ${core.version}${versionNote}, node ${process.version}`;
  console.log(
    JSON.stringify({ peer, version, ...fields, total_ms, peak_rss_kb: process.resourceUsage().maxRSS, ipv6: ipv6 ? "on" : "off" }),
  );
}

/** Deletes whatever namespaces of this run are left (after a failure). */
export async function cleanup(prefix) {
  const left = listNamed().filter((name) => name.startsWith(prefix));
  if (left.length) await nsDo(ns.now(), ...left.map((name) => na.deleteNamed(name))).catch(() => {});
}
