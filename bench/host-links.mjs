#!/usr/bin/env node
/**
 * The cost of a lab's vxlans and macvlans (links whose parent or socket is in
 * the host): one lab of NODES nodes with PER macvlans and PER vxlans each, on
 * a host bridge of its own, applied and destroyed RUNS times. Prints the
 * median time of apply's links phase (only these links are in it), of the
 * whole apply and of destroy. Needs root; touches only names with its own
 * prefix, removed at the end, also on failure.
 *
 *   node bench/host-links.mjs [--nodes 5] [--per 5] [--runs 3] [--settle MS]
 *
 * After each destroy it pauses SETTLE ms: the kernel destroys deleted
 * namespaces asynchronously, under the RTNL lock, and that work would
 * otherwise land in the next apply's time (as in bench/run.mjs).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { closeDefaultPool, topology } from "@neslink/core";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "5" },
    per: { type: "string", default: "5" },
    runs: { type: "string", default: "3" },
    settle: { type: "string", default: "1500" },
  },
});
const nodes = Number(values.nodes);
const per = Number(values.per);
const runs = Number(values.runs);
const prefix = `hl${randomBytes(3).toString("hex")}`;
const parent = `${prefix}p`;

const ip = (...args) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] });

function lab(run) {
  const name = `${prefix}r${run}`;
  const spec = { name, nodes: {} };
  for (let n = 0; n < nodes; n++) {
    const interfaces = {};
    for (let i = 0; i < per; i++) {
      interfaces[`mv${i}`] = { kind: "macvlan", parent, mode: "bridge" };
      // One VNI per link of the run: two vxlans of one VNI and port cannot share the host's socket.
      interfaces[`vx${i}`] = { kind: "vxlan", id: 1000 + n * per + i, remote: "192.0.2.1", parent };
    }
    spec.nodes[`n${n}`] = { interfaces };
  }
  return topology.load(spec);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = { links: [], apply: [], destroy: [] };
const cpu = { links: [], apply: [], destroy: [] };
const cpuMs = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
ip("link", "add", parent, "type", "bridge");
try {
  for (let run = 0; run < runs; run++) {
    const t = lab(run);
    let linksStart = 0;
    let linksEnd = 0;
    let linksCpu;
    const started = performance.now();
    const startedCpu = process.cpuUsage();
    const linksOver = () => {
      linksEnd = performance.now();
      cpu.links.push(cpuMs(linksCpu));
    };
    await topology.apply(t, {
      onProgress: (e) => {
        if (e.type === "phase" && e.phase === "links") {
          linksStart = performance.now();
          linksCpu = process.cpuUsage();
        } else if (e.type === "phase" && linksStart && !linksEnd) linksOver();
        else if (e.type === "finished" && !linksEnd) linksOver();
      },
    });
    rows.apply.push(performance.now() - started);
    cpu.apply.push(cpuMs(startedCpu));
    rows.links.push(linksEnd - linksStart);
    const d = performance.now();
    const dCpu = process.cpuUsage();
    await topology.destroy(t);
    rows.destroy.push(performance.now() - d);
    cpu.destroy.push(cpuMs(dCpu));
    await new Promise((resolve) => setTimeout(resolve, Number(values.settle)));
  }
} finally {
  for (let run = 0; run < runs; run++) await topology.destroy(`${prefix}r${run}`).catch(() => {});
  ip("link", "del", parent);
  await closeDefaultPool();
}
const links = nodes * per * 2;
console.log(`${links} host-bound links (${nodes} nodes x ${per} macvlan + ${per} vxlan), median of ${runs} runs:`);
for (const [k, xs] of Object.entries(rows)) {
  const m = median(xs);
  console.log(
    `  ${k.padEnd(8)} ${m.toFixed(0).padStart(6)} ms  (${(m / links).toFixed(2)} ms per link), CPU ${median(cpu[k]).toFixed(0).padStart(5)} ms  runs: ${xs.map((x) => x.toFixed(0)).join(", ")}`,
  );
}
