/**
 * Ctrl-C (SIGINT to the whole job, as a terminal sends it) while apply starts a node's program must not leave the
 * program running without its log relay ("unlogged": its output has nowhere to go), nor a second copy after the next
 * apply. The moment is made, not timed: a `setsid` first on the bin's PATH holds the relay's start (the only setsid
 * given the relay's LOG= assignment) until the test has sent the signal, and says when it got there.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, json, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-interrupted-programs-`);
const prefix = uniquePrefix("aip");
const SLEEP = String(20_000 + Math.floor(Math.random() * 10_000));

afterAll(() => {
  for (const tag of ["i", "k"]) neslink("destroy", "--yes", `${prefix}${tag}`);
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for `ready`, checking every few ms (a condition, not a clock); fails after `ms`. */
async function until(ready: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** The pids of the program's processes in the node's namespace, as ip netns pids sees them. */
function programPids(netns: string): number[] {
  return ip("netns", "pids", netns)
    .split("\n")
    .filter(Boolean)
    .map(Number)
    .filter((pid) =>
      spawnSync("cat", [`/proc/${pid}/cmdline`], { encoding: "utf8" })
        .stdout.split("\0")
        .includes(SLEEP),
    );
}

const phases = (file: string): string[] =>
  json("inspect", file).body[0].nodes.flatMap((n: { processes?: { name: string; phase: string }[] }) =>
    (n.processes ?? []).map((p) => `${p.name}:${p.phase}`),
  );

/** The bin's apply, stopped by `stop` once it holds the relay of the program's start (see the file's comment). */
const STOPS = [
  // As a shell's Ctrl-C: to every process of the job (the bin runs as one, a group of its own).
  { how: "Ctrl-C to the job", signal: "SIGINT" as const, stop: (pid: number) => process.kill(-pid, "SIGINT") },
  // The apply alone, killed: what it started must not run on half-started.
  { how: "SIGKILL to the apply", signal: "SIGKILL" as const, stop: (pid: number) => process.kill(pid, "SIGKILL") },
];

it.each(STOPS)(
  "$how as the program's relay starts: no program left unlogged, and one copy after the next apply",
  async ({ how, signal: sent, stop }) => {
    const lab = `${prefix}${sent === "SIGINT" ? "i" : "k"}`;
    const file = `${dir}/${lab}.yaml`;
    writeFileSync(file, `name: ${lab}\nnodes:\n  a: { processes: [{ name: p, command: [sleep, "${SLEEP}"] }] }\n`);
    const bin = `${dir}/bin-${lab}`;
    mkdirSync(bin);
    const reached = `${dir}/reached-${lab}`;
    const gate = `${dir}/gate-${lab}`;
    spawnSync("mkfifo", [gate]);
    const real = spawnSync("sh", ["-c", "command -v setsid"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(
      `${bin}/setsid`,
      `#!/bin/sh\ncase " $* " in *" LOG="*) : >"${reached}"; read -r _ <"${gate}" || exit 1 ;; esac\nexec ${real} "$@"\n`,
    );
    chmodSync(`${bin}/setsid`, 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const child = spawn(process.execPath, [BIN, "apply", file, "--yes"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.resume();
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    const mount = spawnSync("findmnt", ["-n", "-o", "TARGET", "-t", "cgroup2"], { encoding: "utf8" }).stdout.split("\n")[0];
    const programGroup = `${mount}/neslink/${lab}/node-a/program-p`;
    // The relay is held; the program's side has gone as far as it goes without it (started, or waiting for it).
    await until(
      () => existsSync(reached) && (programPids(`${lab}-a`).length > 0 || existsSync(`/run/neslink/topologies/${lab}/a/p.log.start`)),
      "the relay's start",
    );
    stop(child.pid as number);
    const { signal } = await ended;
    expect(signal, stderr).toBe(sent);
    if (sent === "SIGINT") expect(stderr).toContain(`${lab} is partly applied`);
    // The held setsid let go on (if it is still there: nothing is, once its group was ended), then everything of the
    // start settled: no shell of it is left in the program's cgroup.
    try {
      const fd = openSync(gate, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(fd, "\n");
      closeSync(fd);
    } catch {
      // ENXIO: no reader, it is gone.
    }
    await until(() => {
      const r = spawnSync("sh", ["-c", `cat "${programGroup}"/*/cgroup.procs 2>/dev/null | xargs -r -I{} cat /proc/{}/comm`], {
        encoding: "utf8",
      });
      return !/^(sh|setsid|env|nsenter)$/m.test(r.stdout);
    }, "the start to settle");
    expect(
      phases(file).filter((p) => !p.endsWith(":running")),
      how,
    ).toEqual([]);
    expect(programPids(`${lab}-a`).length).toBeLessThanOrEqual(1);

    const again = neslink("apply", file, "--yes");
    expect(again.status, again.stderr).toBe(0);
    expect(phases(file)).toEqual(["p:running"]);
    expect(programPids(`${lab}-a`)).toHaveLength(1);
    expect(neslink("destroy", "--yes", file).status).toBe(0);
  },
  60_000,
);
