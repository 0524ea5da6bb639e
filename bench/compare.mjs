#!/usr/bin/env node
// Before/after for one change: the neslink peer of two git revisions, run in
// turns on the same machine, per phase in wall-clock and in CPU time.
//
//   node bench/compare.mjs REV_A REV_B [--n 500] [--rounds 5] [--peer neslink|neslink-topology] [--keep]
//
// --peer neslink-topology compares the topology engine instead (apply, no-op
// re-apply, destroy, and a plan of the unchanged lab). Each revision is checked out in a worktree under $TMPDIR and built there
// (npm ci, npm run build: the toolchains of scripts/setup.sh). Both then run
// *this* checkout's peer (copied beside each build), so
// only the library differs; rounds alternate A and B, each run in a mount
// namespace of its own with a fresh tmpfs on /run/netns, as bench/run.mjs
// runs peers. Prints the median of each phase and B/A. CPU time (every
// thread of the process) moves little with the machine's load, where wall
// time does not: on a busy machine, read the CPU columns. Needs root.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: "string", default: "500" },
    rounds: { type: "string", default: "5" },
    peer: { type: "string", default: "neslink" },
    keep: { type: "boolean", default: false },
  },
});
const PEERS = ["neslink", "neslink-topology"];
const [n, rounds] = [Number(values.n), Number(values.rounds)];
if (positionals.length !== 2 || !Number.isInteger(n) || n < 2 || !Number.isInteger(rounds) || rounds < 1 || !PEERS.includes(values.peer)) {
  console.error(`usage: node bench/compare.mjs REV_A REV_B [--n 500] [--rounds 5] [--peer ${PEERS.join("|")}] [--keep]`);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error("compare.mjs needs root (network namespaces)");
  process.exit(2);
}

const PHASES = ["setup", "inventory", "teardown"];
/** Timed beside the phases (not in the total) where the peer reports it. */
const EXTRAS = ["plan"];
const peerFile = `${values.peer}.mjs`;
const git = (...args) => execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).trim();

/** A built worktree of `rev` holding this checkout's peer; reused if it exists. */
function prepare(rev) {
  const commit = git("rev-parse", "--verify", `${rev}^{commit}`);
  const dir = join(tmpdir(), `neslink-compare-${commit.slice(0, 12)}`);
  if (!existsSync(join(dir, "packages/core/dist/index.js"))) {
    if (!existsSync(dir)) git("worktree", "add", "--detach", dir, commit);
    for (const step of [
      ["ci", "--no-audit", "--no-fund"],
      ["run", "build"],
    ]) {
      console.error(`${rev}: npm ${step.join(" ")}`);
      execFileSync("npm", step, { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    }
  }
  const peers = join(dir, "bench/compare-peer");
  mkdirSync(peers, { recursive: true });
  for (const file of [peerFile, "star.mjs"]) copyFileSync(join(BENCH, "peers", file), join(peers, file));
  return { rev, commit, dir, runs: [] };
}

/** One run of the peer in `tree`, in a private mount namespace with a fresh /run/netns. */
function runOnce(tree, round) {
  const prefix = `bc${round}${tree === trees[0] ? "a" : "b"}${process.pid.toString(36)}`;
  // /run/neslink too, as bench/run.mjs does: the topology peer's lock files and records stay out of the host's.
  const mounts = ["/run/netns", "/run/neslink"].map((dir) => `mkdir -p ${dir} && mount -t tmpfs neslink-compare ${dir}`).join(" && ");
  const script = `${mounts} && exec node bench/compare-peer/${peerFile} ${n} ${prefix}`;
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], { cwd: tree.dir, encoding: "utf8" });
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  if (r.status !== 0 || !line) throw new Error(`${tree.rev} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const trees = positionals.map(prepare);
for (let round = 0; round < rounds; round++) {
  for (const tree of round % 2 ? [...trees].reverse() : trees) tree.runs.push(runOnce(tree, round));
  console.error(`round ${round + 1}/${rounds} done`);
}

const [a, b] = trees;
console.log(
  `${values.peer}, N=${n}, ${rounds} rounds, medians (ms); A = ${a.rev} (${a.commit.slice(0, 9)}), B = ${b.rev} (${b.commit.slice(0, 9)})`,
);
console.log("| phase | A wall | B wall | B/A wall | A cpu | B cpu | B/A cpu |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
const extras = EXTRAS.filter((x) => trees.every((tree) => tree.runs.every((r) => typeof r[`${x}_ms`] === "number")));
for (const phase of [...PHASES, "total", ...extras]) {
  const of = (tree, key) => median(tree.runs.map((r) => (phase === "total" ? PHASES.reduce((s, p) => s + r[key(p)], 0) : r[key(phase)])));
  const wall = (p) => `${p}_ms`;
  const cpu = (p) => `cpu_${p}_ms`;
  const cells = [of(a, wall), of(b, wall)];
  const cpus = [of(a, cpu), of(b, cpu)];
  console.log(
    `| ${phase} | ${cells[0].toFixed(0)} | ${cells[1].toFixed(0)} | ${(cells[1] / cells[0]).toFixed(2)} | ${cpus[0].toFixed(0)} | ${cpus[1].toFixed(0)} | ${(cpus[1] / cpus[0]).toFixed(2)} |`,
  );
}
if (!values.keep) {
  for (const tree of trees) {
    git("worktree", "remove", "--force", tree.dir);
    rmSync(tree.dir, { recursive: true, force: true });
  }
}
