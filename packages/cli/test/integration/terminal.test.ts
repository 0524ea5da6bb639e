/**
 * What a person sees at a terminal: apply run under tmux (a real pty), its
 * confirmation answered by keystrokes, its final screen read back.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { exampleAs } from "./example.js";
import { tmuxServer } from "./tmux.js";
import { BIN, neslink } from "./run.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-tty-`);
const lab = uniquePrefix("t");
const { tmux, screenWhen, kill } = tmuxServer(lab);

afterAll(() => {
  kill();
  // The lab's own name too: its lock file is `${lab}.lock`.
  cleanup(lab);
  rmSync(dir, { recursive: true, force: true });
});

const file = exampleAs("router.yaml", lab, `${dir}/lab.yaml`);

/** The bin run at a terminal of its own; `agent`: through the agent at that socket. */
function start(session: string, ...args: string[]) {
  startVia(undefined, session, ...args);
}

function startVia(agent: string | undefined, session: string, ...args: string[]) {
  startAfter(agent === undefined ? "" : `NESLINK_AGENT='${agent}' `, session, args);
}

/** The bin run at a terminal of its own whose shell lives on after a Ctrl-C, as an interactive shell does, to say how it ended. */
function startInterruptible(session: string, ...args: string[]) {
  startAfter("trap : INT; ", session, args);
}

function startAfter(before: string, session: string, args: string[]) {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "50", `${before}${command}; echo "EXIT=$?"; sleep 60`);
}

describe("apply at a terminal (tmux)", () => {
  it("asks before changing anything; no is no", async () => {
    start("no", "apply", file);
    await screenWhen("no", (s) => s.includes("[y/N]"));
    tmux("send-keys", "-t", "no", "n", "Enter");
    const screen = await screenWhen("no", (s) => s.includes("EXIT="));
    expect(screen).toContain("Not applied; nothing was changed.");
    expect(screen).toContain("EXIT=1");
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("Ctrl-D (end of input) at the question is no, said so, exit 1: not a silent exit 0", async () => {
    start("eof", "apply", file);
    await screenWhen("eof", (s) => s.includes("[y/N]"));
    tmux("send-keys", "-t", "eof", "C-d");
    const screen = await screenWhen("eof", (s) => s.includes("EXIT="));
    expect(screen).toContain("Not applied; nothing was changed.");
    expect(screen).toContain("EXIT=1");
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("Ctrl-C at the question says nothing was changed (not that the lab is partly applied) and dies of it, 130", async () => {
    // As at an interactive shell: the Ctrl-C goes to the whole foreground group.
    startInterruptible("intr", "apply", file);
    await screenWhen("intr", (s) => s.includes("[y/N]"));
    tmux("send-keys", "-t", "intr", "C-c");
    const screen = await screenWhen("intr", (s) => s.includes("EXIT="));
    expect(screen).toContain(`neslink: SIGINT: ${lab} was not applied; nothing was changed.`);
    expect(screen).not.toContain("partly applied");
    expect(screen).toContain("EXIT=130");
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("Ctrl-C at destroy's question says nothing was destroyed and dies of it, 130 (it died without a word, mid-line)", async () => {
    // A lab of its own, destroyed whatever happens: the tests after this one start from none of theirs.
    const kept = `${lab}q`;
    expect(neslink("apply", exampleAs("router.yaml", kept, `${dir}/kept.yaml`), "--yes").status).toBe(0);
    try {
      startInterruptible("dintr", "destroy", kept);
      await screenWhen("dintr", (s) => s.includes("[y/N]"));
      tmux("send-keys", "-t", "dintr", "C-c");
      const screen = await screenWhen("dintr", (s) => s.includes("EXIT="));
      expect(screen).toContain(`neslink: SIGINT: ${kept} was not destroyed; nothing was changed.`);
      expect(screen).toContain("EXIT=130");
      expect(netnsList(`${kept}-`)).toHaveLength(3);
    } finally {
      neslink("destroy", kept, "--yes");
    }
  });

  it("--json at a terminal does not change the lab unasked: it needs --yes (a question has no place in JSON), exit 2", async () => {
    start("json", "apply", file, "--json");
    const screen = await screenWhen("json", (s) => s.includes("EXIT="));
    expect(screen).toContain("EXIT=2");
    expect(screen).toMatch(/"field":\s*"--yes"/);
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("shows the plan, asks, then draws a live progress bar whose last state stays on screen", async () => {
    start("yes", "apply", file);
    const asked = await screenWhen("yes", (s) => s.includes("[y/N]"));
    expect(asked).toContain(`Plan for ${lab}: 11 to add, 1 to change, 0 to destroy.`);
    expect(asked).toContain(`Apply 12 changes to ${lab}? [y/N]`);
    tmux("send-keys", "-t", "yes", "y", "Enter");
    const screen = await screenWhen("yes", (s) => s.includes("EXIT="));
    const lines = screen.split("\n");
    const bar = lines.find((l) => l.includes("12/12"));
    // One bar, full, redrawn in place: no line per change, as off a terminal.
    expect(bar).toMatch(/^={30} 12\/12 done/);
    expect(lines.filter((l) => l.includes("/12")).length).toBe(1);
    expect(screen).not.toMatch(/\[\d+\/12\]/);
    expect(screen).toMatch(new RegExp(`Applied ${lab}: 11 added, 1 changed, 0 destroyed in \\d+ ms\\.`));
    expect(screen).toContain("EXIT=0");
    expect(netnsList(`${lab}-`).sort()).toEqual([`${lab}-h1`, `${lab}-h2`, `${lab}-r1`]);

    start("destroy", "destroy", lab, "--yes");
    expect(await screenWhen("destroy", (s) => s.includes("EXIT="))).toContain("EXIT=0");
    expect(netnsList(`${lab}-`)).toEqual([]);
  });

  it("through the agent: the same question (the answer echoed once), the same bar", async () => {
    const socket = `${dir}/agent.sock`;
    const agent = spawn(process.execPath, [BIN, "agent", "--socket", socket], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      await new Promise((resolve) => agent.stderr.on("data", (d: Buffer) => d.toString().includes("listening") && resolve(undefined)));
      startVia(socket, "agent", "apply", file);
      await screenWhen("agent", (s) => s.includes("[y/N]"));
      tmux("send-keys", "-t", "agent", "y", "Enter");
      const screen = await screenWhen("agent", (s) => s.includes("EXIT="));
      expect(screen).toContain(`Apply 12 changes to ${lab}? [y/N] y\n`);
      expect(screen).not.toMatch(/^y$/m);
      expect(screen).toMatch(/^={30} 12\/12 done/m);
      expect(screen).toContain("EXIT=0");
      expect(netnsList(`${lab}-`).sort()).toEqual([`${lab}-h1`, `${lab}-h2`, `${lab}-r1`]);
    } finally {
      agent.kill("SIGKILL");
    }
  });
});

describe("neslink shell at a terminal's prompt", () => {
  // A lab of its own: the tests above leave theirs applied.
  const shellLab = `${lab}s`;
  const shellFile = exampleAs("router.yaml", shellLab, `${dir}/shell.yaml`);

  it("apply and destroy typed there ask, as they do typed in a shell; the next line typed is the answer", async () => {
    start("shell", "shell");
    await screenWhen("shell", (s) => s.includes("neslink>"));
    tmux("send-keys", "-t", "shell", `apply ${shellFile}`, "Enter");
    const asked = await screenWhen("shell", (s) => s.includes("[y/N]"));
    expect(asked).toContain(`Apply 12 changes to ${shellLab}? [y/N]`);
    expect(netnsList(`${shellLab}-`)).toEqual([]);
    tmux("send-keys", "-t", "shell", "y", "Enter");
    await screenWhen("shell", (s) => s.includes(`Applied ${shellLab}:`));
    expect(netnsList(`${shellLab}-`).sort()).toEqual([`${shellLab}-h1`, `${shellLab}-h2`, `${shellLab}-r1`]);

    tmux("send-keys", "-t", "shell", `destroy ${shellLab}`, "Enter");
    await screenWhen("shell", (s) => s.includes(`Destroy lab ${shellLab} and everything it owns? [y/N]`));
    tmux("send-keys", "-t", "shell", "n", "Enter");
    await screenWhen("shell", (s) => s.includes("Not destroyed; nothing was changed."));
    // The answer was taken as one, not run as a command of its own. (A command whose output is a line whatever else
    // the machine holds: the question above must stay on the screen.)
    tmux("send-keys", "-t", "shell", `exec ${shellLab}:r1 -- echo answered once`, "Enter");
    const listed = await screenWhen("shell", (s) => s.includes("\nanswered once\n"));
    expect(listed).not.toContain('unknown command "n"');
    expect(netnsList(`${shellLab}-`)).toHaveLength(3);

    tmux("send-keys", "-t", "shell", `destroy ${shellLab}`, "Enter");
    await screenWhen("shell", (s) => s.split(`Destroy lab ${shellLab}`).length === 3);
    tmux("send-keys", "-t", "shell", "y", "Enter");
    await screenWhen("shell", (s) => s.includes(`Destroyed ${shellLab}: 3 nodes removed`));
    expect(netnsList(`${shellLab}-`)).toEqual([]);
    tmux("send-keys", "-t", "shell", "C-d");
    expect(await screenWhen("shell", (s) => s.includes("EXIT="))).toContain("EXIT=0");
  });

  it("Ctrl-C at apply's or destroy's question there is no: nothing changed, and the session goes on (it ended it, 130)", async () => {
    startInterruptible("shellq", "shell");
    await screenWhen("shellq", (s) => s.includes("neslink>"));
    tmux("send-keys", "-t", "shellq", `apply ${shellFile}`, "Enter");
    await screenWhen("shellq", (s) => s.includes("[y/N]"));
    tmux("send-keys", "-t", "shellq", "y");
    tmux("send-keys", "-t", "shellq", "C-c");
    const after = await screenWhen("shellq", (s) => s.includes("EXIT=") || s.split("neslink>").length === 3);
    expect(after).not.toContain("EXIT=");
    expect(after).toContain("Not applied; nothing was changed.");
    expect(netnsList(`${shellLab}-`)).toEqual([]);
    // The next line typed is a command again, not the question's answer; the answer typed before Ctrl-C was dropped.
    tmux("send-keys", "-t", "shellq", `apply ${shellFile}`, "Enter");
    await screenWhen("shellq", (s) => s.split("[y/N]").length === 3);
    tmux("send-keys", "-t", "shellq", "y", "Enter");
    await screenWhen("shellq", (s) => s.includes(`Applied ${shellLab}:`));
    tmux("send-keys", "-t", "shellq", `destroy ${shellLab}`, "Enter");
    await screenWhen("shellq", (s) => s.includes(`Destroy lab ${shellLab} and everything it owns? [y/N]`));
    tmux("send-keys", "-t", "shellq", "C-c");
    await screenWhen("shellq", (s) => s.includes("EXIT=") || s.includes("Not destroyed; nothing was changed."));
    expect(netnsList(`${shellLab}-`)).toHaveLength(3);
    tmux("send-keys", "-t", "shellq", `destroy ${shellLab}`, "Enter");
    await screenWhen("shellq", (s) => s.split(`Destroy lab ${shellLab}`).length === 3);
    tmux("send-keys", "-t", "shellq", "y", "Enter");
    await screenWhen("shellq", (s) => s.includes(`Destroyed ${shellLab}: 3 nodes removed`));
    tmux("send-keys", "-t", "shellq", "C-d");
    expect(await screenWhen("shellq", (s) => s.includes("EXIT="))).toContain("EXIT=0");
    expect(netnsList(`${shellLab}-`)).toEqual([]);
  });

  it("Ctrl-C at the prompt drops the line being typed and prompts again, as a shell does (it ended the session, 130)", async () => {
    const partial = `${shellLab}x`;
    startInterruptible("shellintr", "shell");
    await screenWhen("shellintr", (s) => s.includes("neslink>"));
    tmux("send-keys", "-t", "shellintr", `ns add ${partial}`);
    await screenWhen("shellintr", (s) => s.includes(partial));
    tmux("send-keys", "-t", "shellintr", "C-c");
    await screenWhen("shellintr", (s) => s.split("neslink>").length === 3);
    tmux("send-keys", "-t", "shellintr", `ns add ${shellLab}-y`, "Enter");
    await screenWhen("shellintr", (s) => s.includes(`created namespace ${shellLab}-y`));
    tmux("send-keys", "-t", "shellintr", "C-d");
    expect(await screenWhen("shellintr", (s) => s.includes("EXIT="))).toContain("EXIT=0");
    // The line dropped was not run: only the one typed after it.
    expect(netnsList(shellLab)).toEqual([`${shellLab}-y`]);
  });

  it("Ctrl-C that stops a running command (exec's program, monitor): the next prompt starts a line of its own, as bash's does", async () => {
    const ns = `${shellLab}-c`;
    ip("netns", "add", ns);
    startInterruptible("shellstop", "shell");
    await screenWhen("shellstop", (s) => s.includes("neslink>"));
    tmux("send-keys", "-t", "shellstop", `exec ${ns} sleep 300`, "Enter");
    // Running once the namespace has a process (the screen is polled meanwhile).
    await screenWhen("shellstop", () => ip("netns", "pids", ns).trim() !== "");
    tmux("send-keys", "-t", "shellstop", "C-c");
    await screenWhen("shellstop", (s) => s.split("neslink>").length === 3);
    tmux("send-keys", "-t", "shellstop", `monitor link -n ${ns}`, "Enter");
    // Listening once it shows an event: lo set up and down until one does.
    let up = false;
    await screenWhen("shellstop", (s) => {
      up = !up;
      ip("-n", ns, "link", "set", "lo", up ? "up" : "down");
      return / lo /.test(s.split(`monitor link -n ${ns}`)[1] ?? "");
    });
    tmux("send-keys", "-t", "shellstop", "C-c");
    const screen = await screenWhen("shellstop", (s) => s.split("neslink>").length === 4);
    tmux("send-keys", "-t", "shellstop", "C-d");
    expect(await screenWhen("shellstop", (s) => s.includes("EXIT="))).toContain("EXIT=0");
    // Each "^C" the terminal echoed ends its line; the prompt came after it on the same line.
    const lines = screen.split("\n");
    const after = (typed: string) => lines.slice(lines.findIndex((l) => l.endsWith(typed)) + 1);
    expect(after(`exec ${ns} sleep 300`).slice(0, 2)).toEqual(["^C", `neslink> monitor link -n ${ns}`]);
    const monitored = after(`monitor link -n ${ns}`);
    expect(monitored.findIndex((l) => l.startsWith("neslink>"))).toBeGreaterThan(0);
    expect(monitored[monitored.findIndex((l) => l.startsWith("neslink>")) - 1]).toMatch(/\^C$/);
    expect(lines.filter((l) => l.includes("^Cneslink>"))).toEqual([]);
  });

  for (const via of ["here", "the agent"] as const)
    it(`Ctrl-C that stops a command which then prints (exec --json's object), ${via}: the prompt follows on the next line, no blank line`, async () => {
      const [session, ns, socket] = [`shelljson${via.length}`, `${shellLab}-j${via.length}`, `${dir}/json-agent.sock`];
      ip("netns", "add", ns);
      const agent =
        via === "here" ? undefined : spawn(process.execPath, [BIN, "agent", "--socket", socket], { stdio: ["ignore", "ignore", "pipe"] });
      try {
        if (agent)
          await new Promise((resolve) => agent.stderr?.on("data", (d: Buffer) => d.toString().includes("listening") && resolve(undefined)));
        startAfter(`trap : INT; ${agent ? `NESLINK_AGENT='${socket}' ` : ""}`, session, ["shell"]);
        await screenWhen(session, (s) => s.includes("neslink>"));
        tmux("send-keys", "-t", session, `exec --json ${ns} sleep 300`, "Enter");
        await screenWhen(session, () => ip("netns", "pids", ns).trim() !== "");
        tmux("send-keys", "-t", session, "C-c");
        const screen = await screenWhen(session, (s) => s.split("neslink>").length === 3);
        tmux("send-keys", "-t", session, "C-d");
        expect(await screenWhen(session, (s) => s.includes("EXIT="))).toContain("EXIT=0");
        const lines = screen.split("\n");
        const typed = lines.findIndex((l) => l.endsWith(`exec --json ${ns} sleep 300`));
        // It was "^C{...}", an empty line, then the prompt: the terminal's "^C" ends its line, and the prompt comes once, right after the object.
        expect(lines.slice(typed + 1, typed + 4)).toEqual(["^C", expect.stringMatching(/^\{.*"signal":"SIGINT".*\}$/), "neslink>"]);
      } finally {
        agent?.kill("SIGKILL");
      }
    });
});
