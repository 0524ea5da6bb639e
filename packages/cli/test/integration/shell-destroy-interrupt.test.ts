/**
 * Ctrl-C during a `destroy` line of `neslink shell` at a terminal (tmux: a real pty), once its changes have begun:
 * the line said the lab was "partly destroyed" and that destroying it again finishes it, while core's destroy, which
 * runs on to its end once begun, went on behind the prompt to remove it whole. Now the line waits for the destroy and
 * says what `ip netns` shows: the lab destroyed, every node removed. A second Ctrl-C, which in a one-shot ends the wait
 * (and the destroy with the process), does not here: the line waits for the destroy all the same, and says it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { destroyBegun, HOSTS, leftOf, NOTHING_LEFT, stubbornStar } from "./destroy-begun.js";
import { BIN, neslink } from "./run.js";
import { tmuxServer } from "./tmux.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-shell-destroy-`);
const lab = uniquePrefix("t26ds");
const { tmux, screenWhen, kill } = tmuxServer(lab);

afterAll(() => {
  kill();
  cleanup(lab);
  cleanup(`${lab}t`);
  rmSync(dir, { recursive: true, force: true });
});

/** A session of `neslink shell` at the tmux server's terminal, named `session`, at its prompt. */
async function shellSession(session: string): Promise<void> {
  // As at an interactive shell: the Ctrl-C goes to the whole foreground group, and the outer shell lives on to say how it ended.
  const command = [process.execPath, BIN, "shell"].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", `trap : INT; ${command}; echo "EXIT=$?"; sleep 60`);
  await screenWhen(session, (s) => s.includes("neslink>"));
}

it("Ctrl-C during a destroy line once begun: it waits for the destroy, and says the lab was destroyed, as it was", async () => {
  const termed = `${dir}/termed`;
  expect(neslink("apply", stubbornStar(`${dir}/lab.yaml`, lab, 65, termed), "--yes").status).toBe(0);
  expect(netnsList(`${lab}-`)).toHaveLength(HOSTS + 1);
  await shellSession("s");
  tmux("send-keys", "-t", "s", `destroy ${lab} --yes`, "Enter");
  await destroyBegun(lab);
  tmux("send-keys", "-t", "s", "C-c");
  // The prompt again is the screen's last line.
  const screen = await screenWhen("s", (s) => s.trimEnd().endsWith("neslink>") || s.includes("EXIT="));
  expect(screen).toContain(
    `neslink: SIGINT: ${lab} was destroyed all the same (${HOSTS + 1} nodes removed): the interrupt came once its changes had begun, and destroy ends what it starts.`,
  );
  expect(screen).not.toContain("partly destroyed");
  expect(screen).not.toContain("EXIT=");
  // What it said is so, as soon as it is said.
  expect(leftOf(lab, termed)).toEqual(NOTHING_LEFT);
  // The session goes on: a destroy typed now finds nothing left.
  tmux("send-keys", "-t", "s", `destroy ${lab} --yes`, "Enter");
  await screenWhen("s", (s) => s.includes(`No node of lab ${lab} is running: no namespace removed.`));
  tmux("send-keys", "-t", "s", "C-d");
  expect(await screenWhen("s", (s) => s.includes("EXIT="))).toContain("EXIT=0");
}, 120_000);

it("two Ctrl-Cs during a destroy line once begun: the line still ends with the destroy, and says what it came to", async () => {
  const name = `${lab}t`;
  const termed = `${dir}/termed-twice`;
  expect(neslink("apply", stubbornStar(`${dir}/twice.yaml`, name, 68, termed), "--yes").status).toBe(0);
  await shellSession("t");
  tmux("send-keys", "-t", "t", `destroy ${name} --yes`, "Enter");
  await destroyBegun(name);
  tmux("send-keys", "-t", "t", "C-c");
  await new Promise((r) => setTimeout(r, 200));
  tmux("send-keys", "-t", "t", "C-c");
  // It said "partly destroyed" at the first, of a lab it went on to destroy whole before the prompt came back.
  const screen = await screenWhen("t", (s) => s.trimEnd().endsWith("neslink>") || s.includes("EXIT="));
  expect(leftOf(name, termed)).toEqual(NOTHING_LEFT);
  expect(screen).toContain(
    `neslink: SIGINT: ${name} was destroyed all the same (${HOSTS + 1} nodes removed): the interrupt came once its changes had begun, and destroy ends what it starts.`,
  );
  expect(screen).not.toContain("partly destroyed");
  expect(screen).not.toContain("EXIT=");
  tmux("send-keys", "-t", "t", "C-d");
  expect(await screenWhen("t", (s) => s.includes("EXIT="))).toContain("EXIT=0");
}, 120_000);
