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
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import koffi from "koffi";
import {
  agentRows,
  BIN,
  BIN_GIVEN,
  CLEAN,
  COSTLY,
  NODE,
  ip,
  makeNamespace,
  oneShotCommands,
  removeNamespaces,
  startAgent,
} from "./cli-commands.mjs";

const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 15;
// Every command is timed without COSTLY's variables; the floor is also timed with them, and both are reported.
const given = COSTLY.filter((k) => process.env[k] !== undefined);
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
const neslink = (...args) => [NODE, BIN, ...args];

const agent = await startAgent();
const viaAgent = agent.env;

const ns = `${P}-x`;
makeNamespace(ns);
const rows = [];
let floor;
let floorCpu;
let givenFloor;
try {
  /** One run of a row's command (NODE and its arguments, or ip's argv), its change undone untimed. */
  const run = (row, argv, env) => (i) => {
    const r = timed(argv(i), undefined, env);
    if (row.undo) ip(...row.undo(i));
    return r;
  };
  const shared = oneShotCommands(ns, P).filter((row) => row.timed !== false);
  const commands = [
    ...shared.map((row) => [row.name, run(row, (i) => [NODE, ...row.neslink(i)]), run(row, row.ip)]),
    ...agentRows(shared).map((row) => [row.name, run(row, (i) => [NODE, ...row.neslink(i)], viaAgent), run(row, row.ip)]),
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
    `# CLI start-up (${new Date().toISOString()}, node ${process.version}, median of ${RUNS}${BIN_GIVEN ? `, bin ${BIN}` : ""})`,
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
  await agent.stop();
  removeNamespaces(P);
}
