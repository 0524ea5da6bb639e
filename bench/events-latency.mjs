#!/usr/bin/env node
// Event latency: from a change in the kernel to its event, for neslink's watch()
// and for `ip -ts monitor link all-nsid`, on the same changes at once.
//
//   node bench/events-latency.mjs [--n 100,500] [--changes 1000] [--rate 500]
//
// Needs root and a built @neslink/core. See bench/README.md ("Event latency").
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH = dirname(fileURLToPath(import.meta.url));
const OUT = join(resolve(BENCH, ".."), "bench-results");
const { ns, watch } = await import(join(BENCH, "../packages/core/dist/index.js"));

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const sizes = option("n", "100,500").split(",").map(Number);
const changes = Number(option("changes", "1000"));
const rate = Number(option("rate", "500"));

/** The realtime clock in ns, with sub-millisecond resolution (Date.now() has 1 ms). */
const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

function output(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

function quantile(sorted, q) {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(latenciesUs, expected) {
  const s = [...latenciesUs].sort((a, b) => a - b);
  return { received: s.length, missing: expected - s.length, medianUs: quantile(s, 0.5), p99Us: quantile(s, 0.99), maxUs: s.at(-1) };
}

async function measure(n) {
  const prefix = `bl${randomBytes(2).toString("hex")}`;
  const names = Array.from({ length: n }, (_, i) => `${prefix}n${i}`);
  const scratch = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const batch = (lines) => {
    const file = join(scratch, `b${Math.random().toString(16).slice(2)}`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    execFileSync("ip", ["-batch", file]);
  };
  batch(names.map((name) => `netns add ${name}`));
  let monitor;
  try {
    batch(names.map((name) => `link add va netns ${name} type veth peer name vb netns ${name}`));
    const stream = watch(
      names.map((name) => ns.name(name)),
      { groups: ["link"] },
    );
    await stream.ready; // every namespace has an nsid now, which `ip monitor all-nsid` needs too
    const seen = new Map();
    const consumed = (async () => {
      for await (const e of stream)
        if (e.type === "link" && e.action === "changed" && e.changed.includes("mtu")) seen.set(e.link.mtu, nowNs());
    })();
    monitor = spawn("ip", ["-ts", "monitor", "link", "all-nsid"], { stdio: ["ignore", "pipe", "inherit"] });
    const monitorSeen = new Map();
    let pending = "";
    monitor.stdout.on("data", (chunk) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) {
        // [2026-11-30T06:05:46.732329] [nsid 1]3: va@vb: <...> mtu 1234 ...
        const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\].* va@\S+ .*\bmtu (\d+)\b/.exec(line);
        if (m) monitorSeen.set(Number(m[3]), BigInt(Date.parse(`${m[1]}Z`)) * 1000000n + BigInt(m[2]) * 1000n);
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    // Not execFileSync: the main thread must stay free to take the events as they come.
    const made = JSON.parse(await output("python3", [join(BENCH, "events/changer.py"), String(changes), String(rate), ...names])).changes;
    await new Promise((r) => setTimeout(r, 1500));
    monitor.kill("SIGTERM");
    await stream.close();
    await consumed;
    const latencies = (seenMap) => made.flatMap(([, mtu, t]) => (seenMap.has(mtu) ? [Number(seenMap.get(mtu) - BigInt(t)) / 1000] : []));
    return { n, changes, rate, neslink: summary(latencies(seen), made.length), ipMonitor: summary(latencies(monitorSeen), made.length) };
  } finally {
    monitor?.kill("SIGKILL");
    batch(names.map((name) => `netns del ${name}`));
    rmSync(scratch, { recursive: true, force: true });
  }
}

const results = [];
for (const n of sizes) {
  const r = await measure(n);
  results.push(r);
  const fmt = (s) =>
    `median ${(s.medianUs / 1000).toFixed(3)} ms, p99 ${(s.p99Us / 1000).toFixed(3)} ms, max ${(s.maxUs / 1000).toFixed(3)} ms, missing ${s.missing}`;
  console.log(
    `N=${n} (${changes} changes at ${rate}/s)\n  neslink watch():              ${fmt(r.neslink)}\n  ip -ts monitor link all-nsid: ${fmt(r.ipMonitor)}`,
  );
}
mkdirSync(OUT, { recursive: true });
writeFileSync(
  join(OUT, "events-latency.json"),
  `${JSON.stringify({ date: new Date().toISOString(), kernel: execFileSync("uname", ["-r"]).toString().trim(), results }, null, 2)}\n`,
);
