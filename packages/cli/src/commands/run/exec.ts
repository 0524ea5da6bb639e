import type { Readable, Writable } from "node:stream";
import { rootCause, toErrorJSON, ValidationError } from "@neslink/core/errors";
import type { ExecExit, NsProvider } from "@neslink/core/spawn";
import { HANGUP_GRACE_MS } from "../../agent/grace.js";
import type { Outcome, Run, Terminal } from "../../command.js";
import { flushCompileCache } from "../../compile-cache.js";
import { replacer, spawner } from "../../core.js";
import { nsIn } from "../../paths.js";
import { target } from "../../target.js";

/** Signals the CLI passes on to the program rather than dying of them, so that Ctrl-C or a kill ends the program too. */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const satisfies NodeJS.Signals[];

/** The status a shell reports: the program's own, or 128 + the number of the signal that ended it. */
function shellStatus({ status, signal }: ExecExit): number {
  // node:os is taken here, not imported: only a program ended by a signal needs it (~2.5M instructions to load).
  return signal === null ? (status ?? 1) : 128 + process.getBuiltinModule("node:os").constants.signals[signal];
}

/**
 * A program that cannot be run ends as in a shell: 127 when not found, 126
 * when not runnable. Only the program's own start counts: an EACCES or ENOENT
 * met on the way into the namespace (its file) is neslink's error, not CMD's.
 */
function notRunnable(argv0: string, err: unknown): Outcome | undefined {
  const { code, syscall } = toErrorJSON(rootCause(err));
  if (syscall !== "spawn") return undefined;
  const exitCode = code === "ENOENT" ? 127 : code === "EACCES" ? 126 : undefined;
  if (exitCode === undefined) return undefined;
  const reason = exitCode === 127 ? "command not found" : "permission denied";
  return { data: { error: toErrorJSON(err) }, text: "", stderr: `neslink: ${argv0}: ${reason}\n`, exitCode };
}

/**
 * Pipes the program's output to the CLI's. If the CLI's own output breaks
 * (its reader left, EPIPE), the program gets SIGPIPE, as it would writing to
 * that pipe itself; what it still writes is drained so that it can end.
 */
function forward(from: Readable, to: Writable, kill: (signal: NodeJS.Signals) => void): () => void {
  const broken = () => {
    from.unpipe(to);
    from.resume();
    kill("SIGPIPE");
  };
  to.on("error", broken);
  from.pipe(to, { end: false });
  return () => to.off("error", broken);
}

/** The program starts in the caller's directory (the agent's client's); here, in neslink's own. */
const cwdOf = ({ cwd }: Terminal) => (cwd === undefined ? {} : { cwd });

/**
 * Takes the FORWARDED signals from before the program is started: one that
 * comes while it starts (Ctrl-C at once, or from the program itself) is held
 * and sent once it runs. Without, it ended neslink, and the program died
 * with it of SIGKILL (PR_SET_PDEATHSIG), with no chance to clean up.
 */
function forwardedSignals(terminal: Terminal) {
  let kill: ((signal: NodeJS.Signals) => void) | undefined;
  const held: NodeJS.Signals[] = [];
  const stop = terminal.onSignals(FORWARDED, (signal) => (kill === undefined ? held.push(signal) : kill(signal)));
  return {
    /** The program runs: what was held goes to it now, later signals as they come. */
    started(to: (signal: NodeJS.Signals) => void): void {
      kill = to;
      for (const signal of held.splice(0)) to(signal);
    },
    stop,
  };
}

/** The status of a program that ran on neslink's own stdio (a terminal stays one: interactive programs work); forwarded signals reach it. */
async function inheriting(provider: NsProvider, argv: string[], terminal: Terminal): Promise<Outcome> {
  const signals = forwardedSignals(terminal);
  try {
    const { spawn } = await spawner();
    const proc = await spawn(provider, argv, { ...cwdOf(terminal), stdio: "inherit" });
    signals.started((signal) => proc.kill(signal));
    const exit = await proc.exited;
    return { data: exit, text: "", exitCode: shellStatus(exit) };
  } finally {
    signals.stop();
  }
}

/** The program's stdio joined to the CLI's as it runs (the agent's session: its streams are a client's); forwarded signals reach it. */
async function attached(provider: NsProvider, argv: string[], terminal: Terminal): Promise<Outcome> {
  if (terminal.ownStdio) return inheriting(provider, argv, terminal);
  const signals = forwardedSignals(terminal);
  try {
    // Not lean(): that starts a pool, and core starts the program without a worker where it can.
    // node:stream/promises with it, not at start-up: only exec waits on streams.
    const [{ spawn }, { finished }] = await Promise.all([spawner(), import("node:stream/promises")]);
    // A group of its own: a hang-up or a kill reaches what the program started too, as a terminal's reaches a job.
    // Output and error into one file: one pipe for both ("merged", stderr then empty) keeps the order the program wrote them in.
    const proc = await spawn(provider, argv, {
      ...cwdOf(terminal),
      group: true,
      ...(terminal.sharedOutput && { stdio: "merged" as const }),
    });
    const kill = (signal: NodeJS.Signals) => proc.kill(signal);
    const unforward = [forward(proc.stdout, terminal.stdout, kill), forward(proc.stderr, terminal.stderr, kill)];
    terminal.stdin.pipe(proc.stdin);
    signals.started(kill);
    try {
      const exit = await proc.exited;
      await Promise.all([finished(proc.stdout), finished(proc.stderr)]);
      return { data: exit, text: "", exitCode: shellStatus(exit) };
    } finally {
      for (const stop of unforward) stop();
      terminal.stdin.unpipe(proc.stdin);
      // Reading on would keep the CLI waiting for input no program will get.
      terminal.stdin.destroy();
    }
  } finally {
    signals.stop();
  }
}

/**
 * --json: the program runs to its end and its output comes as one object (no
 * worker either, where core can). The first forwarded signal reaches it and
 * its process group, then SIGKILL after the grace: a client's hang-up ends it
 * as without --json.
 */
async function collected(provider: NsProvider, argv: string[], terminal: Terminal): Promise<Outcome> {
  const stopped = new AbortController();
  const signals = forwardedSignals(terminal);
  try {
    const { exec } = await spawner();
    signals.started((signal) => stopped.abort(signal));
    // Its stdio are pipes, never a terminal: a group of its own costs it no job control, and signals reach what it started.
    const result = await exec(provider, argv, { ...cwdOf(terminal), group: true, signal: stopped.signal, killGraceMs: HANGUP_GRACE_MS });
    return { data: result, text: "", exitCode: shellStatus(result) };
  } finally {
    signals.stop();
  }
}

export const exec: Run = async ({ args, ns }, { json, terminal }) => {
  const [spec, ...argv] = ns === undefined ? args : [ns, ...args];
  if (argv.length === 0) throw new ValidationError("CMD", "is required (neslink exec NS -- CMD)");
  // -n was made the caller's by main; a positional NS is resolved here.
  // Nothing left for this process to do once the program runs: it takes the process's place, as with `ip netns exec`.
  const replacing = !json && terminal.replaceable === true && terminal.cwd === undefined;
  const provider = await target(
    ns === undefined && spec !== undefined && terminal.cwd !== undefined ? nsIn(terminal.cwd, spec) : spec,
    replacing ? replacer : spawner,
    ns === undefined ? "NS" : "-n",
  );
  try {
    if (replacing) {
      const { canReplace, replaceWith } = await replacer();
      // Returns only if it cannot (no CAP_SYS_ADMIN: a child started as below instead) or throws if the program could not start.
      if (canReplace(provider)) {
        flushCompileCache();
        replaceWith(provider, argv);
      }
    }
    return await (json ? collected(provider, argv, terminal) : attached(provider, argv, terminal));
  } catch (err) {
    const outcome = notRunnable(argv[0] as string, err);
    if (outcome) return outcome;
    throw err;
  }
};
