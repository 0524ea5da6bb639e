/**
 * A FIFO given as the topology file (`mkfifo f; gen-lab > f & neslink plan f`), to the built bin: waited on for its
 * writer as `cat f` would, not refused because nothing had been written yet when neslink looked; Ctrl-C during the
 * wait says, for apply and destroy, that nothing was changed; a writer that writes nothing gives an empty file (exit
 * 3, as an empty stdin); the FIFO's name given to a regular file meanwhile is said as such, at once.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";
import { holds, startedOn, writeTo } from "./fifo-run.js";
import { BIN, neslinkWith } from "./run.js";

const lab = uniquePrefix("ff");
const dir = mkdtempSync(join(tmpdir(), "neslink-fifo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  return path;
}

describe("a FIFO as the topology file", () => {
  it("is read once its writer comes, after neslink has opened it", async () => {
    const path = fifo("lab.yaml");
    const run = await startedOn(path, ["plan", path]);
    try {
      // The writer comes only once neslink has the FIFO open: the case that was refused.
      writeTo(path, `name: ${lab}\nnodes:\n  h1: {}\n`);
      const { code } = await run.ended;
      expect({ code, err: run.err(), planned: run.out().includes(`+ netns ${lab}-h1 (node h1)`) }).toEqual({
        code: 0,
        err: "",
        planned: true,
      });
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("whose writer writes nothing: an empty file, exit 3, as an empty standard input", async () => {
    const path = fifo("empty.yaml");
    const run = await startedOn(path, ["plan", path]);
    try {
      writeTo(path, "");
      const empty = "(file): is empty (nothing but blanks and comments): a topology needs name and nodes";
      expect({ ...(await run.ended), err: run.err() }).toEqual({
        code: 3,
        signal: null,
        err: `neslink: ERR_TOPOLOGY_INVALID: 1 problem in ${path}:\n  ${path}: ${empty}\n`,
      });
      expect(neslinkWith("", "plan", "-")).toMatchObject({
        status: 3,
        stderr: `neslink: ERR_TOPOLOGY_INVALID: 1 problem in -:\n  -: ${empty}\n`,
      });
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it.each([
    [
      "replaced by a regular file",
      (path: string) => {
        // As an editor's save, or `gen-lab > f` after `rm f`: the writer's bytes go to the new file.
        writeFileSync(`${path}.new`, `name: ${lab}\nnodes:\n  h1: {}\n`);
        renameSync(`${path}.new`, path);
      },
    ],
    ["removed", (path: string) => rmSync(path)],
  ])(
    "%s while neslink waits for its writer: said so at once (exit 2), not after a minute as a FIFO nothing was written to",
    async (what, change) => {
      const path = fifo(`gone-${what.length}.yaml`);
      const run = await startedOn(path, ["plan", path]);
      try {
        change(path);
        expect({ ...(await run.ended), out: run.out(), err: run.err() }).toEqual({
          code: 2,
          signal: null,
          out: "",
          err:
            `neslink: ERR_INVALID_ARGUMENT: FILE: ${path} was ${what} while neslink waited for the FIFO's writer, before anything ` +
            `was written to it: run the command again\nRun "neslink plan --help" for usage.\n`,
        });
      } finally {
        run.child.kill("SIGKILL");
      }
    },
  );
});

describe("a FIFO named without a slash or a dot (destroy, inspect, graph take FILE|NAME)", () => {
  it("is the file, not a lab's name", async () => {
    const path = fifo("labfifo");
    const run = await startedOn(path, ["destroy", "labfifo", "--yes"], { cwd: dir });
    try {
      // Written only if neslink opened it: taken for a name, it never would (a blocking open would wait forever).
      writeTo(path, `name: ${lab}x\nnodes:\n  h1: {}\n`);
      expect((await run.ended).code).toBe(0);
      expect(run.out()).toBe(`No node of lab ${lab}x is running: no namespace removed.\n`);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});

/** What each command says when Ctrl-C ends its wait for the FIFO's writer: inspect and graph only read, and say nothing, as `ip` would. */
// The lab in the FIFO, not read yet: the FIFO's path was said as if it were the lab ("/tmp/x/f.yaml was not destroyed").
const saidOf: Record<string, ((fifo: string) => string) | undefined> = {
  apply: (fifo) => `the lab in ${fifo} was not applied; nothing was changed.`,
  destroy: (fifo) => `the lab in ${fifo} was not destroyed; nothing was changed.`,
  // It said nothing: a script could not tell an interrupted plan from one with nothing to say.
  plan: (fifo) => `no plan of the lab in ${fifo} was made; nothing was changed.`,
};

describe("Ctrl-C while a lab's command waits for the FIFO's writer", () => {
  it.each(["apply", "destroy", "apply --json", "plan", "plan --json", "inspect", "graph", "inspect --json"])(
    "%s: says nothing was changed (inspect, graph: nothing), and dies of it",
    async (command) => {
      const args = command.split(" ");
      const path = fifo(`wait-${args.join("")}.yaml`);
      const yes = args[0] === "apply" || args[0] === "destroy" ? ["--yes"] : [];
      const run = await startedOn(path, [...args, path, ...yes]);
      try {
        run.child.kill("SIGINT");
        expect(await run.ended).toEqual({ code: null, signal: "SIGINT" });
        const words = saidOf[args[0] as string]?.(path);
        const said = `SIGINT: ${words}`;
        if (words === undefined) {
          expect({ out: run.out(), err: run.err() }).toEqual({ out: "", err: "" });
        } else if (args.includes("--json")) {
          expect(run.err()).toBe("");
          const { error } = JSON.parse(run.out());
          expect({ code: error.code, message: error.message, cause: error.cause }).toEqual({
            code: "ERR_ABORTED",
            message: said,
            cause: undefined,
          });
        } else {
          expect({ out: run.out(), err: run.err() }).toEqual({ out: "", err: `neslink: ${said}\n` });
        }
      } finally {
        run.child.kill("SIGKILL");
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
      const path = fifo("agent.yaml");
      const client = await startedOn(path, ["apply", path, "--yes"], {
        env: { ...process.env, NESLINK_AGENT: socket },
        holder: agent.pid as number,
      });
      try {
        expect(holds(agent.pid as number, path)).toBe(true);
        client.child.kill("SIGINT");
        await client.ended;
        let held = true;
        for (let i = 0; i < 500 && held; i++) {
          held = holds(agent.pid as number, path);
          if (held) await new Promise((r) => setTimeout(r, 20));
        }
        expect(held).toBe(false);
      } finally {
        client.child.kill("SIGKILL");
      }
    } finally {
      agent.kill("SIGKILL");
    }
  });
});
