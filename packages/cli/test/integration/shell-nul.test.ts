/**
 * A NUL in a line of `neslink shell` (a binary piped in, Ctrl-@ typed at its
 * prompt): a word of argv cannot hold one, a word of a line can. Its first
 * message names the word with the NUL, escaped; the NUL was taken for the
 * parser's own mark and dropped (`\0ns list` ran `ns list`, `\0` alone said
 * "command: is required").
 */
import { afterAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, neslinkWith } from "./run.js";
import { tmuxServer } from "./tmux.js";

const { tmux, screenWhen, kill } = tmuxServer(uniquePrefix("zn2"));
afterAll(kill);

describe("a NUL in a line of neslink shell", () => {
  it("piped in: the first message shows the word with it, escaped, and nothing runs", () => {
    const r = neslinkWith("\0ns list\nns list\n", "shell");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'neslink: ERR_INVALID_ARGUMENT: command: unknown command "\\x00ns"; did you mean "ns"?\n' +
        'Run "neslink --help" for usage.\n' +
        "neslink: stopped at line 1: \\x00ns list\n",
    );
    const alone = neslinkWith("\0\n", "shell");
    expect(alone.status).toBe(2);
    expect(alone.stderr.split("\n")[0]).toBe('neslink: ERR_INVALID_ARGUMENT: command: unknown command "\\x00"');
  });

  it("typed at the prompt (Ctrl-@): the same message, and the prompt again", async () => {
    tmux("new-session", "-d", "-s", "nul", "-x", "200", "-y", "20", `'${process.execPath}' '${BIN}' shell`);
    await screenWhen("nul", (s) => s.includes("neslink>"));
    tmux("send-keys", "-t", "nul", "C-@", "ns list", "Enter");
    const screen = await screenWhen("nul", (s) => s.split("\n").filter((l) => l.startsWith("neslink>")).length === 2);
    expect(screen).toContain('neslink: ERR_INVALID_ARGUMENT: command: unknown command "\\x00ns"; did you mean "ns"?\n');
    // Nothing between the message and the next prompt: no namespace was listed.
    const lines = screen.trimEnd().split("\n");
    expect(lines.slice(-3)).toEqual([
      'neslink: ERR_INVALID_ARGUMENT: command: unknown command "\\x00ns"; did you mean "ns"?',
      'Run "neslink --help" for usage.',
      "neslink>",
    ]);
  });
});
