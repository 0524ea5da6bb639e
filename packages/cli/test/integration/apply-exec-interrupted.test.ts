/**
 * A terminal's Ctrl-C reaches its whole process group: apply's exec commands die of SIGINT with the CLI that hears
 * it. That apply is told as interrupted, with every planned change accounted (made, interrupted, not attempted), and
 * the commands it cut short, not recorded as run, run again at the next apply.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, json, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-exec-interrupted-`);
const prefix = uniquePrefix("t26x");

afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Each node's first command says it started (a file of `dir`) and then takes its time: the Ctrl-C finds it running. */
const lab = `${prefix}l`;
const file = `${dir}/${lab}.yaml`;
const started = (node: string) => `${dir}/started-${node}`;
writeFileSync(
  file,
  `name: ${lab}
nodes:
  a: { addresses: { eth0: [10.8.0.1/24] }, exec: [[sh, -c, 'echo start; : > ${started("a")}; sleep 3; echo done'], [echo, second]], processes: [[sleep, '3601']] }
  b: { addresses: { eth0: [10.8.0.2/24] }, exec: [[sh, -c, ': > ${started("b")}; sleep 3']] }
links: [ { endpoints: ["a:eth0", "b:eth0"] } ]
`,
);

/** Applies `file` in a process group of its own and, once both nodes' first commands run, SIGINTs the whole group. */
async function applyCtrlC() {
  const child = spawn(process.execPath, [BIN, "apply", file, "--yes", "--json"], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const poll = setInterval(() => {
    if (existsSync(started("a")) && existsSync(started("b"))) {
      clearInterval(poll);
      process.kill(-(child.pid as number), "SIGINT");
    }
  }, 50);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("close", (c, s) => resolve([c, s])),
    );
    return { code, signal, out };
  } finally {
    clearInterval(poll);
  }
}

type Exec = { node: string; argv: string[]; status: number; stdout: string };

it("Ctrl-C to apply's process group as its exec commands run: an interrupted apply, each planned change accounted, and the cut commands run again", async () => {
  try {
    const planned = json("plan", file).body.changes.length;
    expect(planned).toBe(9);
    const ended = await applyCtrlC();
    // The exit status of the signal: 130, as a shell tells it.
    expect(ended.signal === "SIGINT" ? 130 : ended.code).toBe(130);
    const { error } = JSON.parse(ended.out);
    expect(error.code).toBe("ERR_ABORTED");
    expect(error.message).toContain(`${lab} is partly applied (5 changes made, 2 interrupted, 2 not attempted)`);
    expect(error.interrupted).toEqual([
      `+ exec in a: sh -c 'echo start; : > ${started("a")}; sleep 3; echo done'`,
      `+ exec in b: sh -c ': > ${started("b")}; sleep 3'`,
    ]);
    expect(error.notAttempted).toEqual(["+ exec in a: echo second", "+ process a:sleep (sleep 3601)"]);
    // Every planned change in exactly one list.
    expect(error.done).toHaveLength(5);
    expect(error.done.length + error.interrupted.length + error.notAttempted.length).toBe(planned);
    // What was made is there: both namespaces, their addresses.
    const names = (ipJson("netns", "list") as { name: string }[]).map((n) => n.name).filter((n) => n.startsWith(`${lab}-`));
    expect(names.sort()).toEqual([`${lab}-a`, `${lab}-b`]);
    for (const [node, local] of [
      ["a", "10.8.0.1"],
      ["b", "10.8.0.2"],
    ]) {
      const [eth0] = ipJson("-n", `${lab}-${node}`, "addr", "show", "dev", "eth0") as { addr_info: { local: string }[] }[];
      expect(eth0?.addr_info.map((a) => a.local)).toContain(local);
    }
    // Cut short, the commands are not on record: the next apply runs them (and those never tried), and finishes the lab.
    expect(json("plan", file).body.changes.map((c: { object: string }) => c.object)).toEqual(["exec", "exec", "process", "exec"]);
    const again = json("apply", file, "--yes");
    expect(again.status).toBe(0);
    expect(again.body.exec.map((e: Exec) => [e.node, e.argv[0], e.status, e.stdout]).sort()).toEqual([
      ["a", "echo", 0, "second\n"],
      ["a", "sh", 0, "start\ndone\n"],
      ["b", "sh", 0, ""],
    ]);
    expect(neslink("plan", file, "--detailed-exitcode").status).toBe(0);
  } finally {
    neslink("destroy", lab, "--yes");
  }
}, 60_000);
