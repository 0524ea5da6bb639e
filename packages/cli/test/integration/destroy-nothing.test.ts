/**
 * `destroy NAME` at a terminal, for a lab this machine has nothing of (a
 * mistyped name): there is nothing to confirm, so nothing is asked; it says
 * so as off a terminal, and exits 0 as destroy (idempotent) does.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix, until } from "../../../core/test/integration/kernel.js";
import { runs } from "../../../core/test/processes.js";
import { exampleAs } from "./example.js";
import { BIN, neslink } from "./run.js";
import { tmuxServer } from "./tmux.js";

const lab = uniquePrefix("dn");
const dir = mkdtempSync(`${tmpdir()}/neslink-destroy-nothing-`);
const { tmux, screenWhen, kill } = tmuxServer(lab);

afterAll(() => {
  kill();
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** `neslink ARGS` at a terminal of its own (tmux), its screen once it has exited. */
async function atTerminal(session: string, ...args: string[]): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "20", `${command}; echo "EXIT=$?"; sleep 60`);
  return screenWhen(session, (s) => s.includes("EXIT=") || s.includes("[y/N]"));
}

describe("destroy at a terminal, of a lab that is not there", () => {
  it("NAME or FILE: asks nothing, says no node of it is running, exits 0", async () => {
    const name = await atTerminal("name", "destroy", lab);
    expect(name).not.toContain("[y/N]");
    expect(name).toContain(`No node of lab ${lab} is running: no namespace removed.`);
    expect(name).toContain("EXIT=0");
    // A file's lab that was never applied: as its name.
    const file = await atTerminal("file", "destroy", exampleAs("router.yaml", lab, `${dir}/lab.yaml`));
    expect(file).not.toContain("[y/N]");
    expect(file).toContain(`No node of lab ${lab} is running: no namespace removed.`);
    expect(file).toContain("EXIT=0");
  });

  it("a lab of which only a lock file no one holds is left (an apply killed before its first change): asks nothing", async () => {
    const locked = `${lab}l`;
    writeFileSync(`/run/neslink/topologies/${locked}.lock`, "");
    // It asked "Destroy lab ... and everything it owns?" of a lab with nothing.
    const screen = await atTerminal("lockfile", "destroy", locked);
    expect(screen).not.toContain("[y/N]");
    expect(screen).toContain(`No node of lab ${locked} is running: no namespace removed.`);
    expect(screen).toContain("EXIT=0");
    expect(existsSync(`/run/neslink/topologies/${locked}.lock`)).toBe(false);
  });

  it("a lab that is there is still asked about (no, and nothing is changed)", async () => {
    const file = exampleAs("router.yaml", lab, `${dir}/lab.yaml`);
    expect(neslink("apply", file, "--yes").status).toBe(0);
    const screen = await atTerminal("there", "destroy", lab);
    expect(screen).toContain(`Destroy lab ${lab} and everything it owns? [y/N]`);
    tmux("send-keys", "-t", "there", "n", "Enter");
    expect(await screenWhen("there", (s) => s.includes("EXIT="))).toContain("Not destroyed; nothing was changed.");
    expect(neslink("--json", "inspect", lab).status).toBe(0);
    expect(neslink("destroy", lab, "--yes").status).toBe(0);
  });

  it("a lab of which only programs are left (nodes deleted by hand, record lost) is asked about before they are ended", async () => {
    const left = `${lab}p`;
    writeFileSync(`${dir}/programs.yaml`, `name: ${left}\nnodes:\n  a: { processes: [[sleep, "1000"]] }\n  b: {}\n`);
    expect(neslink("apply", `${dir}/programs.yaml`, "--yes").status).toBe(0);
    try {
      expect(await until(() => ip("netns", "pids", `${left}-a`).trim() !== "", 10_000)).toBe(true);
      const pids = ip("netns", "pids", `${left}-a`).split("\n").filter(Boolean).map(Number);
      ip("netns", "del", `${left}-a`);
      ip("netns", "del", `${left}-b`);
      rmSync(`/run/neslink/topologies/${left}.lock`, { force: true });
      rmSync(`/run/neslink/topologies/${left}`, { recursive: true, force: true });
      const screen = await atTerminal("programs", "destroy", left);
      expect(screen).toContain(`Destroy lab ${left} and everything it owns? [y/N]`);
      tmux("send-keys", "-t", "programs", "n", "Enter");
      expect(await screenWhen("programs", (s) => s.includes("EXIT="))).toContain("Not destroyed; nothing was changed.");
      for (const pid of pids) expect(runs(pid)).toBe(true);
    } finally {
      expect(neslink("destroy", left, "--yes").status).toBe(0);
    }
  });
});
