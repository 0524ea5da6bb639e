#!/usr/bin/env node
// neslink benchmark harness (plain ESM, Node 20; no build step).
//
//   node bench/run.mjs [--n 100,500] [--runs 3] [--peers a,b] [--ref NAME]
//                      [--ipv6 off|on] [--settle MS] [--timeout S] [--workers W]
//                      [--bridge-ports K] [--netns-dir private|host]
//
// Runs every peer of PEERS for each N, --runs times (peers interleaved within a
// run round), takes the median of each phase over the runs, prints a table and
// writes bench-results/latest.json and bench-results/latest.md.
// Needs root (network namespaces). Run bench/setup.sh first.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, "..");
const OUT = join(ROOT, "bench-results");

// ---- the peer registry -----------------------------------------------------
// name: as printed in the peer's JSON; initial: one [a-z] letter, part of the
// run's unique prefix `bp<initial><4 hex>`; cmd: argv before `N PREFIX`;
// requires: files that must exist (else the peer is skipped with a note).
// Every peer gets N and PREFIX (and BENCH_IPV6, BENCH_BRIDGE_PORTS in its
// environment), must create only namespaces named PREFIX+"hub" / PREFIX+"n<i>"
// and print one JSON line (see bench/README.md).
const py = join(BENCH, ".venv/bin/python");
const goPeer = join(BENCH, ".bin/go-peer");
const PEERS = [
  { name: "ip-per-op", initial: "o", cmd: ["bash", join(BENCH, "peers/ip-per-op.sh")] },
  { name: "ip-batch", initial: "b", cmd: ["bash", join(BENCH, "peers/ip-batch.sh")] },
  { name: "pyroute2", initial: "p", cmd: [py, join(BENCH, "peers/pyroute2_peer.py")], requires: [py] },
  {
    name: "pyroute2-pushns",
    initial: "q",
    cmd: [py, join(BENCH, "peers/pyroute2_peer.py"), "--mode", "pushns"],
    requires: [py],
  },
  { name: "go-seq", initial: "s", cmd: [goPeer, "-mode", "seq"], requires: [goPeer] },
  {
    name: "go-goroutines",
    initial: "g",
    cmd: (o) => [goPeer, "-mode", "goroutines", "-workers", String(o.workers)],
    requires: [goPeer],
  },
  // neslink: picked up as soon as bench/peers/neslink.mjs exists.
  {
    name: "neslink",
    initial: "n",
    cmd: [process.execPath, join(BENCH, "peers/neslink.mjs")],
    requires: [join(BENCH, "peers/neslink.mjs")],
  },
  // The same star as a topology file, through core's topology engine (apply, a no-op apply, destroy).
  {
    name: "neslink-topology",
    initial: "t",
    cmd: [process.execPath, join(BENCH, "peers/neslink-topology.mjs")],
    requires: [join(BENCH, "peers/neslink-topology.mjs")],
  },
];

// ---- options -----------------------------------------------------------------
function parseArgs(argv) {
  const o = {
    n: [100, 500],
    runs: 3,
    ref: null,
    peers: null,
    ipv6: "off",
    settle: null,
    timeout: 900,
    workers: 4,
    bridgePorts: 1000,
    netnsDir: "private",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) die(`${a} needs a value`);
      return x;
    };
    if (a === "--n")
      o.n = v()
        .split(",")
        .map((s) => Number.parseInt(s, 10));
    else if (a === "--runs") o.runs = Number.parseInt(v(), 10);
    else if (a === "--ref") o.ref = v();
    else if (a === "--peers") o.peers = v().split(",");
    else if (a === "--ipv6") o.ipv6 = v();
    else if (a === "--settle") o.settle = Number.parseInt(v(), 10);
    else if (a === "--timeout") o.timeout = Number.parseInt(v(), 10);
    else if (a === "--workers") o.workers = Number.parseInt(v(), 10);
    else if (a === "--bridge-ports") o.bridgePorts = Number(v());
    else if (a === "--netns-dir") o.netnsDir = v();
    else if (a === "-h" || a === "--help") {
      console.log(
        readFileSync(fileURLToPath(import.meta.url), "utf8")
          .split("\n")
          .slice(1, 12)
          .join("\n"),
      );
      process.exit(0);
    } else die(`unknown argument ${a}`);
  }
  if (o.n.some((n) => !Number.isInteger(n) || n < 2 || n > 65000)) die("--n: integers in 2..65000");
  if (!Number.isInteger(o.runs) || o.runs < 1) die("--runs: integer >= 1");
  if (o.ipv6 !== "on" && o.ipv6 !== "off") die("--ipv6: on|off");
  if (!Number.isInteger(o.workers) || o.workers < 1) die("--workers: integer >= 1");
  if (o.netnsDir !== "private" && o.netnsDir !== "host") die("--netns-dir: private|host");
  // A bridge takes at most 1023 ports (BR_MAX_PORTS = 1024, port number 0 is
  // reserved); a bridge inside the chain also holds 2 joint ends.
  if (!Number.isInteger(o.bridgePorts) || o.bridgePorts < 1 || o.bridgePorts > 1021) die("--bridge-ports: integer in 1..1021");
  return o;
}

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

// ---- where named namespaces' files live -------------------------------------------------
// --netns-dir private (default): the bench re-runs itself in a mount namespace
// of its own with an empty tmpfs on /run/netns, so every peer's mount-point
// files land on the same fresh filesystem instead of the host's directory
// (an ext4 without journal on this kind of host, where allocating an inode
// skips every inode freed in the last 60 s: the previous peers' teardowns
// would be paid by whichever peer runs next). Nothing the bench makes is
// visible to, or left on, the host. The same goes for /run/neslink, where the
// topology peer's locks (a file made and removed per apply and destroy) and
// its programs' logs live: a tmpfs there too, as /run is on most systems.
const NETNS_DIR = "/run/netns";
const NESLINK_RUN_DIR = "/run/neslink";
const PRIVATE_MARK = "NESLINK_BENCH_PRIVATE_NETNS";

function inParentsMountNs() {
  return readlinkSync("/proc/self/ns/mnt") === readlinkSync(`/proc/${process.ppid}/ns/mnt`);
}

function enterPrivateNetnsDir() {
  if (process.env[PRIVATE_MARK] !== "1") {
    const argv = ["--mount", "--propagation", "private", process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
    const r = spawnSync("unshare", argv, { stdio: "inherit", env: { ...process.env, [PRIVATE_MARK]: "1" } });
    if (r.error) die(`--netns-dir private needs util-linux's unshare: ${r.error.message}`);
    process.exit(r.status ?? 1);
  }
  // The mark alone is no proof (it may come from a user's shell): never cover the host's /run/netns.
  if (inParentsMountNs()) die(`${PRIVATE_MARK}=1 but not in a mount namespace of its own; refusing to mount over ${NETNS_DIR}`);
  for (const dir of [NETNS_DIR, NESLINK_RUN_DIR]) {
    mkdirSync(dir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "mode=0755,size=16m", "neslink-bench", dir]);
  }
}

// ---- namespace bookkeeping -------------------------------------------------------
function listNetns() {
  // stderr ignored: while the kernel reaps deleted namespaces (ours or anyone's),
  // `ip netns list` may print "Peer netns reference is invalid" for them.
  const out = execFileSync("ip", ["netns", "list"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function ownedBy(prefix, name) {
  return name === `${prefix}hub` || new RegExp(`^${prefix}n[0-9]+$`).test(name);
}

// Deletes leftovers of this prefix only; returns their names.
function leftovers(prefix) {
  const left = listNetns().filter((n) => n.startsWith(prefix));
  for (const n of left) {
    if (!ownedBy(prefix, n)) continue;
    try {
      execFileSync("ip", ["netns", "del", n], { stdio: "ignore" });
    } catch {
      /* reported below */
    }
  }
  return left;
}

// ---- running one peer -----------------------------------------------------------
function runPeer(peer, n, o) {
  let prefix;
  const existing = listNetns();
  do prefix = `bp${peer.initial}${randomBytes(2).toString("hex")}`;
  while (existing.some((x) => x.startsWith(prefix)));
  const argv = [...(typeof peer.cmd === "function" ? peer.cmd(o) : peer.cmd), String(n), prefix];
  return new Promise((res) => {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, BENCH_IPV6: o.ipv6, BENCH_BRIDGE_PORTS: String(o.bridgePorts) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group: a timeout kills the whole tree
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[bench] timeout after ${o.timeout}s, sending SIGTERM`;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 10000).unref();
    }, o.timeout * 1000);
    child.on("error", (e) => {
      stderr += `\n[bench] spawn failed: ${e.message}`;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const wall_ms = performance.now() - t0;
      const left = leftovers(prefix);
      res({ prefix, code, signal, stdout, stderr, wall_ms, left });
    });
  });
}

function checkResult(peer, n, o, r) {
  const problems = [];
  if (r.left.length) problems.push(`namespaces left behind (deleted now): ${r.left.join(" ")}`);
  if (r.code !== 0) problems.push(`exit ${r.code ?? r.signal}`);
  const line = r.stdout.trim().split("\n").pop();
  let j = null;
  try {
    j = JSON.parse(line);
  } catch {
    problems.push(`no JSON line on stdout: ${JSON.stringify(line?.slice(0, 200))}`);
  }
  if (j) {
    for (const k of ["peer", "version", "n", "setup_ms", "inventory_ms", "teardown_ms", "total_ms", "links", "addrs", "peak_rss_kb"])
      if (!(k in j)) problems.push(`JSON lacks ${k}`);
    if (j.peer !== peer.name) problems.push(`peer is ${j.peer}, expected ${peer.name}`);
    if (j.n !== n) problems.push(`n is ${j.n}, expected ${n}`);
    // hub: lo + B bridges + N veth ends + 2(B-1) joint ends; each namespace: lo + eth0
    const b = Math.ceil(n / o.bridgePorts);
    if (j.links !== 3 * n + 3 * b - 1) problems.push(`links ${j.links}, expected ${3 * n + 3 * b - 1}`);
    // IPv4 only: hub lo 127.0.0.1; each namespace 127.0.0.1 + its 10.200/16
    if (o.ipv6 === "off" && j.addrs !== 2 * n + 1) problems.push(`addrs ${j.addrs}, expected ${2 * n + 1}`);
  }
  return { j, problems };
}

// ---- statistics and output ----------------------------------------------------------
const PHASES = ["setup_ms", "inventory_ms", "teardown_ms", "total_ms"];
/** CPU time of a phase (every thread of the peer's process), for the peers that report it. */
const CPU_PHASES = ["cpu_setup_ms", "cpu_inventory_ms", "cpu_teardown_ms"];
/** Timed beside the phases by the peers that can (the topology peer: a plan of the unchanged lab), not in the total. */
const EXTRA_TIMES = ["plan_ms", "cpu_plan_ms"];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmtMs = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmtRatio = (x) => (x == null ? "" : x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);

function tableFor(rows, ref) {
  const head = ["peer", "setup ms", "inventory ms", "teardown ms", "total ms", `total / ${ref}`, "links", "addrs", "peak RSS MB"];
  const body = rows.map((r) => [
    r.peer,
    `${fmtMs(r.median.setup_ms)} (${fmtRatio(r.ratio?.setup_ms)})`,
    `${fmtMs(r.median.inventory_ms)} (${fmtRatio(r.ratio?.inventory_ms)})`,
    `${fmtMs(r.median.teardown_ms)} (${fmtRatio(r.ratio?.teardown_ms)})`,
    fmtMs(r.median.total_ms),
    fmtRatio(r.ratio?.total_ms),
    String(r.links),
    String(r.addrs),
    (r.median.peak_rss_kb / 1024).toFixed(1),
  ]);
  return { head, body };
}

function textTable({ head, body }) {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(head), w.map((x) => "-".repeat(x)).join("  "), ...body.map(line)].join("\n");
}

function mdTable({ head, body }) {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
    ...body.map((b) => `| ${b.join(" | ")} |`),
  ].join("\n");
}

/** Work a peer does before its clock starts, where it reports it (neslink: starting its worker pool). */
function startupNotes(rows) {
  const started = rows.filter((r) => r.median.startup_ms !== undefined);
  return started
    .map((r) => `Before the clock, like every peer's process start: ${r.peer} startup ${fmtMs(r.median.startup_ms)} ms (median).`)
    .join("\n");
}

/** The issue's targets, as ratios measured in this run; null when a peer they need was not run. */
function targets(results, ns) {
  const row = (peer, n) => results.find((r) => r.peer === peer && r.n === n);
  const at = (peer, n) => row(peer, n)?.median;
  const lines = [];
  const mark = (ok) => (ok ? "met" : "NOT met");
  // The issue states its ratio targets at N=500.
  for (const n of ns.filter((x) => x === 500)) {
    const [nl, go, batch] = [at("neslink", n), at("go-goroutines", n), at("ip-batch", n)];
    if (!nl || !go) continue;
    const total = nl.total_ms / go.total_ms;
    const inv = nl.inventory_ms / go.inventory_ms;
    lines.push(`- N=${n}: neslink total / go-goroutines = ${total.toFixed(2)} (target <= 1: ${mark(total <= 1)})`);
    lines.push(`- N=${n}: neslink inventory / go-goroutines = ${inv.toFixed(2)} (target <= 1.5: ${mark(inv <= 1.5)})`);
    if (batch)
      lines.push(
        `- N=${n}: ip-batch total / neslink = ${(batch.total_ms / nl.total_ms).toFixed(2)} (target >= 5: ${mark(batch.total_ms / nl.total_ms >= 5)})`,
      );
    lines.push(
      `- N=${n}: neslink peak RSS ${(nl.peak_rss_kb / 1024).toFixed(0)} MB (target < 200 MB: ${mark(nl.peak_rss_kb < 200 * 1024)})`,
    );
  }
  const [small, big] = [at("neslink", 500), at("neslink", 2000)];
  const [goSmall, goBig] = [at("go-goroutines", 500), at("go-goroutines", 2000)];
  if (small && big && goSmall && goBig) {
    const [r500, r2000] = [small.total_ms / goSmall.total_ms, big.total_ms / goBig.total_ms];
    lines.push(
      `- N=2000 ran to the end; neslink / go-goroutines ${r2000.toFixed(2)} vs ${r500.toFixed(2)} at N=500 (target: no worse: ${mark(r2000 <= r500)})`,
    );
  }
  // The topology engine against the imperative neslink peer, same run (the topology issue's targets).
  for (const n of ns) {
    const [nl, topo] = [at("neslink", n), at("neslink-topology", n)];
    if (!nl || !topo) continue;
    for (const [what, phase, limit] of [
      ["apply / imperative setup", "setup_ms", 1.25],
      ["no-op re-apply / imperative inventory", "inventory_ms", 2],
      ["destroy / imperative teardown", "teardown_ms", 1.25],
    ]) {
      const ratio = topo[phase] / nl[phase];
      // Wall time moves with the machine's load; CPU time much less: on a busy machine it tells what the code costs.
      const cpu = topo[`cpu_${phase}`] / nl[`cpu_${phase}`];
      const cpuNote = Number.isFinite(cpu) ? `; CPU time ${cpu.toFixed(2)}` : "";
      // The two peers of a round ran back to back, in the same conditions: the spread of their ratios shows how far the load moved the median's.
      const [a, b] = [row("neslink-topology", n).runs, row("neslink", n).runs];
      const rounds =
        a.length > 1 && a.length === b.length ? `; by round ${a.map((x, i) => (x[phase] / b[i][phase]).toFixed(2)).join(", ")}` : "";
      lines.push(`- N=${n}: topology ${what} = ${ratio.toFixed(2)} (target <= ${limit}: ${mark(ratio <= limit)}${cpuNote}${rounds})`);
    }
  }
  // A plan of the unchanged lab reads what an inventory reads (every link and address of the N+1 namespaces) and more
  // (routes, sysctls, the host's links, the other namespaces' marks, nsids): no target, the ratios show what it adds.
  for (const n of ns) {
    const topo = at("neslink-topology", n);
    if (topo?.plan_ms === undefined) continue;
    const against = [
      ["go-goroutines", "Go inventory"],
      ["neslink", "imperative inventory"],
    ].flatMap(([peer, what]) => {
      const other = at(peer, n);
      if (!other) return [];
      const cpu = topo.cpu_plan_ms / other.cpu_inventory_ms;
      return [`/ ${what} ${(topo.plan_ms / other.inventory_ms).toFixed(2)}${Number.isFinite(cpu) ? ` (CPU time ${cpu.toFixed(2)})` : ""}`];
    });
    lines.push(
      `- N=${n}: topology plan of the unchanged lab ${fmtMs(topo.plan_ms)} ms (CPU ${fmtMs(topo.cpu_plan_ms)}); ${against.join(", ") || "no inventory to compare with in this run"}`,
    );
  }
  return lines.length ? lines.join("\n") : null;
}

// ---- main -----------------------------------------------------------------------------
async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) die("needs root (network namespaces)");
  if (o.netnsDir === "private") enterPrivateNetnsDir();
  let peers = PEERS;
  if (o.peers) {
    const unknown = o.peers.filter((p) => !PEERS.some((x) => x.name === p));
    if (unknown.length) die(`unknown peer(s): ${unknown.join(", ")}; known: ${PEERS.map((p) => p.name).join(", ")}`);
    peers = PEERS.filter((p) => o.peers.includes(p.name));
  }
  const skipped = [];
  peers = peers.filter((p) => {
    const missing = (p.requires ?? []).filter((f) => !existsSync(f));
    if (missing.length) skipped.push(`${p.name} (missing ${missing.map((f) => f.replace(`${ROOT}/`, "")).join(", ")})`);
    return !missing.length;
  });
  if (skipped.length) console.error(`bench: skipping ${skipped.join("; ")}`);
  if (!peers.length) die("no peer to run (did you run bench/setup.sh?)");
  const names = peers.map((p) => p.name);
  const ref = o.ref ?? (names.includes("neslink") ? "neslink" : names.includes("go-goroutines") ? "go-goroutines" : names[0]);
  if (!names.includes(ref)) die(`reference peer ${ref} is not among the peers run`);

  const raw = {}; // `${peer}@${n}` -> [json]
  let failed = false;
  outer: for (const n of o.n) {
    const settle = o.settle ?? 1000 + 2 * n; // ms: let the kernel reap the deleted namespaces (asynchronous)
    for (let run = 1; run <= o.runs; run++) {
      for (const peer of peers) {
        const r = await runPeer(peer, n, o);
        const { j, problems } = checkResult(peer, n, o, r);
        if (problems.length) {
          failed = true;
          console.error(`\nbench: FAILED ${peer.name} N=${n} run ${run} (prefix ${r.prefix}):\n  - ${problems.join("\n  - ")}`);
          if (r.stderr.trim()) console.error(`  stderr:\n${r.stderr.trim().replace(/^/gm, "    ")}`);
          if (r.left.length) break outer; // a peer that leaks namespaces stops the whole bench
          continue;
        }
        const key = `${peer.name}@${n}`;
        if (!raw[key]) raw[key] = [];
        raw[key].push({ ...j, wall_ms: Math.round(r.wall_ms), prefix: r.prefix });
        console.error(
          `bench: N=${n} run ${run}/${o.runs} ${peer.name.padEnd(16)} setup ${fmtMs(j.setup_ms)} inv ${fmtMs(j.inventory_ms)} teardown ${fmtMs(j.teardown_ms)} total ${fmtMs(j.total_ms)} ms`,
        );
        await new Promise((s) => setTimeout(s, settle));
      }
    }
  }

  const results = [];
  for (const n of o.n) {
    const rows = [];
    for (const p of peers) {
      const runs = raw[`${p.name}@${n}`];
      if (!runs?.length) continue;
      const med = {};
      for (const k of [...PHASES, "peak_rss_kb"]) med[k] = median(runs.map((x) => x[k]));
      for (const k of [...CPU_PHASES, ...EXTRA_TIMES])
        if (runs.every((x) => typeof x[k] === "number")) med[k] = median(runs.map((x) => x[k]));
      if (runs.every((x) => typeof x.startup_ms === "number")) med.startup_ms = median(runs.map((x) => x.startup_ms));
      rows.push({ peer: p.name, n, version: runs[0].version, links: runs[0].links, addrs: runs[0].addrs, runs, median: med });
    }
    const refRow = rows.find((r) => r.peer === ref);
    for (const r of rows) {
      r.ratio = refRow ? Object.fromEntries(PHASES.map((k) => [k, r.median[k] / refRow.median[k]])) : null;
    }
    results.push(...rows);
  }

  const meta = {
    date: new Date().toISOString(),
    host: { kernel: os.release(), cpus: os.cpus().length, mem_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    n: o.n,
    runs: o.runs,
    ref,
    ipv6: o.ipv6,
    bridge_ports: o.bridgePorts,
    netns_dir: o.netnsDir === "private" ? "a tmpfs of the bench's own mount namespace" : "the host's /run/netns",
    go_workers: o.workers,
    statistic: "median over runs, per phase independently (total_ms is the median of totals)",
    peak_rss: "largest peak RSS of any single process in the peer tree (see bench/README.md)",
    skipped,
    complete: !failed,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "latest.json"), `${JSON.stringify({ meta, results }, null, 2)}\n`);

  const versions = [...new Map(results.map((r) => [r.peer, r.version])).entries()].map(([p, v]) => `- ${p}: ${v}`);
  let md = `# neslink benchmark: latest run\n\n${meta.date}; kernel ${meta.host.kernel}, ${meta.host.cpus} CPUs, Node ${meta.host.node}; runs per point: ${o.runs} (median); IPv6 in the namespaces: ${o.ipv6}; ports per bridge: ${o.bridgePorts}; namespace files: ${meta.netns_dir}; ratios relative to **${ref}**${failed ? "\n\n**Some runs FAILED: see the harness output.**" : ""}\n\nWorkload: hub namespace with ceil(N/${o.bridgePorts}) chained bridges, N namespaces each joined by a veth pair (eth0 10.200.x.y/16, all up), ping between two namespaces (untimed), inventory of every link and address of all N+1 namespaces, teardown. See bench/README.md.\n`;
  for (const n of o.n) {
    const rows = results.filter((r) => r.n === n);
    if (!rows.length) continue;
    const t = tableFor(rows, ref);
    const notes = startupNotes(rows);
    md += `\n## N = ${n}\n\n${mdTable(t)}\n${notes ? `\n${notes}\n` : ""}`;
    console.log(
      `\nN = ${n}  (median of ${o.runs} run(s); ratio = peer / ${ref}; IPv6 ${o.ipv6})\n${textTable(t)}${notes ? `\n${notes}` : ""}`,
    );
  }
  const goals = targets(results, o.n);
  if (goals) {
    md += `\n## Targets (issue 5)\n\n${goals}\n`;
    console.log(`\nTargets (issue 5)\n${goals}`);
  }
  md += `\nVersions:\n${versions.join("\n")}\n`;
  if (skipped.length) md += `\nSkipped: ${skipped.join("; ")}\n`;
  writeFileSync(join(OUT, "latest.md"), md);
  console.log(`\nwrote ${join("bench-results", "latest.json")} and ${join("bench-results", "latest.md")}`);
  if (failed) {
    console.error("bench: FAILED (see above)");
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
