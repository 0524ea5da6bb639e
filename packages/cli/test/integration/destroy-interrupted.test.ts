/**
 * What destroy says when it is interrupted part-way (Ctrl-C, SIGTERM) is what
 * became of the lab, as apply says it: it died silently, and the lab it left
 * (namespaces unmounted while their programs ran on, entries left empty)
 * looked destroyed to some tools and not to others.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { destroyBegun, HOSTS, leftOf, NOTHING_LEFT, stubbornStar } from "./destroy-begun.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-destroy-intr-`);
const lab = uniquePrefix("di");
/** The prefix of the labs a single signal meets under way. */
const begun = uniquePrefix("t26d");

afterAll(() => {
  cleanup(lab);
  cleanup(begun);
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `done()` holds, polled; fails the test past 30 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(done()).toBe(true);
}

/** `neslink destroy NAME --yes` (with `flags`) under way; `ended` once it has, with what it printed. */
function destroying(name: string, ...flags: string[]) {
  const child = spawn(process.execPath, [BIN, ...flags, "destroy", name, "--yes"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, ended };
}

it.each([
  ["text", "SIGINT"],
  ["json", "SIGTERM"],
  ["text", "SIGHUP"],
] as const)(
  "one %s signal (%s) once destroy has begun: it waits for the destroy, which runs on to its end, and says the lab was destroyed, as it was",
  async (output, signal) => {
    const name = `${begun}${output[0]}${signal.slice(3, 4).toLowerCase()}`;
    const termed = `${dir}/termed-begun-${output}-${signal}`;
    expect(neslink("apply", stubbornStar(`${dir}/begun-${output}-${signal}.yaml`, name, 66, termed), "--yes").status).toBe(0);
    const { child, ended } = destroying(name, ...(output === "json" ? ["--json"] : []));
    await destroyBegun(name);
    child.kill(signal);
    const { stdout, stderr, ...end } = await ended;
    // It said "partly destroyed" at once and died mid-destroy, leaving namespaces, empty entries, the program, the record.
    expect(leftOf(name, termed)).toEqual(NOTHING_LEFT);
    expect(end).toEqual({ code: null, signal });
    const said = `${signal}: ${name} was destroyed all the same (${HOSTS + 1} nodes removed): the interrupt came once its changes had begun, and destroy ends what it starts.`;
    if (output === "text") expect({ stdout, stderr }).toEqual({ stdout: "", stderr: `neslink: ${said}\n` });
    else {
      expect(stderr).toBe("");
      const { error } = JSON.parse(stdout);
      expect(error).toEqual({
        name: "NeslinkError",
        code: "ERR_ABORTED",
        message: said,
        destroyed: true,
        removed: expect.any(Array),
      });
      expect(error.removed.map((r: { netns: string }) => r.netns).sort()).toEqual(
        ["hub", ...Array.from({ length: HOSTS }, (_, i) => `h${i}`)].map((n) => `${name}-${n}`).sort(),
      );
    }
  },
  60_000,
);

it.each(["text", "json"] as const)(
  "one SIGINT once destroy has begun, which then fails: it waits for the destroy and says its error (%s)",
  async (output) => {
    const name = `${begun}f${output[0]}`;
    const termed = `${dir}/termed-failed-${output}`;
    expect(neslink("apply", stubbornStar(`${dir}/failed-${output}.yaml`, name, 67, termed), "--yes").status).toBe(0);
    // A mount in the lab's record dir: destroy removes the nodes, then fails to remove the record (EBUSY).
    const pin = `/run/neslink/topologies/${name}/pin`;
    mkdirSync(pin);
    execFileSync("mount", ["--bind", dir, pin]);
    try {
      const { child, ended } = destroying(name, ...(output === "json" ? ["--json"] : []));
      await destroyBegun(name);
      child.kill("SIGINT");
      const { stdout, stderr, ...end } = await ended;
      expect(end).toEqual({ code: null, signal: "SIGINT" });
      // Every node removed, the record left: what the words say, and what a destroy again removes.
      expect(leftOf(name, termed)).toEqual({ ...NOTHING_LEFT, record: true });
      const failed = `EBUSY: rmdir failed: EBUSY (${pin})`;
      const said = `SIGINT: ${name} is partly destroyed: destroy went on and failed (${failed}); "neslink destroy ${name}" tries again.`;
      if (output === "text") expect({ stdout, stderr }).toEqual({ stdout: "", stderr: `neslink: ${said}\n` });
      else
        expect(JSON.parse(stdout)).toEqual({
          error: {
            name: "NeslinkError",
            code: "ERR_ABORTED",
            message: said,
            destroyed: false,
            failed: expect.objectContaining({ code: "EBUSY", message: `rmdir failed: EBUSY (${pin})` }),
          },
        });
    } finally {
      execFileSync("umount", [pin]);
    }
    expect(neslink("destroy", name, "--yes").status).toBe(0);
    expect(leftOf(name, termed)).toEqual(NOTHING_LEFT);
  },
  60_000,
);

it.each(["text", "json"] as const)(
  "two SIGINTs once destroy has begun: said to be partly destroyed, with the command that finishes it, which does and says what it cleaned up (%s)",
  async (output) => {
    const name = `${lab}${output[0]}`;
    // A program that outlives SIGTERM holds destroy for its 2 s grace: it is under way, whatever the machine's speed.
    const termed = `${dir}/termed-${output}`;
    const program = `trap 'touch ${termed}' TERM; while :; do sleep 0.1; done`;
    const file = `${dir}/${output}.yaml`;
    writeFileSync(file, `name: ${name}\nnodes:\n  a: { processes: [{ name: stubborn, command: [sh, -c, "${program}"] }] }\n  b: {}\n`);
    expect(neslink("apply", file, "--yes").status).toBe(0);
    const { child, ended } = destroying(name);
    await until(() => existsSync(termed));
    // The first is waited on (the destroy runs on to its end once begun); a second ends the wait, and the destroy with
    // the process, where it got to.
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGINT");
    expect(await ended).toEqual({
      code: null,
      signal: "SIGINT",
      stdout: "",
      stderr: `neslink: SIGINT: ${name} is partly destroyed; "neslink destroy ${name}" finishes it.\n`,
    });
    // What a killed apply also leaves (an empty entry; a link made in the host by an older version, with its marker).
    writeFileSync(`/run/netns/${name}-c`, "", { mode: 0o444 });
    spawnSync("ip", ["link", "add", `${name}h`, "type", "bridge"]);
    spawnSync("ip", ["link", "set", `${name}h`, "alias", `neslink:${name}:a:eth9`]);

    const again = neslink(...(output === "json" ? ["--json"] : []), "destroy", name, "--yes");
    expect(again.status).toBe(0);
    // It said "No node of lab ... is running: no namespace removed." while it ended the program and removed the rest.
    if (output === "text")
      expect(again.stdout).toMatch(
        new RegExp(
          `^  - left over: namespace ${name}-a \\(node a\\), unmounted already: [1-9]\\d* process(es)? inside ended\n` +
            `  - left over: empty entry /run/netns/${name}-c removed\n` +
            `  - left over: host link ${name}h removed\n` +
            "  - left over: the lab's record and program logs removed\n" +
            `Destroyed ${name}: 0 nodes removed, 4 leftovers cleaned up in \\d+ ms\\.\n$`,
        ),
      );
    else
      expect(JSON.parse(again.stdout)).toEqual({
        topology: name,
        removed: [],
        leftovers: {
          namespaces: [{ node: "a", netns: `${name}-a`, processes: expect.any(Number) }],
          entries: [{ netns: `${name}-c` }],
          links: [{ dev: `${name}h` }],
          record: true,
          programs: [],
        },
        linksLeft: [],
        ms: expect.any(Number),
      });
    expect(netnsList(`${name}-`)).toEqual([]);
    expect(existsSync(`/run/netns/${name}-c`)).toBe(false);
    expect(spawnSync("ip", ["link", "show", `${name}h`]).status).not.toBe(0);
    expect(neslink("inspect", name).status).toBe(1);
    // The program that outlived the interrupted destroy's SIGTERM is ended by the second one.
    expect(spawnSync("pgrep", ["-f", termed]).status).toBe(1);
    // Nothing is left: a third destroy says so, as before.
    expect(neslink("destroy", name, "--yes").stdout).toBe(`No node of lab ${name} is running: no namespace removed.\n`);
  },
  60_000,
);

/** The pids of node a's program `idle` (its cgroup leaf's, not its log relay's). */
const inLabCgroup = (name: string) =>
  readdirSync("/proc").filter((pid) => {
    try {
      return (
        /^\d+$/.test(pid) &&
        new RegExp(`::/neslink/${name}/node-a/program-idle/(?!log$)`, "m").test(readFileSync(`/proc/${pid}/cgroup`, "utf8"))
      );
    } catch {
      return false; // gone since the listing
    }
  });

/** Whether `pid` runs (not a zombie its parent has yet to reap). */
function running(pid: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}

it.each(["text", "json"] as const)(
  "a program ended through the lab's cgroup alone (its node deleted by hand, the lab's record lost) is said to be (%s)",
  (output) => {
    const name = `${lab}p${output[0]}`;
    const file = `${dir}/program-${output}.yaml`;
    writeFileSync(file, `name: ${name}\nnodes:\n  a: { processes: [{ name: idle, command: [sleep, "1000"] }] }\n`);
    expect(neslink("apply", file, "--yes").status).toBe(0);
    const program = inLabCgroup(name);
    expect(program).toHaveLength(1);
    spawnSync("ip", ["netns", "del", `${name}-a`]);
    rmSync(`/run/neslink/topologies/${name}/.ns-record.json`);
    const destroyed = neslink(...(output === "json" ? ["--json"] : []), "destroy", name, "--yes");
    expect(destroyed.status).toBe(0);
    // It said only that the record was removed: the program it ended was not mentioned.
    if (output === "text")
      expect(destroyed.stdout).toMatch(
        new RegExp(
          "^  - left over: program idle of node a, in no namespace of the lab: 1 process ended\n" +
            "  - left over: the lab's record and program logs removed\n" +
            `Destroyed ${name}: 0 nodes removed, 2 leftovers cleaned up in \\d+ ms\\.\n$`,
        ),
      );
    else
      expect(JSON.parse(destroyed.stdout).leftovers).toEqual({
        namespaces: [],
        entries: [],
        links: [],
        record: true,
        programs: [{ node: "a", program: "idle", processes: 1 }],
      });
    expect(program.filter(running)).toEqual([]);
  },
  60_000,
);
