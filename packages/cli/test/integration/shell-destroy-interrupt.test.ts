/**
 * Ctrl-C during a `destroy` line of `neslink shell` at a terminal (tmux: a real pty): the line said the lab was
 * "partly destroyed", but the destroy ran on to its end behind the prompt (only a one-shot destroy died of the signal).
 * Now it stops once the deletions in flight have ended, and what it says is what `ip netns` shows: part of the lab
 * left, each of its entries mounted, and a second destroy finishes it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslink } from "./run.js";
import { starLab } from "./star-lab.js";
import { tmuxServer } from "./tmux.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-shell-destroy-`);
const lab = uniquePrefix("zi2s");
const { tmux, screenWhen, kill } = tmuxServer(lab);
const HOSTS = 60;

afterAll(() => {
  kill();
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** Entries of the lab under /run/netns with no namespace mounted on them. */
function unmounted(): string[] {
  const mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  return netnsList(`${lab}-`).filter((entry) => !mountinfo.includes(` /run/netns/${entry} `));
}

it("Ctrl-C during a destroy line: the destroy stops, partly destroyed as said, and a second one finishes it", async () => {
  const file = starLab(`${dir}/lab.yaml`, lab, HOSTS, 61);
  expect(neslink("apply", file, "--yes").status).toBe(0);
  expect(netnsList(`${lab}-`)).toHaveLength(HOSTS + 1);
  const command = [process.execPath, BIN, "shell"].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", "s", "-x", "200", "-y", "50", `trap : INT; ${command}; echo "EXIT=$?"; sleep 60`);
  await screenWhen("s", (s) => s.includes("neslink>"));
  tmux("send-keys", "-t", "s", `destroy ${lab} --yes`, "Enter");
  // Changes have begun once a namespace of the lab is gone.
  while (netnsList(`${lab}-`).length === HOSTS + 1) await new Promise((r) => setTimeout(r, 2));
  tmux("send-keys", "-t", "s", "C-c");
  // The prompt again is the screen's last line.
  const screen = await screenWhen("s", (s) => s.trimEnd().endsWith("neslink>") || s.includes("EXIT="));
  expect(screen).toMatch(
    new RegExp(`neslink: SIGINT: ${lab} is partly destroyed \\(\\d+ namespaces? removed\\); "neslink destroy ${lab}" finishes it\\.`),
  );
  expect(screen).not.toContain(`Destroyed ${lab}`);
  expect(screen).not.toContain("EXIT=");
  // What it said is so: part of the lab is left, whole (each entry mounted, each namespace one ip enters).
  const left = netnsList(`${lab}-`);
  expect(left.length).toBeGreaterThan(0);
  expect(unmounted()).toEqual([]);
  for (const ns of left) expect(ipJson("-n", ns, "link", "show", "lo")).toHaveLength(1);
  // The session goes on, and destroy again finishes the job.
  tmux("send-keys", "-t", "s", `destroy ${lab} --yes`, "Enter");
  expect(await screenWhen("s", (s) => s.includes(`Destroyed ${lab}:`))).toContain(`Destroyed ${lab}: ${left.length} node`);
  tmux("send-keys", "-t", "s", "C-d");
  expect(await screenWhen("s", (s) => s.includes("EXIT="))).toContain("EXIT=0");
  expect(netnsList(`${lab}-`)).toEqual([]);
}, 120_000);
