/**
 * What bench/cli-startup.mjs (timed) and bench/cli-instructions.mjs (counted)
 * both measure: the one-shot `neslink` commands, each with `ip` doing the
 * same kernel work and the `ip` arguments that undo a run, plus the namespace
 * they work in and the environment their children get. One table, so the two
 * measures always describe the same commands.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const binAt = process.argv.indexOf("--bin");
/** Whether --bin was given (the timed report names the bin then). */
export const BIN_GIVEN = binAt > 0;
/**
 * The bin npm links, which `npx neslink` runs (bin/neslink.cjs, which runs dist/bin.cjs); --bin PATH: another build's
 * (dist/bin.cjs; bin.js before it; e.g. a main checkout's), to compare two builds in the same conditions.
 */
export const BIN = BIN_GIVEN ? process.argv[binAt + 1] : fileURLToPath(new URL("../packages/cli/bin/neslink.cjs", import.meta.url));
export const NODE = process.execPath;
/** The design's own floor for `link set NAME mtu N -n NS` (see its header). */
export const PROBE = fileURLToPath(new URL("./cli-floor.cjs", import.meta.url));

/**
 * Variables that make every Node process start slower, whatever it runs, and
 * so would hide neslink's own cost in the ratio: with NODE_EXTRA_CA_CERTS,
 * Node reads and parses the bundle before any JavaScript (~60 ms of CPU per
 * process on the machine that found it, against ~30 for all the rest of
 * `node -e 0`); NODE_OPTIONS can add anything. Every command runs
 * without them.
 */
export const COSTLY = ["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS"];
export const CLEAN = Object.fromEntries(Object.entries(process.env).filter(([k]) => !COSTLY.includes(k)));

export const ip = (...args) => execFileSync("ip", args, { stdio: "ignore" });

/** Makes the namespace NAME the commands work in. */
export function makeNamespace(name) {
  ip("netns", "add", name);
  // Up, so that a route through it is taken (a route through a link that is down is refused).
  ip("-n", name, "link", "set", "lo", "up");
}

/** Deletes every namespace whose name starts with `${prefix}-`: the end of a run, failed or not. */
export function removeNamespaces(prefix) {
  for (const n of execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n")) {
    const name = n.split(" ")[0];
    if (name?.startsWith(`${prefix}-`)) ip("netns", "del", name);
  }
}

/**
 * The one-shot commands, for namespace NS and namespaces named `${prefix}-*`.
 * Each: `name`; `neslink(i)`, the arguments of run i after `node` (the bin or
 * the floor script, then its arguments); `ip(i)`, the argv of `ip` (or `true`)
 * doing the same work; `undo(i)`, if the run changes something, the `ip`
 * arguments that remove it, run untimed after each run of either; `timed`
 * false for a row only counted; `uncounted`, why a row cannot be counted.
 */
export function oneShotCommands(ns, prefix) {
  const mtu = (i) => String(1400 + (i % 100));
  /** A change inside NS by neslink and by ip (their arguments in NS), undone alike. */
  const change = (name, ours, theirs, undo) => ({
    name,
    neslink: (i) => [BIN, ...ours(i), "-n", ns],
    ip: (i) => ["ip", "-n", ns, ...theirs(i)],
    undo: (i) => ["-n", ns, ...undo(i)],
  });
  const read = (name, ours, theirs) => ({ name, neslink: () => [BIN, ...ours], ip: () => theirs });
  const added = (i) => `${prefix}-a${i}`;
  return [
    read("--help", ["--help"], ["true"]),
    { ...read("--version", ["--version"], ["true"]), timed: false },
    read("ns list", ["ns", "list"], ["ip", "netns", "list"]),
    read("link list -n NS", ["link", "list", "-n", ns], ["ip", "-n", ns, "link", "show"]),
    read("addr list -n NS", ["addr", "list", "-n", ns], ["ip", "-n", ns, "addr", "show"]),
    {
      ...read("exec NS -- true", ["exec", ns, "--", "true"], ["ip", "netns", "exec", ns, "true"]),
      uncounted: "the process becomes the program it runs (execve), and callgrind, which follows no exec, reports no count",
    },
    change(
      "addr add CIDR dev lo -n NS",
      (i) => ["addr", "add", `10.250.${i % 250}.1/32`, "dev", "lo"],
      (i) => ["addr", "add", `10.250.${i % 250}.1/32`, "dev", "lo"],
      (i) => ["addr", "del", `10.250.${i % 250}.1/32`, "dev", "lo"],
    ),
    change(
      "route add CIDR dev lo -n NS",
      (i) => ["route", "add", `10.251.${i % 250}.0/24`, "dev", "lo"],
      (i) => ["route", "add", `10.251.${i % 250}.0/24`, "dev", "lo"],
      (i) => ["route", "del", `10.251.${i % 250}.0/24`, "dev", "lo"],
    ),
    change(
      "link set NAME mtu N -n NS",
      (i) => ["link", "set", "lo", "mtu", mtu(i)],
      (i) => ["link", "set", "lo", "mtu", mtu(i)],
      () => ["link", "set", "lo", "mtu", "65536"],
    ),
    // The design's own floor for the row above: Node + koffi + the codec + one request, none of neslink's code.
    {
      name: "link set NAME mtu N -n NS: koffi + codec alone (bench/cli-floor.cjs)",
      floor: true,
      neslink: (i) => [PROBE, ns, "lo", mtu(i)],
      ip: (i) => ["ip", "-n", ns, "link", "set", "lo", "mtu", mtu(i)],
      undo: () => ["-n", ns, "link", "set", "lo", "mtu", "65536"],
    },
    change(
      "link add veth NAME peer NAME -n NS",
      (i) => ["link", "add", "veth", `v${i}`, "peer", `w${i}`],
      (i) => ["link", "add", `v${i}`, "type", "veth", "peer", "name", `w${i}`],
      (i) => ["link", "del", `v${i}`],
    ),
    // A change inside another namespace: a worker's work.
    change(
      "link add bridge NAME -n NS",
      (i) => ["link", "add", "bridge", `b${i}`],
      (i) => ["link", "add", `b${i}`, "type", "bridge"],
      (i) => ["link", "del", `b${i}`],
    ),
    {
      name: "ns add NAME",
      neslink: (i) => [BIN, "ns", "add", added(i)],
      ip: (i) => ["ip", "netns", "add", added(i)],
      undo: (i) => ["netns", "del", added(i)],
    },
  ];
}

/** The rows also run through a `neslink agent`: a read and a change in a namespace, and a namespace created. */
const THROUGH_AGENT = ["link set NAME mtu N -n NS", "ns add NAME"];

/**
 * Those rows as a client of a running agent does them (the same arguments,
 * NESLINK_AGENT set): what is measured is the client's process only, as the
 * agent's own work is not a child's of the bench.
 */
export function agentRows(table) {
  return table
    .filter((row) => THROUGH_AGENT.includes(row.name))
    .map((row) => ({ ...row, name: `${row.name} (through the agent; the client alone)`, agent: true }));
}

/** A `neslink agent` of the bench's own, on a socket in a private temp dir; resolves once it listens, with the clients' environment. */
export async function startAgent() {
  const dir = mkdtempSync(`${tmpdir()}/neslink-bench-agent-`);
  const socket = `${dir}/agent.sock`;
  const proc = spawn(NODE, [BIN, "agent", "--socket", socket], { stdio: ["ignore", "ignore", "pipe"], env: CLEAN });
  let said = "";
  await new Promise((resolve, reject) => {
    proc.stderr.on("data", (d) => {
      said += d;
      if (said.includes("listening on")) resolve();
    });
    proc.once("exit", () => reject(new Error(`neslink agent exited: ${said}`)));
  });
  return {
    env: { ...CLEAN, NESLINK_AGENT: socket },
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((resolve) => proc.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
