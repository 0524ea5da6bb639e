/**
 * A tmux server of a test's own (a real pty for what a person sees at a
 * terminal): nothing else's sessions are seen or touched.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";

export function tmuxServer(name: string) {
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", `neslink-${name}`, ...args], { encoding: "utf8" });
  return {
    tmux,
    /** The screen of `session` once `done` holds for it (polled for up to 30 s). */
    async screenWhen(session: string, done: (screen: string) => boolean): Promise<string> {
      let screen = "";
      for (let i = 0; i < 300; i++) {
        screen = tmux("capture-pane", "-p", "-t", session);
        if (done(screen)) return screen;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the terminal never showed what was expected:\n${screen}`);
    },
    kill(): void {
      try {
        tmux("kill-server");
      } catch {
        // Already gone.
      }
      // The server leaves its socket file behind: this test's own, as its name says.
      rmSync(`${process.env.TMUX_TMPDIR ?? "/tmp"}/tmux-${process.getuid?.() ?? 0}/neslink-${name}`, { force: true });
    },
  };
}
