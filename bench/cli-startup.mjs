#!/usr/bin/env node
/**
 * Start-up of the CLI against its floor: each one-shot `neslink` command
 * timed (wall clock, median of --runs) next to Node's own start-up
 * (`node -e 0`) and to `ip` doing the same kernel work, so that
 * neslink / (node -e 0 + ip) says how far a command is from "Node's start
 * plus its kernel work" (the issue's target: within 1.3), in wall clock and in
 * CPU (getrusage of the children: load-independent). Rounds interleave the
 * floor and every command, so a passing load weighs on all. Then 20 namespace
 * creations in a row: 20 processes, against one `neslink shell`, and 20
 * processes that each hand their command to a running `neslink agent` (their
 * CPU is the clients' only: the agent's own is not a reaped child's).
 * Usage (root): node bench/cli-startup.mjs [--runs 15] [--bin PATH/bin.cjs]
 * Writes bench-results/cli-startup.{json,md}. Creates only namespaces named
 * cs<pid>-*, and deletes them.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import koffi from "koffi";

const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 15;
const binAt = process.argv.indexOf("--bin");
/** --bin PATH: another build's bin (bin.cjs; bin.js before it; e.g. a main checkout's), to compare two builds in the same conditions. */
const BIN = binAt > 0 ? process.argv[binAt + 1] : fileURLToPath(new URL("../packages/cli/dist/bin.cjs", import.meta.url));
const NODE = process.execPath;
/**
 * Variables that make every Node process start slower, whatever it runs, and
 * so would hide neslink's own cost in the ratio: with NODE_EXTRA_CA_CERTS,
 * Node reads and parses the bundle before any JavaScript (~60 ms of CPU per
 * process on the machine that found it, against ~30 for all the rest of
 * `node -e 0`); NODE_OPTIONS can add anything. Every command is timed
 * without them; the floor is also timed with them, and both are reported.
 */
const COSTLY = ["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS"];
const given = COSTLY.filter((k) => process.env[k] !== undefined);
const CLEAN = Object.fromEntries(Object.entries(process.env).filter(([k]) => !COSTLY.includes(k)));
const P = `cs${process.pid}`;

/**
 * CPU time (user + system, ms) of every child reaped so far: getrusage(RUSAGE_CHILDREN).
 * Wall clock on a shared machine moves with everyone's load; the CPU a command
 * itself burns (all its threads and children) does not, so both are reported.
 */
const getrusage = koffi.load("libc.so.6").func("int getrusage(int who, void *usage)");
const usage = Buffer.alloc(144);
function childrenCpuMs() {
  if (getrusage(-1, usage) !== 0) throw new Error("getrusage failed");
  const tv = (at) => Number(usage.readBigInt64LE(at)) * 1e3 + Number(usage.readBigInt64LE(at + 8)) / 1e3;
  return tv(0) + tv(16);
}

/** One run: its wall clock and its CPU, in ms. */
function timed(argv, input, env = CLEAN) {
  const cpu = childrenCpuMs();
  const t = process.hrtime.bigint();
  // Bounded: a command that hangs (say, `ip netns list` opening a FIFO another program left in /run/netns) fails the bench, naming it.
  const r = spawnSync(argv[0], argv.slice(1), {
    input,
    env,
    stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
    timeout: 60_000,
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.error?.message ?? r.signal ?? r.status}): ${r.stderr}`);
  return { ms, cpu: childrenCpuMs() - cpu };
}
const time = (argv, input, env) => timed(argv, input, env).ms;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median of RUNS, each run made by `once` (which may set up and tear down untimed). */
function measure(once) {
  const xs = [];
  for (let i = 0; i < RUNS; i++) xs.push(once(i));
  return median(xs);
}
const ip = (...args) => execFileSync("ip", args, { stdio: "ignore" });
const neslink = (...args) => [NODE, BIN, ...args];
const PROBE = fileURLToPath(new URL("./cli-floor.cjs", import.meta.url));

/** A `neslink agent` of the bench's own, on a socket in a private temp dir; resolves once it listens. */
async function startAgent(socket) {
  const proc = spawn(NODE, [BIN, "agent", "--socket", socket], { stdio: ["ignore", "ignore", "pipe"], env: CLEAN });
  let said = "";
  await new Promise((resolve, reject) => {
    proc.stderr.on("data", (d) => {
      said += d;
      if (said.includes("listening on")) resolve();
    });
    proc.once("exit", () => reject(new Error(`neslink agent exited: ${said}`)));
  });
  return proc;
}
const agentDir = mkdtempSync(`${tmpdir()}/neslink-bench-agent-`);
const agent = await startAgent(`${agentDir}/agent.sock`);
const viaAgent = { ...CLEAN, NESLINK_AGENT: `${agentDir}/agent.sock` };

const ns = `${P}-x`;
ip("netns", "add", ns);
// Up, so that a route through it is taken (a route through a link that is down is refused).
ip("-n", ns, "link", "set", "lo", "up");
const rows = [];
let floor;
let floorCpu;
let givenFloor;
try {
  const pairs = [
    ["--help", neslink("--help"), ["true"]],
    ["ns list", neslink("ns", "list"), ["ip", "netns", "list"]],
    ["link list -n NS", neslink("link", "list", "-n", ns), ["ip", "-n", ns, "link", "show"]],
    ["addr list -n NS", neslink("addr", "list", "-n", ns), ["ip", "-n", ns, "addr", "show"]],
    ["exec NS -- true", neslink("exec", ns, "--", "true"), ["ip", "netns", "exec", ns, "true"]],
  ];
  // ns add: each run makes one namespace and removes it untimed.
  const adding = (cmd, env) => (i) => {
    const name = `${P}-a${i}`;
    const run = timed(cmd(name), undefined, env);
    ip("netns", "del", name);
    return run;
  };
  // link add: each run makes a bridge in NS and deletes it untimed (a change inside another namespace: a worker's work).
  const bridging = (cmd) => (i) => {
    const run = timed(cmd(`b${i}`));
    ip("-n", ns, "link", "del", `b${i}`);
    return run;
  };
  // A change inside NS, undone untimed after each run (`undo` as ip arguments in NS).
  const changing = (cmd, undo) => (i) => {
    const run = timed(cmd(i));
    ip("-n", ns, ...undo(i));
    return run;
  };
  /** The same change made by neslink and by ip (their arguments in NS), undone alike. */
  const change = (name, ours, theirs, undo) => [
    name,
    changing((i) => neslink(...ours(i), "-n", ns), undo),
    changing((i) => ["ip", "-n", ns, ...theirs(i)], undo),
  ];
  const commands = [
    ...pairs.map(([name, ours, theirs]) => [name, () => timed(ours), () => timed(theirs)]),
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
      (i) => ["link", "set", "lo", "mtu", String(1400 + (i % 100))],
      (i) => ["link", "set", "lo", "mtu", String(1400 + (i % 100))],
      () => ["link", "set", "lo", "mtu", "65536"],
    ),
    // The design's own floor for the row above: Node + koffi + the codec + one request, none of neslink's code.
    [
      "link set NAME mtu N -n NS: koffi + codec alone (bench/cli-floor.cjs)",
      changing(
        (i) => [NODE, PROBE, ns, "lo", String(1400 + (i % 100))],
        () => ["link", "set", "lo", "mtu", "65536"],
      ),
      changing(
        (i) => ["ip", "-n", ns, "link", "set", "lo", "mtu", String(1400 + (i % 100))],
        () => ["link", "set", "lo", "mtu", "65536"],
      ),
    ],
    change(
      "link add veth NAME peer NAME -n NS",
      (i) => ["link", "add", "veth", `v${i}`, "peer", `w${i}`],
      (i) => ["link", "add", `v${i}`, "type", "veth", "peer", "name", `w${i}`],
      (i) => ["link", "del", `v${i}`],
    ),
    [
      "link add bridge NAME -n NS",
      bridging((b) => neslink("link", "add", "bridge", b, "-n", ns)),
      bridging((b) => ["ip", "-n", ns, "link", "add", b, "type", "bridge"]),
    ],
    ["ns add NAME", adding((n) => neslink("ns", "add", n)), adding((n) => ["ip", "netns", "add", n])],
    [
      "ns add NAME (through the agent; client CPU only)",
      adding((n) => neslink("ns", "add", n), viaAgent),
      adding((n) => ["ip", "netns", "add", n]),
    ],
  ];
  // Interleaved: each round times the floor and every command once, so a load that comes and goes on a shared machine weighs on all alike.
  const floors = [];
  const givenFloors = [];
  const samples = commands.map(() => ({ ours: [], theirs: [] }));
  for (let i = 0; i < RUNS; i++) {
    floors.push(timed([NODE, "-e", "0"]));
    if (given.length > 0) givenFloors.push(timed([NODE, "-e", "0"], undefined, process.env));
    commands.forEach(([, ours, theirs], k) => {
      samples[k].ours.push(ours(i));
      samples[k].theirs.push(theirs(i));
    });
  }
  const of = (runs, key) => median(runs.map((r) => r[key]));
  floor = of(floors, "ms");
  floorCpu = of(floors, "cpu");
  givenFloor = given.length > 0 ? { variables: given, ms: of(givenFloors, "ms"), cpu: of(givenFloors, "cpu") } : undefined;
  commands.forEach(([command], k) => {
    const { ours, theirs } = samples[k];
    const [a, b, ac, bc] = [of(ours, "ms"), of(theirs, "ms"), of(ours, "cpu"), of(theirs, "cpu")];
    rows.push({ command, neslink: a, ip: b, ratio: a / (floor + b), neslinkCpu: ac, ipCpu: bc, cpuRatio: ac / (floorCpu + bc) });
  });

  const twenty = (i) => Array.from({ length: 20 }, (_, k) => `${P}-t${i}-${k}`);
  const clean = (names) => {
    for (const n of names) ip("netns", "del", n);
  };
  const batch = (run) =>
    measure((i) => {
      const names = twenty(i);
      const ms = run(names);
      clean(names);
      return ms;
    });
  const processes = batch((names) => names.reduce((sum, n) => sum + time(neslink("ns", "add", n)), 0));
  const shell = batch((names) => time(neslink("shell"), names.map((n) => `ns add ${n}`).join("\n")));
  const agentProcesses = batch((names) => names.reduce((sum, n) => sum + time(neslink("ns", "add", n), undefined, viaAgent), 0));
  const ipProcesses = batch((names) => names.reduce((sum, n) => sum + time(["ip", "netns", "add", n]), 0));
  const ipBatch = batch((names) => time(["ip", "-batch", "-"], names.map((n) => `netns add ${n}`).join("\n")));
  const twentyRows = [
    { way: "20 × neslink ns add", ms: processes },
    { way: "neslink shell, 20 lines", ms: shell },
    { way: "20 × neslink ns add through the agent", ms: agentProcesses },
    { way: "20 × ip netns add", ms: ipProcesses },
    { way: "ip -batch, 20 lines", ms: ipBatch },
  ];

  const fmt = (x) => x.toFixed(1);
  const md = [
    `# CLI start-up (${new Date().toISOString()}, node ${process.version}, median of ${RUNS}${binAt > 0 ? `, bin ${BIN}` : ""})`,
    "",
    `Floor: \`node -e 0\` = ${fmt(floor)} ms wall, ${fmt(floorCpu)} ms CPU. ratio = neslink / (floor + ip): the issue's target is ≤ 1.3.`,
    ...(givenFloor
      ? [
          `Every command runs without ${givenFloor.variables.join(" and ")}, which this environment sets: with ${givenFloor.variables.length > 1 ? "them" : "it"}, \`node -e 0\` = ${fmt(givenFloor.ms)} ms wall, ${fmt(givenFloor.cpu)} ms CPU, a cost every Node process pays before it runs anything.`,
        ]
      : []),
    "Wall clock is what a user waits for, and moves with the machine's load; CPU (user + system, all threads and children) is the work a command does.",
    "",
    "| command | neslink ms | ip ms | ratio | neslink CPU ms | ip CPU ms | CPU ratio |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.command} | ${fmt(r.neslink)} | ${fmt(r.ip)} | ${r.ratio.toFixed(2)} | ${fmt(r.neslinkCpu)} | ${fmt(r.ipCpu)} | ${r.cpuRatio.toFixed(2)} |`,
    ),
    "",
    "| 20 namespaces | ms |",
    "|---|---:|",
    ...twentyRows.map((r) => `| ${r.way} | ${fmt(r.ms)} |`),
    "",
  ].join("\n");
  mkdirSync(new URL("../bench-results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("../bench-results/cli-startup.json", import.meta.url),
    `${JSON.stringify({ runs: RUNS, node: process.version, floor, floorCpu, givenFloor, rows, twenty: twentyRows }, null, 2)}\n`,
  );
  writeFileSync(new URL("../bench-results/cli-startup.md", import.meta.url), md);
  process.stdout.write(md);
} finally {
  agent.kill("SIGTERM");
  await new Promise((resolve) => agent.once("exit", resolve));
  rmSync(agentDir, { recursive: true, force: true });
  for (const n of execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n")) {
    const name = n.split(" ")[0];
    if (name?.startsWith(`${P}-`)) ip("netns", "del", name);
  }
}
