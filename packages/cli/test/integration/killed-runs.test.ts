/**
 * apply and destroy killed with SIGKILL (or interrupted) at a chosen system call (strace's
 * fault injection: the same point every run), then `destroy NAME`, without
 * the file: nothing of the lab may be left, whatever `netns` its nodes gave.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, netnsList, uniquePrefix, until } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";

const prefix = uniquePrefix("kr");
const dir = mkdtempSync(`${tmpdir()}/neslink-kr-`);
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** The bin run with `args`, sent `signal` (as strace names it: KILL, INT) as it enters its first `call` system call, in whichever thread. */
function signalledAt(signal: string, call: string, ...args: string[]) {
  return spawnSync(
    "strace",
    ["-f", "-o", "/dev/null", "-e", `trace=${call}`, "-e", `inject=${call}:signal=${signal}:when=1`, process.execPath, BIN, ...args],
    {
      encoding: "utf8",
    },
  );
}

/** The bin run with `args`, killed (SIGKILL) as it enters its first `call` system call, in whichever thread. */
function killedAt(call: string, ...args: string[]) {
  const r = signalledAt("KILL", call, ...args);
  return r.signal ?? r.status;
}

/** An entry of the mount dir with no namespace on it: what a kill between an entry's making and its mount (or an unmount and the unlink) leaves. */
const isEmptyEntry = (name: string) =>
  existsSync(`/run/netns/${name}`) &&
  !readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((l) => l.split(" ")[4] === `/run/netns/${name}`);

function labFile(lab: string, text: string): string {
  const file = `${dir}/${lab}.yaml`;
  writeFileSync(file, `name: ${lab}\n${text}`);
  return file;
}

/** What the lab leaves in /run: its lock file and its directory (records, logs). */
const labFiles = (lab: string) => [`${lab}.lock`, lab].filter((f) => existsSync(`/run/neslink/topologies/${f}`));

// Each lab's nodes take namespaces named apart from the lab (`<prefix>n-...`, not `<lab>-<node>`): destroy by name
// cannot guess them from its name.
describe("destroy NAME after a killed run, for nodes with a netns of their own", () => {
  it("an apply killed as it makes a node's namespace (its entry made, nothing mounted on it): the empty entry goes", () => {
    const lab = `${prefix}a`;
    const file = labFile(lab, `nodes:\n  a: { netns: ${prefix}n-a }\n`);
    // unshare(CLONE_NEWNET) comes after the entry's claim, before the mount.
    expect(killedAt("unshare", "apply", "--yes", file)).toBe("SIGKILL");
    expect(isEmptyEntry(`${prefix}n-a`)).toBe(true);
    const r = neslink("destroy", "--yes", lab);
    expect(r.status, r.stderr).toBe(0);
    expect(netnsList(`${prefix}n-`)).toEqual([]);
    expect(labFiles(lab)).toEqual([]);
    // The name is free again, for iproute2 too.
    expect(spawnSync("ip", ["netns", "add", `${prefix}n-a`]).status).toBe(0);
    expect(spawnSync("ip", ["netns", "del", `${prefix}n-a`]).status).toBe(0);
  });

  it("an apply killed as it makes a node's namespace, the node then removed from the file: the next apply removes the empty entry", () => {
    const lab = `${prefix}g`;
    const file = labFile(lab, `nodes:\n  a: { netns: ${prefix}n-ga }\n`);
    expect(killedAt("unshare", "apply", "--yes", file)).toBe("SIGKILL");
    expect(isEmptyEntry(`${prefix}n-ga`)).toBe(true);
    labFile(lab, `nodes:\n  b: { netns: ${prefix}n-gb }\n`);
    const r = neslink("apply", "--yes", file);
    expect(r.status, r.stderr).toBe(0);
    expect(netnsList(`${prefix}n-g`)).toEqual([`${prefix}n-gb`]);
    expect(neslink("destroy", "--yes", lab).status).toBe(0);
    expect(netnsList(`${prefix}n-g`)).toEqual([]);
  });

  it("an apply removing a node gone from the file, killed between its namespace's unmount and its entry's unlink", () => {
    const lab = `${prefix}r`;
    const file = labFile(lab, `nodes:\n  a: { netns: ${prefix}n-ra }\n  b: { netns: ${prefix}n-rb }\n`);
    expect(neslink("apply", "--yes", file).status).toBe(0);
    labFile(lab, `nodes:\n  b: { netns: ${prefix}n-rb }\n`);
    expect(killedAt("unlink", "apply", "--yes", file)).toBe("SIGKILL");
    expect(isEmptyEntry(`${prefix}n-ra`)).toBe(true);
    const r = neslink("destroy", "--yes", lab);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`  - b (namespace ${prefix}n-rb)\n`);
    expect(netnsList(`${prefix}n-r`)).toEqual([]);
    expect(labFiles(lab)).toEqual([]);
  });

  it("a destroy killed between a namespace's unmount and its entry's unlink: destroy again removes the entry", () => {
    const lab = `${prefix}d`;
    const file = labFile(lab, `nodes:\n  a: { netns: ${prefix}n-da }\n`);
    expect(neslink("apply", "--yes", file).status).toBe(0);
    expect(killedAt("unlink", "destroy", "--yes", lab)).toBe("SIGKILL");
    expect(isEmptyEntry(`${prefix}n-da`)).toBe(true);
    const r = neslink("destroy", "--yes", lab);
    expect(r.status, r.stderr).toBe(0);
    expect(netnsList(`${prefix}n-d`)).toEqual([]);
    expect(labFiles(lab)).toEqual([]);
  });
});

describe("destroy NAME after a destroy killed once it had unmounted the lab's namespaces", () => {
  it("ends what still runs in them (here a process started in a node by hand, in no cgroup of the lab's), which kept them alive", async () => {
    const lab = `${prefix}p`;
    const file = labFile(lab, "nodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a:e0, b:e0]\n");
    expect(neslink("apply", "--yes", file).status).toBe(0);
    const inside = spawn("ip", ["netns", "exec", `${lab}-a`, "sleep", "300"], { stdio: "ignore" });
    try {
      expect(await until(() => spawnSync("ip", ["netns", "pids", `${lab}-a`], { encoding: "utf8" }).stdout !== "", FAIL_AFTER_MS)).toBe(
        true,
      );
      // Its first kill(2) is the SIGTERM to the processes inside, which comes once every namespace is unmounted.
      expect(killedAt("kill", "destroy", "--yes", lab)).toBe("SIGKILL");
      expect(netnsList(lab)).toEqual([]);
      expect(inside.exitCode).toBe(null);
      const r = neslink("destroy", "--yes", lab);
      expect(r.status, r.stderr).toBe(0);
      expect(await until(() => inside.exitCode !== null || inside.signalCode !== null, FAIL_AFTER_MS)).toBe(true);
      expect(labFiles(lab)).toEqual([]);
    } finally {
      inside.kill("SIGKILL");
    }
  });
});

describe("apply and destroy interrupted (SIGINT) as they take the lab's lock, before any change", () => {
  // The lab's lock is the first flock(2) either makes: the signal comes with it held, while the lab is read.
  it.each([
    ["apply", "applied"],
    ["destroy", "destroyed"],
  ] as const)("%s says nothing was changed, and leaves no lock file behind", (command, verb) => {
    const lab = `${prefix}i${command[0]}`;
    const file = labFile(lab, "nodes:\n  a: {}\n  b: {}\nlinks:\n  - endpoints: [a:eth0, b:eth0]\n");
    const r = signalledAt("INT", "flock", command, "--yes", command === "apply" ? file : lab);
    expect(r.stderr).toContain(`neslink: SIGINT: ${lab} was not ${verb}; nothing was changed.\n`);
    expect(r.signal).toBe("SIGINT");
    expect(netnsList(lab)).toEqual([]);
    // Said at once, the process ended of the signal while core still held the lock: its file stayed, and a destroy
    // at a terminal then asked to confirm destroying a lab that had nothing.
    expect(labFiles(lab)).toEqual([]);
  });
});
