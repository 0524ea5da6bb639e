/**
 * destroy, inspect and graph take FILE|NAME: a file (or FIFO) in the current directory named as a lab on the machine
 * is both. Taken for the file, `destroy demo` destroyed whatever lab that file was of and left the lab demo running;
 * now it is a usage error that names both and says how to pick, and changes nothing. A file of that same lab is
 * taken, as either reading gives the same lab. The built bin, on the real kernel.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { startedOn, writeTo } from "./fifo-run.js";
import { BIN } from "./run.js";

const prefix = uniquePrefix("fn");
const named = `${prefix}a`;
const other = `${prefix}b`;
const dir = mkdtempSync(join(tmpdir(), "neslink-file-or-name-"));

const labText = (name: string) => `name: ${name}\nnodes:\n  h1: {}\n`;

/** The built bin run in `dir`, as a user there would: by itself, or through the agent at `agent`. */
function neslinkHere(...args: string[]) {
  return neslinkIn({}, ...args);
}

function neslinkIn({ agent = "" }: { agent?: string }, ...args: string[]) {
  const env = { ...process.env, NESLINK_AGENT: agent };
  try {
    return {
      status: 0,
      stdout: execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: "utf8", stdio: "pipe" }),
      stderr: "",
    };
  } catch (err) {
    const { status, stdout, stderr } = err as { status: number; stdout: string; stderr: string };
    return { status, stdout, stderr };
  }
}

/** Whether the lab's node h1 runs: its namespace there, with its links, as iproute2 sees it. */
function runs(lab: string): boolean {
  try {
    return ipJson("-n", `${lab}-h1`, "link", "show").some((l) => l.ifname === "lo");
  } catch {
    return false;
  }
}

beforeEach(() => {
  for (const lab of [named, other]) {
    writeFileSync(join(dir, `${lab}.yaml`), labText(lab));
    expect(neslinkHere("apply", `${lab}.yaml`, "--yes").status).toBe(0);
  }
  expect([runs(named), runs(other)]).toEqual([true, true]);
});

afterEach(() => {
  cleanup(prefix);
  rmSync(join(dir, named), { force: true });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ambiguity = (command: string, what: string, of: string) =>
  `neslink: ERR_INVALID_ARGUMENT: FILE|NAME: ${named} is both ${what} in the current directory, ${of}, and the name of a lab ` +
  `on this machine: give ./${named} for the file, or run the command from another directory for the lab; nothing was changed\n` +
  `Run "neslink ${command} --help" for usage.\n`;

describe("a file named as a lab on the machine, of another lab", () => {
  it.each([["destroy", "--yes"], ["inspect"], ["graph"]])(
    "%s NAME: a usage error naming both, and both labs left running",
    (command, ...rest) => {
      writeFileSync(join(dir, named), labText(other));
      const r = neslinkHere(command, named, ...rest);
      expect(r).toEqual({ status: 2, stdout: "", stderr: ambiguity(command, "a file", `of lab ${other}`) });
      expect([runs(named), runs(other)]).toEqual([true, true]);
    },
  );

  it("one that cannot be loaded as a lab is as ambiguous: said so, with why", () => {
    writeFileSync(join(dir, named), "nodes: {}\n");
    const r = neslinkHere("destroy", named, "--yes");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${named} is both a file in the current directory, which could not be loaded as a lab (`);
    expect([runs(named), runs(other)]).toEqual([true, true]);
  });

  it("./NAME is the file: its lab is destroyed, the lab of that name left", () => {
    writeFileSync(join(dir, named), labText(other));
    const r = neslinkHere("destroy", `./${named}`, "--yes");
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect([runs(named), runs(other)]).toEqual([true, false]);
  });

  it("a FIFO so named, written another lab: a usage error too, once read", async () => {
    const fifo = join(dir, named);
    execFileSync("mkfifo", [fifo]);
    const run = await startedOn(fifo, ["destroy", named, "--yes"], { cwd: dir });
    try {
      writeTo(fifo, labText(other));
      expect({ ...(await run.ended), out: run.out(), err: run.err() }).toEqual({
        code: 2,
        signal: null,
        out: "",
        err: ambiguity("destroy", "a FIFO", `of lab ${other}`),
      });
      expect([runs(named), runs(other)]).toEqual([true, true]);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});

describe("a file named as a lab on the machine, of that same lab", () => {
  it("is taken: either reading is the same lab", () => {
    writeFileSync(join(dir, named), labText(named));
    const r = neslinkHere("destroy", named, "--yes");
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect([runs(named), runs(other)]).toEqual([false, true]);
  });
});

describe("through the agent", () => {
  it("the client's directory is the one looked in: the same usage error, both labs left running", async () => {
    const socket = join(dir, "agent.sock");
    const agent = spawn(process.execPath, [BIN, "agent", "--socket", socket], { cwd: "/", stdio: ["ignore", "ignore", "pipe"] });
    let said = "";
    agent.stderr.on("data", (d) => (said += d));
    try {
      while (!said.includes("listening on") && agent.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      expect(said).toContain("listening on");
      writeFileSync(join(dir, named), labText(other));
      // The agent runs in /: a file looked for there, none found, would have the lab destroyed by its name.
      const r = neslinkIn({ agent: socket }, "destroy", named, "--yes");
      expect(r).toEqual({ status: 2, stdout: "", stderr: ambiguity("destroy", "a file", `of lab ${other}`) });
      expect([runs(named), runs(other)]).toEqual([true, true]);
    } finally {
      agent.kill("SIGKILL");
    }
  });
});
