import type { Topology, TopologyNode, topology as TopologyApi } from "@neslink/core";
import type { Run } from "../../command.js";
import { topology } from "../../core.js";
import { conflictNotes, inspected, labName, labOf } from "../../lab.js";
import { shownName, table } from "../../output.js";

type Inspection = Awaited<ReturnType<typeof TopologyApi.inspect>>;
type InspectedLink = Inspection["nodes"][number]["links"][number];

/** The addresses the kernel gives every namespace's loopback once it is up. */
const KERNEL_LO = new Set(["127.0.0.1/8", "::1/128"]);

/** The file says something of the node's loopback: addresses, a route out of it, or a sysctl of its own. */
function fileConfiguresLo(node: TopologyNode | undefined): boolean {
  if (node === undefined) return false;
  return (
    node.loopback.length > 0 ||
    node.routes.some((r) => r.dev === "lo") ||
    Object.keys(node.sysctls).some((k) => /^net\.ipv[46]\.conf\.lo\./.test(k))
  );
}

/**
 * Whether a node's loopback gets a row. Every node's is up with the kernel's own addresses: a row each would only
 * repeat itself. One the lab's file configures, or one that holds other addresses (added by hand) or is down, is
 * worth seeing.
 */
function loShown(lo: InspectedLink, configured: boolean): boolean {
  return configured || !lo.up || lo.addresses.some((a) => !KERNEL_LO.has(a));
}

/** One row per link (a node with none still gets its own row); `files`: the labs given by file, by name. */
function inspectionTable(inspections: readonly Inspection[], files: ReadonlyMap<string, Topology>): string {
  const rows = inspections.flatMap((lab) =>
    lab.nodes.flatMap((n) => {
      const configured = fileConfiguresLo(files.get(lab.topology)?.nodes.find((f) => f.name === n.name));
      const links = n.links.filter((l) => l.name !== "lo" || loShown(l, configured));
      const head = [lab.topology, n.name, n.netns, n.phase];
      if (links.length === 0) return [[...head]];
      return links.map((l) => [...head, l.name, l.kind, l.up ? l.operstate : "DOWN", l.addresses.join(",")]);
    }),
  );
  return table(rows, ["LAB", "NODE", "NETNS", "PHASE", "LINK", "KIND", "OPER", "ADDRESSES"]);
}

/** One row per program a node runs (its `processes`), after the interfaces; nothing for labs without any. */
function programTable(inspections: readonly Inspection[]): string {
  const rows = inspections.flatMap((lab) =>
    lab.nodes.flatMap((n) => n.processes.map((p) => [lab.topology, n.name, p.name, p.phase, p.pid, p.log])),
  );
  return rows.length === 0 ? "" : `\n${table(rows, ["LAB", "NODE", "PROGRAM", "PHASE", "PID", "LOG"])}`;
}

/**
 * Each lab once, in the order first named: one named twice (by its name and by its file, `inspect demo demo.yaml`)
 * was shown twice. Its file is kept over its name: inspecting the file also says how the lab differs from it.
 */
function onceEach(labs: readonly (Topology | string)[]): (Topology | string)[] {
  const byName = new Map<string, Topology | string>();
  for (const lab of labs) {
    const seen = byName.get(labName(lab));
    if (seen === undefined || typeof seen === "string") byName.set(labName(lab), lab);
  }
  return [...byName.values()];
}

export const inspect: Run = async ({ args }, { terminal }) => {
  const topo = await topology();
  const labs = onceEach(await Promise.all(args.map((arg) => labOf(arg, terminal))));
  const files = new Map(labs.flatMap((lab) => (typeof lab === "string" ? [] : [[lab.name, lab] as const])));
  // Labs named here must be running; every running lab, listed first, is shown even if it has just stopped.
  const found =
    args.length > 0
      ? await Promise.all(labs.map(inspected))
      : await Promise.all((await topo.runningLabs()).map((lab) => topo.inspect(lab)));
  // Each change named, as plan names it: a program that crashed after apply shows only here (it has no row above).
  const drift = found.flatMap(({ topology: lab, drift: changes = [] }) =>
    changes.length === 0
      ? []
      : [
          `${lab}: ${changes.length} change${changes.length === 1 ? "" : "s"} to apply\n`,
          ...changes.map((c) => `  ${shownName(topo.describeChange(c))}\n`),
        ],
  );
  const text = found.length === 0 ? "no lab is running\n" : `${inspectionTable(found, files)}${programTable(found)}${drift.join("")}`;
  return { data: found, text, stderr: conflictNotes(found) };
};
