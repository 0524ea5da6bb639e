/**
 * Ctrl-C (or SIGTERM) that comes once apply's or destroy's work is done, while what it says of that work goes out:
 * the change happened, so that output is printed whole and the status is the command's own. It died of the signal
 * instead: its output cut (all of it, waiting for its reader), exit 130 (143) for a lab applied or destroyed.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, linksIn, netnsList, uniquePrefix, until } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const prefix = uniquePrefix("li");
const dir = mkdtempSync(`${tmpdir()}/neslink-late-`);
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Preloaded into the bin: says on stderr once stdout holds text its reader has not taken. */
const PROBE = fileURLToPath(new URL("./stdout-probe.mjs", import.meta.url));

/** Two nodes and a veth between them. */
function labFile(lab: string): string {
  const file = `${dir}/${lab}.yaml`;
  writeFileSync(file, `name: ${lab}\nnodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: ["a:eth0", "b:eth0"]\n`);
  return file;
}

/** A FIFO for the bin's stdout, filled up: the bin's first output waits for the test to read, which it does when told. */
function fullFifo(name: string): { path: string; reader: number; filled: number } {
  const path = `${dir}/${name}.out`;
  execFileSync("mkfifo", [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  let filled = 0;
  try {
    for (;;) filled += writeSync(filler, Buffer.alloc(4096, "."));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
  } finally {
    closeSync(filler);
  }
  return { path, reader, filled };
}

/**
 * Runs the bin with `args` (they print nothing before their result), its stdout a full FIFO; once the result waits
 * there (the work done), sends `signal`, lets the bin say what it says of it, then reads its stdout to the end.
 */
async function signalledAsItPrints(name: string, signal: NodeJS.Signals, args: string[]) {
  const out = fullFifo(name);
  const writer = openSync(out.path, constants.O_WRONLY);
  const child = spawn(process.execPath, ["--import", PROBE, BIN, ...args], { stdio: ["ignore", writer, "pipe"] });
  closeSync(writer);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, sig) => resolve({ code, signal: sig })),
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  try {
    expect(await until(() => stderr.includes("probe: stdout is full\n") || gone(), FAIL_AFTER_MS)).toBe(true);
    child.kill(signal);
    // Said before what waits is read (once read, the bin may end before it heard the signal); or it died of it.
    expect(await until(() => stderr.includes(`neslink: ${signal}`) || gone(), FAIL_AFTER_MS)).toBe(true);
    const pipe = new Socket({ fd: out.reader, readable: true, writable: false });
    const chunks: Buffer[] = [];
    pipe.on("data", (d: Buffer) => chunks.push(d));
    await new Promise((resolve) => pipe.on("end", resolve));
    pipe.destroy();
    const stdout = Buffer.concat(chunks).subarray(out.filled).toString();
    return { ...(await ended), stdout, stderr: stderr.replace("probe: stdout is full\n", "") };
  } finally {
    child.kill("SIGKILL");
  }
}

it.each(["SIGINT", "SIGTERM"] as const)(
  "apply --json, %s as its result waits for its reader: the result whole, exit 0, the signal said on stderr; the lab is made",
  async (signal) => {
    const lab = `${prefix}a${signal === "SIGINT" ? "i" : "t"}`;
    const file = labFile(lab);
    const r = await signalledAsItPrints(lab, signal, ["--json", "apply", file, "--yes"]);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: `neslink: ${signal}: apply had already finished; its result stands.\n`,
    });
    const result = JSON.parse(r.stdout);
    expect({ topology: result.topology, summary: result.summary }).toEqual({
      topology: lab,
      summary: { add: expect.any(Number), change: 0, destroy: 0 },
    });
    expect(netnsList(`${lab}-`).sort()).toEqual([`${lab}-a`, `${lab}-b`]);
    for (const node of ["a", "b"]) expect(linksIn(`${lab}-${node}`).find((l) => l.ifname === "eth0")?.linkinfo?.info_kind).toBe("veth");
    expect(neslink("destroy", lab, "--yes").status).toBe(0);
  },
  60_000,
);

it("destroy, SIGINT as what it removed waits for its reader: said whole, exit 0, the signal said on stderr; the lab is gone", async () => {
  const lab = `${prefix}d`;
  expect(neslink("apply", labFile(lab), "--yes").status).toBe(0);
  const r = await signalledAsItPrints(lab, "SIGINT", ["destroy", lab, "--yes"]);
  expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
    code: 0,
    signal: null,
    stderr: "neslink: SIGINT: destroy had already finished; its result stands.\n",
  });
  expect(r.stdout).toMatch(
    new RegExp(`^  - a \\(namespace ${lab}-a\\)\n  - b \\(namespace ${lab}-b\\)\nDestroyed ${lab}: 2 nodes removed in \\d+ ms\\.\n$`),
  );
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 60_000);

it("neslink shell -f, SIGINT as an apply line's result waits for its reader: printed whole, then the script ends of it before its next line", async () => {
  const lab = `${prefix}l`;
  const script = `${dir}/${lab}.script`;
  writeFileSync(script, `apply ${labFile(lab)} --yes\nns add ${lab}x\n`);
  const r = await signalledAsItPrints(lab, "SIGINT", ["--json", "shell", "-f", script]);
  expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
    code: null,
    signal: "SIGINT",
    stderr: "neslink: SIGINT: apply had already finished; its result stands.\n",
  });
  // One line (JSON Lines), whole: apply's result.
  expect(r.stdout.endsWith("\n") && r.stdout.indexOf("\n") === r.stdout.length - 1).toBe(true);
  expect(JSON.parse(r.stdout).topology).toBe(lab);
  expect(netnsList(`${lab}-`).sort()).toEqual([`${lab}-a`, `${lab}-b`]);
  // The script's next line did not run (held, the signal let it run: the script went on).
  expect(netnsList(`${lab}x`)).toEqual([]);
  expect(neslink("destroy", lab, "--yes").status).toBe(0);
}, 60_000);

it("destroy, SIGINT just after it printed what it removed (as it ends): exit 0, not 130", () => {
  const lab = `${prefix}s`;
  expect(neslink("apply", labFile(lab), "--yes").status).toBe(0);
  const out = `${dir}/${lab}.txt`;
  const fd = openSync(out, "w");
  try {
    // strace sends SIGINT as the bin enters its first write to that file, the result's: it comes once the write is done.
    const r = spawnSync(
      "strace",
      [
        "-f",
        "-o",
        "/dev/null",
        "-P",
        out,
        "-e",
        "trace=write",
        "-e",
        "inject=write:signal=INT:when=1",
        process.execPath,
        BIN,
        "destroy",
        lab,
        "--yes",
      ],
      { stdio: ["ignore", fd, "pipe"], encoding: "utf8", timeout: 60_000 },
    );
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: "neslink: SIGINT: destroy had already finished; its result stands.\n",
    });
  } finally {
    closeSync(fd);
  }
  expect(readFileSync(out, "utf8")).toMatch(new RegExp(`\nDestroyed ${lab}: 2 nodes removed in \\d+ ms\\.\n$`));
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 60_000);
