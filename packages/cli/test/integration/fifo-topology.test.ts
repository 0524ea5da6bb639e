/**
 * A FIFO given as the topology file (`mkfifo f; gen-lab > f & neslink plan f`), to the built bin: waited on for its
 * writer as `cat f` would, not refused because nothing had been written yet when neslink looked; Ctrl-C during the
 * wait says, for apply and destroy, that nothing was changed.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, existsSync, mkdtempSync, openSync, readlinkSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN } from "./run.js";

const lab = uniquePrefix("ff");
const dir = mkdtempSync(join(tmpdir(), "neslink-fifo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether process `pid` has `path` open (its /proc fd links), or it has gone. */
const holds = (pid: number, path: string) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return true;
  }
};

describe("a FIFO as the topology file", () => {
  it("is read once its writer comes, after neslink has opened it", async () => {
    const fifo = join(dir, "lab.yaml");
    execFileSync("mkfifo", [fifo]);
    const child = spawn(process.execPath, [BIN, "plan", fifo], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      // The writer comes only once neslink has the FIFO open (or neslink has ended): the case that was refused.
      while (!holds(child.pid as number, fifo) && child.exitCode === null) await new Promise((r) => setImmediate(r));
      let writer: number | undefined;
      try {
        // Non-blocking: with no reader left (neslink gone), ENXIO rather than a test that hangs.
        writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        writeSync(writer, `name: ${lab}\nnodes:\n  h1: {}\n`);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe("ENXIO");
      } finally {
        if (writer !== undefined) closeSync(writer);
      }
      const code = await exited;
      expect({ code, err, planned: out.includes(`+ netns ${lab}-h1 (node h1)`) }).toEqual({ code: 0, err: "", planned: true });
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("a FIFO named without a slash or a dot (destroy, inspect, graph take FILE|NAME)", () => {
  it("is the file, not a lab's name", async () => {
    const fifo = join(dir, "labfifo");
    execFileSync("mkfifo", [fifo]);
    const child = spawn(process.execPath, [BIN, "destroy", "labfifo", "--yes"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      while (!holds(child.pid as number, fifo) && child.exitCode === null) await new Promise((r) => setImmediate(r));
      // Written only if neslink opened it: taken for a name, it never would (a blocking open would wait forever).
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(writer, `name: ${lab}x\nnodes:\n  h1: {}\n`);
      closeSync(writer);
      expect(await exited).toBe(0);
      expect(out).toBe(`No node of lab ${lab}x is running: no namespace removed.\n`);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

/** What each command says when Ctrl-C ends its wait for the FIFO's writer: inspect and graph only read, and say nothing, as `ip` would. */
const saidOf: Record<string, ((fifo: string) => string) | undefined> = {
  apply: (fifo) => `${fifo} was not applied; nothing was changed.`,
  destroy: (fifo) => `${fifo} was not destroyed; nothing was changed.`,
  // It said nothing: a script could not tell an interrupted plan from one with nothing to say.
  plan: (fifo) => `no plan of ${fifo} was made; nothing was changed.`,
};

describe("Ctrl-C while a lab's command waits for the FIFO's writer", () => {
  it.each(["apply", "destroy", "apply --json", "plan", "plan --json", "inspect", "graph", "inspect --json"])(
    "%s: says nothing was changed (inspect, graph: nothing), and dies of it",
    async (command) => {
      const args = command.split(" ");
      const fifo = join(dir, `wait-${args.join("")}.yaml`);
      execFileSync("mkfifo", [fifo]);
      const yes = args[0] === "apply" || args[0] === "destroy" ? ["--yes"] : [];
      const child = spawn(process.execPath, [BIN, ...args, fifo, ...yes], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on("close", (code, sig) => resolve([code, sig])),
      );
      try {
        while (!holds(child.pid as number, fifo) && child.exitCode === null) await new Promise((r) => setImmediate(r));
        child.kill("SIGINT");
        expect(await exited).toEqual([null, "SIGINT"]);
        const words = saidOf[args[0] as string]?.(fifo);
        const said = `SIGINT: ${words}`;
        if (words === undefined) {
          expect({ out, err }).toEqual({ out: "", err: "" });
        } else if (args.includes("--json")) {
          expect(err).toBe("");
          const { error } = JSON.parse(out);
          expect({ code: error.code, message: error.message, cause: error.cause }).toEqual({
            code: "ERR_ABORTED",
            message: said,
            cause: undefined,
          });
        } else {
          expect({ out, err }).toEqual({ out: "", err: `neslink: ${said}\n` });
        }
      } finally {
        child.kill("SIGKILL");
      }
    },
  );
});

describe("through the agent", () => {
  it("Ctrl-C at the client while the agent waits on the FIFO: the agent lets the FIFO go (it read the next writer's lab)", async () => {
    const socket = join(dir, "agent.sock");
    const agent = spawn(process.execPath, [BIN, "agent", "--socket", socket], { stdio: "ignore" });
    try {
      while (!existsSync(socket)) await new Promise((r) => setTimeout(r, 20));
      const fifo = join(dir, "agent.yaml");
      execFileSync("mkfifo", [fifo]);
      const client = spawn(process.execPath, [BIN, "apply", fifo, "--yes"], {
        env: { ...process.env, NESLINK_AGENT: socket },
        stdio: "ignore",
      });
      const exited = new Promise((resolve) => client.on("close", resolve));
      while (!holds(agent.pid as number, fifo)) await new Promise((r) => setTimeout(r, 10));
      client.kill("SIGINT");
      await exited;
      let held = true;
      for (let i = 0; i < 500 && held; i++) {
        held = holds(agent.pid as number, fifo);
        if (held) await new Promise((r) => setTimeout(r, 20));
      }
      expect(held).toBe(false);
    } finally {
      agent.kill("SIGKILL");
    }
  });
});
