/**
 * An apply interrupted (Ctrl-C, SIGTERM, SIGHUP) once it has begun stops where nothing is half-made: killed amid a
 * namespace's making, it left the entry in /run/netns without its mount (`ip netns list` then said "Peer netns
 * reference is invalid"). And with --json, its ERR_ABORTED error says what was done, as a failed apply's does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, afterEach, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { starLab } from "./star-lab.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-interrupt-safe-`);
const prefix = uniquePrefix("u");
const HOSTS = 24;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** The lab's file: a star of HOSTS hosts. */
const star = (lab: string) => starLab(`${dir}/${lab}.yaml`, lab, HOSTS, 62);

/** The entries under /run/netns starting with `name` that have no namespace mounted on them. */
function unmounted(name: string): string[] {
  const mounted = new Set(
    readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[4])
      .filter((point) => point?.startsWith("/run/netns/")),
  );
  return netnsList(name).filter((entry) => !mounted.has(`/run/netns/${entry}`));
}

/** The bin run with `args`; `signal` sent once `ready(stdout)` holds, or once the lab's first entry exists. */
function interrupted(args: string[], signal: NodeJS.Signals, ready: (out: string) => boolean) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    child.kill(signal);
  };
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (ready(out)) send();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return {
    send,
    ended: new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal, out, err })),
    ),
  };
}

it("interrupted at its namespaces phase, again and again: never an entry without its namespace", async () => {
  const lab = `${prefix}n`;
  const file = star(lab);
  // SIGHUP too: a closed ssh session or terminal window killed apply mid-change, leaving entries unmounted.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (let i = 0; i < 6; i++) {
    const signal = signals[i % signals.length] as NodeJS.Signals;
    const run = interrupted(["apply", file, "--yes"], signal, (out) => /^namespaces: \d+ changes?$/m.test(out));
    const ended = await run.ended;
    expect(ended.signal, ended.err).toBe(signal);
    // With what it made and never tried, as core's error counts them.
    expect(ended.err).toMatch(
      new RegExp(`neslink: ${signal}: ${lab} is partly applied \\(\\d+ changes? made, [1-9]\\d* not attempted\\);`),
    );
    expect(unmounted(`${lab}-`)).toEqual([]);
    // Stopped where it was safe: each namespace listed is one iproute2 enters.
    for (const ns of netnsList(`${lab}-`)) expect(ipJson("-n", ns, "link", "show", "lo")).toHaveLength(1);
    expect(neslink("destroy", lab, "--yes").status).toBe(0);
    expect(netnsList(`${lab}-`)).toEqual([]);
  }
}, 180_000);

it("--json: the ERR_ABORTED error says what was done, each change of it there in the kernel", async () => {
  const lab = `${prefix}j`;
  const file = star(lab);
  // --json prints nothing before its end: the lab's first entry in /run/netns is the sign changes have begun.
  const planned = (JSON.parse(neslink("--json", "plan", file).stdout) as { changes: unknown[] }).changes.length;
  const run = interrupted(["--json", "apply", file, "--yes"], "SIGINT", () => false);
  while (netnsList(`${lab}-`).length === 0) await new Promise((r) => setTimeout(r, 2));
  run.send();
  const ended = await run.ended;
  expect(ended.signal).toBe("SIGINT");
  const { error } = JSON.parse(ended.out) as {
    error: { code: string; message: string; done: { object: string; netns: string }[]; notAttempted: string[] };
  };
  expect(error.code).toBe("ERR_ABORTED");
  expect(error.message).toContain(
    `SIGINT: ${lab} is partly applied (${error.done.length} changes made, ${error.notAttempted.length} not attempted);`,
  );
  expect(error.done.length).toBeGreaterThan(0);
  // Every planned change is told: made, or never tried (and so still planned).
  expect(error.done.length + error.notAttempted.length).toBe(planned);
  expect((JSON.parse(neslink("--json", "plan", file).stdout) as { changes: unknown[] }).changes).toHaveLength(error.notAttempted.length);
  const made = error.done.filter((c) => c.object === "netns").map((c) => c.netns);
  expect(made.length).toBeGreaterThan(0);
  expect(netnsList(`${lab}-`).sort()).toEqual(expect.arrayContaining(made));
  expect(unmounted(`${lab}-`)).toEqual([]);
  // Not all of it: what is left is what a plan still finds to do.
  expect(neslink("plan", file, "--detailed-exitcode").status).toBe(4);
  expect(neslink("destroy", lab, "--yes").status).toBe(0);
  expect(existsSync(`/run/netns/${lab}-hub`)).toBe(false);
}, 60_000);
