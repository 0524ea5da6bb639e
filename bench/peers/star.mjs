// What both neslink peers share: the star's arguments (N PREFIX, BENCH_BRIDGE_PORTS, BENCH_IPV6, see
// bench/README.md), its addresses and the clock.
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
