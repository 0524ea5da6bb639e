/**
 * Ctrl-C during an `apply` line of `neslink shell` at a terminal (tmux: a real pty) stops that apply as a one-shot
 * apply is stopped, its words said, and the session goes on at its prompt, as after exec's program or monitor: it
 * killed the whole session, which died of SIGINT.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { starLab } from "./star-lab.js";
import { BIN, neslink } from "./run.js";
import { tmuxServer } from "./tmux.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-shell-intr-`);
const lab = uniquePrefix("k");
const { tmux, screenWhen, kill } = tmuxServer(lab);
const HOSTS = 40;

afterAll(() => {
  kill();
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** The lab's file: a star of HOSTS hosts. */
const star = () => starLab(`${dir}/lab.yaml`, lab, HOSTS, 63);

/** Entries of the lab under /run/netns with no namespace mounted on them. */
function unmounted(): string[] {
  const mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  return netnsList(`${lab}-`).filter((entry) => !mountinfo.includes(` /run/netns/${entry} `));
}

it("Ctrl-C during an apply line: the apply stops, partly applied and said so, and the prompt comes back", async () => {
  const file = star();
  // As at an interactive shell: the Ctrl-C goes to the whole foreground group, and the outer shell lives on to say how it ended.
  const command = [process.execPath, BIN, "shell"].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", "s", "-x", "160", "-y", "50", `trap : INT; ${command}; echo "EXIT=$?"; sleep 60`);
  await screenWhen("s", (s) => s.includes("neslink>"));
  tmux("send-keys", "-t", "s", `apply ${file} --yes`, "Enter");
  // Changes have begun once the lab's first namespace is there.
  while (netnsList(`${lab}-`).length === 0) await new Promise((r) => setTimeout(r, 2));
  tmux("send-keys", "-t", "s", "C-c");
  // The plan shown scrolls the first prompt away: the prompt again is the screen's last line.
  const screen = await screenWhen("s", (s) => s.trimEnd().endsWith("neslink>") || s.includes("EXIT="));
  expect(screen).toMatch(
    new RegExp(
      `neslink: SIGINT: ${lab} is partly applied \\(\\d+ changes? made, \\d+ not attempted\\); "neslink apply ${file}" finishes it`,
    ),
  );
  expect(screen).not.toContain("EXIT=");
  expect(unmounted()).toEqual([]);
  expect(neslink("plan", file, "--detailed-exitcode").status).toBe(4);
  // The session goes on: a line typed now runs.
  tmux("send-keys", "-t", "s", `destroy ${lab} --yes`, "Enter");
  await screenWhen("s", (s) => s.includes(`Destroyed ${lab}:`));
  tmux("send-keys", "-t", "s", "C-d");
  expect(await screenWhen("s", (s) => s.includes("EXIT="))).toContain("EXIT=0");
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 90_000);
