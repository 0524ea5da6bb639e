#!/usr/bin/env node
/**
 * Start-up of the CLI in instructions: each one-shot `neslink` command that
 * bench/cli-startup.mjs times (and `--version`), `node -e 0` and the design's
 * floor (bench/cli-floor.cjs) run once under callgrind, which counts the
 * instructions the process executes in user space. With V8's hash and random
 * seeds fixed and its helper threads off, that count is the same from run to
 * run for the same build and arguments to ~20k instructions (0.01%), where
 * CPU time on this shared host moves by 10–20%: a change worth 3% shows. It leaves out the kernel's time, page faults and waiting,
 * so it says what a change buys; CPU time (cli-startup.mjs) stays the
 * measure the issue's target is set in.
 * Usage (root): node bench/cli-instructions.mjs [--bin PATH/bin.cjs]
 * Writes bench-results/cli-instructions.{json,md}. Creates only namespaces
 * named ci<pid>-*, and deletes them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import {
  agentRows,
  BIN,
  BIN_GIVEN,
  CLEAN,
  NODE,
  ip,
  makeNamespace,
  oneShotCommands,
  removeNamespaces,
  startAgent,
} from "./cli-commands.mjs";

/**
 * --smc-check=all-non-file: V8 writes machine code into anonymous memory and
 * runs it; callgrind must notice code rewritten there, or it runs stale
 * translations. The seeds: without them V8 hashes and samples differently at
 * every start, and the count moves by ±3M. --single-threaded: V8 compiles
 * (its optimising tiers, the wasm codec's tier-up) and collects garbage on the
 * main thread instead of on helper threads; with helpers, how far they get
 * before the process exits depends on scheduling, and `link list -n` moved by
 * ±1M of ~220M from run to run (its total within that of the single thread's).
 */
const VALGRIND = ["--tool=callgrind", "--smc-check=all-non-file", "--callgrind-out-file=/dev/null"];
const V8_FLAGS = ["--hash-seed=1", "--random-seed=1", "--single-threaded"];
/** A Node start takes 5–8 s under callgrind; one that takes this long hangs, and fails the bench naming it. */
const TIMEOUT_MS = 120_000;

if (process.getuid?.() !== 0) {
  console.error("cli-instructions.mjs needs root (network namespaces)");
  process.exit(2);
}
const version = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
if (version.error || version.status !== 0) {
  console.error("cli-instructions.mjs needs valgrind: run bench/setup.sh (or apt-get install valgrind)");
  process.exit(2);
}
const VALGRIND_VERSION = version.stdout.trim();

/** Instructions `node ...V8_FLAGS ...args` executes, counted by callgrind. */
function instructions(name, args, env = CLEAN) {
  const argv = [...VALGRIND, NODE, ...V8_FLAGS, ...args];
  const r = spawnSync("valgrind", argv, { env, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], timeout: TIMEOUT_MS });
  const count = /Collected : (\d+)/.exec(r.stderr ?? "");
  if (r.status !== 0 || !count) {
    throw new Error(`${name}: valgrind ${argv.join(" ")} failed (${r.error?.message ?? r.signal ?? r.status}): ${r.stderr}`);
  }
  process.stderr.write(`${name}: ${count[1]}\n`);
  return Number(count[1]);
}

const P = `ci${process.pid}`;
const ns = `${P}-x`;
const agent = await startAgent();
try {
  makeNamespace(ns);
  const table = oneShotCommands(ns, P);
  /** Run 0 of a row, its change undone after it. */
  const count = (row) => {
    const n = instructions(row.name, row.neslink(0), row.agent ? agent.env : CLEAN);
    if (row.undo) ip(...row.undo(0));
    return n;
  };
  const base = instructions("node -e 0", ["-e", "0"]);
  const floorRow = table.find((row) => row.floor);
  const floor = count(floorRow);
  const rows = [
    { command: "node -e 0", instructions: base },
    { command: floorRow.name, instructions: floor },
    ...[...table.filter((row) => !row.floor && !row.uncounted), ...agentRows(table)].map((row) => ({
      command: row.name,
      instructions: count(row),
    })),
  ].map((r) => ({ ...r, ratio: r.instructions / base, overNode: r.instructions - base, overFloor: r.instructions - floor }));
  const uncounted = table.filter((row) => row.uncounted).map((row) => ({ command: row.name, why: row.uncounted }));

  const M = (n) => (n / 1e6).toFixed(2);
  const signed = (n) => `${n >= 0 ? "+" : "−"}${M(Math.abs(n))}`;
  const md = [
    `# CLI start-up in instructions (${new Date().toISOString()}, node ${process.version}, ${VALGRIND_VERSION}${BIN_GIVEN ? `, bin ${BIN}` : ""})`,
    "",
    `Instructions each process executes in user space (callgrind, \`node ${V8_FLAGS.join(" ")}\`), in millions, one run each: the same from run to run of the same build to ~20k instructions (\`ns list\` reads /run/netns, so it moves with the namespaces there, anyone's). Floor: \`bench/cli-floor.cjs\`, the least a process built as neslink does for \`link set\`. Not counted: the kernel's work, page faults, waiting; CPU time (bench/cli-startup.mjs) is the issue's measure.`,
    "",
    "| command | M instructions | × node -e 0 | − node -e 0 (M) | − floor (M) |",
    "|---|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.command} | ${M(r.instructions)} | ${r.ratio.toFixed(2)} | ${signed(r.overNode)} | ${signed(r.overFloor)} |`),
    "",
    ...uncounted.map((u) => `Not counted: \`${u.command}\`: ${u.why}.`),
    "",
  ].join("\n");
  mkdirSync(new URL("../bench-results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL("../bench-results/cli-instructions.json", import.meta.url),
    `${JSON.stringify({ node: process.version, valgrind: VALGRIND_VERSION, bin: BIN, rows, uncounted }, null, 2)}\n`,
  );
  writeFileSync(new URL("../bench-results/cli-instructions.md", import.meta.url), md);
  process.stdout.write(md);
} finally {
  await agent.stop();
  removeNamespaces(P);
}
