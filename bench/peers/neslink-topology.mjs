#!/usr/bin/env node
// Peer "neslink-topology": the benchmark's star written as a topology and run
// through @neslink/core's topology engine. Usage: neslink-topology.mjs N PREFIX.
//
// setup = topology.apply of the whole lab (namespaces, bridges chained by
// veth joints, N veths, addresses); inventory = a second apply of the same
// file, which must find nothing to change (it reads every namespace's links,
// addresses, routes and sysctls, and every namespace's marker); plan (reported
// beside the phases, not in the total) = topology.plan of the unchanged lab,
// the median of PLANS in a row, each of which must list no change; teardown =
// topology.destroy. Each node's namespace is named PREFIX+hub / PREFIX+n<i>, as
// the harness expects of every peer.
import { execFileSync } from "node:child_process";
import { closeDefaultPool, defaultPool, topology } from "@neslink/core";

import { addrOf, cleanup, ms, report, starArgs, timed } from "./star.mjs";

const { n, prefix, ports, ipv6, range } = starArgs("neslink-topology.mjs");
/** Plans timed per run: one alone moved by a third between runs on the shared 2-core host. */
const PLANS = 3;
const bridgeOf = (i) => `br${Math.floor((i - 1) / ports)}`;

/** The star as a topology: the hub's bridges (at most `ports` each) chained by veth joints inside the hub. */
function star() {
  const bridges = Array.from({ length: Math.ceil(n / ports) }, (_, k) => `br${k}`);
  const nodes = { hub: { netns: `${prefix}hub`, ipv6, bridges } };
  for (const i of range) nodes[`n${i}`] = { netns: `${prefix}n${i}`, ipv6, addresses: { eth0: [`${addrOf(i)}/16`] } };
  const joints = bridges.slice(1).map((b, k) => ({
    endpoints: [
      { node: "hub", interface: `j${k + 1}a`, master: bridges[k] },
      { node: "hub", interface: `j${k + 1}b`, master: b },
    ],
  }));
  const veths = range.map((i) => ({ endpoints: [`n${i}:eth0`, { node: "hub", interface: `v${i}`, master: bridgeOf(i) }] }));
  return { name: prefix, nodes, links: [...joints, ...veths] };
}

try {
  const t0 = process.hrtime.bigint();
  await defaultPool().ready();
  const lab = topology.load(star());
  const startupMs = ms(t0);
  // Only the times are kept: the apply's result (every change it made) is not the re-apply's to carry.
  const { ms: setupMs, cpuMs: setupCpuMs } = await timed(() => topology.apply(lab));
  execFileSync("ip", ["netns", "exec", `${prefix}n1`, "ping", "-c1", "-W2", addrOf(n)], { stdio: "pipe" });
  const again = await timed(() => topology.apply(lab));
  if (again.result.changes.length > 0) throw new Error(`a second apply changed ${again.result.changes.length} things`);
  const plans = [];
  for (let i = 0; i < PLANS; i++) {
    const planned = await timed(() => topology.plan(lab));
    if (planned.result.changes.length > 0) throw new Error(`a plan of the unchanged lab listed ${planned.result.changes.length} changes`);
    plans.push(planned);
  }
  const plan = plans.sort((x, y) => x.ms - y.ms)[PLANS >> 1];
  const inspected = await topology.inspect(prefix);
  const down = await timed(() => topology.destroy(lab));
  report("neslink-topology", " (topology)", {
    n,
    startup_ms: startupMs,
    setup_ms: setupMs,
    inventory_ms: again.ms,
    teardown_ms: down.ms,
    plan_ms: plan.ms,
    cpu_plan_ms: plan.cpuMs,
    cpu_setup_ms: setupCpuMs,
    cpu_inventory_ms: again.cpuMs,
    cpu_teardown_ms: down.cpuMs,
    links: inspected.nodes.reduce((sum, node) => sum + node.links.length, 0),
    addrs: inspected.nodes.reduce((sum, node) => sum + node.links.reduce((k, l) => k + l.addresses.length, 0), 0),
    ipv6,
  });
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup(prefix);
  await closeDefaultPool();
}
