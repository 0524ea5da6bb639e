/**
 * Ctrl-C during a `plan` line of `neslink shell` at a terminal (tmux: a real pty), as the plan reads the lab's
 * namespaces: it said no plan was made, then let the plan run to its end behind the words and dropped it. Now the plan
 * stops at once (core's plan takes the signal): the words, no plan, the prompt back, and the session goes on.
 */
import { readdirSync, readlinkSync, readFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";
import { tmuxServer } from "./tmux.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-shell-plan-`);
const lab = uniquePrefix("zi2q");
const { tmux, screenWhen, kill } = tmuxServer(lab);
const NODES = 300;

afterAll(() => {
  kill();
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** The threads of process `pid` that are inside a namespace whose inode is one of `inodes` now. */
function threadsIn(pid: number, inodes: ReadonlySet<string>): number {
  let found = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/task/${tid}/ns/net`))) found++;
      } catch {
        // Ended meanwhile.
      }
    }
  } catch {
    return 0;
  }
  return found;
}

it("Ctrl-C as a plan line reads the lab: no plan, said so, and the prompt comes back", async () => {
  const file = `${dir}/lab.yaml`;
  writeFileSync(file, `name: ${lab}\nnodes:\n${Array.from({ length: NODES }, (_, i) => `  n${i}: {}`).join("\n")}\n`);
  expect(neslink("apply", file, "--yes").status).toBe(0);
  const inodes = new Set(netnsList(`${lab}-`).map((e) => `net:[${statSync(`/run/netns/${e}`).ino}]`));
  expect(inodes.size).toBe(NODES);
  const command = [process.execPath, BIN, "shell"].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", "s", "-x", "200", "-y", "50", `trap : INT; ${command}; echo "EXIT=$?"; sleep 60`);
  await screenWhen("s", (s) => s.includes("neslink>"));
  // The shell's own process: the pane's sh runs it as its child.
  const sh = Number(tmux("list-panes", "-t", "s", "-F", "#{pane_pid}").trim());
  const pid = Number(readFileSync(`/proc/${sh}/task/${sh}/children`, "utf8").trim().split(" ")[0]);
  tmux("send-keys", "-t", "s", `plan ${file}`, "Enter");
  // Reading: a worker of its pool inside one of the lab's namespaces.
  while (threadsIn(pid, inodes) === 0) await new Promise((r) => setTimeout(r, 1));
  tmux("send-keys", "-t", "s", "C-c");
  const screen = await screenWhen("s", (s) => s.trimEnd().endsWith("neslink>") || s.includes("EXIT="));
  expect(screen).toContain(`neslink: SIGINT: no plan of ${lab} was made; nothing was changed.`);
  expect(screen).not.toContain("EXIT=");
  // No plan printed (the lab is as the file says: a plan would say so).
  const made = `${lab}: the kernel matches the file, nothing to do.`;
  expect(screen).not.toContain(made);
  // The session goes on: a plan typed now is made whole.
  tmux("send-keys", "-t", "s", `plan ${file}`, "Enter");
  await screenWhen("s", (s) => s.includes(made));
  tmux("send-keys", "-t", "s", "C-d");
  expect(await screenWhen("s", (s) => s.includes("EXIT="))).toContain("EXIT=0");
  expect(neslink("destroy", lab, "--yes").status).toBe(0);
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 120_000);
