#!/usr/bin/env node
// Peer "neslink": the benchmark workload through @neslink/core, as a user
// would write it. Usage: neslink.mjs N PREFIX (see bench/README.md).
//
// Namespaces are created in parallel on the worker pool; then one hub task
// creates every veth (consecutive creations go to the kernel pipelined, many
// per datagram); then each namespace configures its eth0, in parallel. Each
// namespace's requests share its one netlink socket. The pool is started
// before the clock, as every peer's runtime is. peak_rss_kb is this process's
// own peak (process.resourceUsage().maxRSS); it spawns only the untimed ping.
import { execFileSync } from "node:child_process";
import { closeDefaultPool, defaultPool, la, lp, na, ns, nsDo } from "@neslink/core";

import { addrOf, cleanup, report, starArgs, timed } from "./star.mjs";

const { n, prefix, ports, ipv6, range } = starArgs("neslink.mjs");
const hub = `${prefix}hub`;
const nsName = (i) => `${prefix}n${i}`;
const bridge = (k) => `${prefix}br${k}`;
const bridgeOf = (i) => bridge(Math.floor((i - 1) / ports));
const count = (m) => Array.from({ length: m }, (_, i) => i);
const ipv6Off = ipv6 ? [] : [na.sysctl("net.ipv6.conf.all.disable_ipv6", 1)];

/** The hub: lo, the bridges (a bridge takes at most 1024 ports), chained by veth pairs. */
function hubActions() {
  const bridges = count(Math.ceil(n / ports));
  return [
    ...ipv6Off,
    na.link(lp.name("lo"), la.up()),
    ...bridges.map((k) => na.link(lp.bridge(bridge(k), { up: true }))),
    ...bridges
      .slice(1)
      .map((k) => na.link(lp.veth(`${prefix}j${k}a`, { name: `${prefix}j${k}b` }, { master: lp.name(bridge(k - 1)), up: true }))),
    ...bridges.slice(1).map((k) => na.link(lp.name(`${prefix}j${k}b`), la.master(lp.name(bridge(k))), la.up())),
  ];
}

async function setup() {
  await Promise.all([
    nsDo(ns.createNamed(hub), ...hubActions()),
    ...range.map((i) => nsDo(ns.createNamed(nsName(i)), ...ipv6Off, na.link(lp.name("lo"), la.up()))),
  ]);
  // Each veth is made in the hub, its eth0 end directly inside its namespace, attached and up.
  await nsDo(
    ns.name(hub),
    ...range.map((i) =>
      na.link(lp.veth(`${prefix}v${i}`, { name: "eth0", ns: ns.name(nsName(i)) }, { master: lp.name(bridgeOf(i)), up: true })),
    ),
  );
  await Promise.all(range.map((i) => nsDo(ns.name(nsName(i)), na.link(lp.name("eth0"), la.addAddr(`${addrOf(i)}/16`), la.up()))));
}

async function inventory() {
  const all = [hub, ...range.map(nsName)];
  const found = await Promise.all(all.map((name) => nsDo(ns.name(name), na.links(), na.addrs())));
  return new Map(all.map((name, i) => [name, { links: found[i].results[0], addrs: found[i].results[1] }]));
}

async function teardown() {
  await nsDo(ns.now(), ...[hub, ...range.map(nsName)].map((name) => na.deleteNamed(name)));
}

try {
  const startup = await timed(() => defaultPool().ready());
  const set = await timed(setup);
  execFileSync("ip", ["netns", "exec", nsName(1), "ping", "-c1", "-W2", addrOf(n)], { stdio: "pipe" });
  const inv = await timed(inventory);
  const down = await timed(teardown);
  const count = (key) => [...inv.result.values()].reduce((sum, x) => sum + x[key].length, 0);
  report("neslink", "", {
    n,
    startup_ms: startup.ms,
    setup_ms: set.ms,
    inventory_ms: inv.ms,
    teardown_ms: down.ms,
    cpu_setup_ms: set.cpuMs,
    cpu_inventory_ms: inv.cpuMs,
    cpu_teardown_ms: down.cpuMs,
    links: count("links"),
    addrs: count("addrs"),
    ipv6,
  });
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup(prefix);
  await closeDefaultPool();
}
