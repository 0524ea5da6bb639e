#!/usr/bin/env node
import { agentFor } from "./agent/choose.js";
import { clientFor } from "./agent/client.js";
import { enableCompileCache } from "./compile-cache.js";
import { fdWriter, mayStall } from "./fd-writer.js";
import { lostOutputLine, lostOutputStatus } from "./lost-output.js";
import { sameOutput } from "./same-output.js";

// Node >= 22.1 keeps compiled code between runs (start-up without re-parsing), in a directory of neslink's own; older Nodes skip this.
enableCompileCache();

/** A signal a command handled (instead of dying of it) came: the user wants this process to end. */
let interrupted: NodeJS.Signals | undefined;
let unsent = () => false;
let onPool = () => false;
let drainedAll = () => Promise.resolve();
/** How long a write on the pool may take after the command ended before it is taken as held by a reader that stopped reading. */
const HELD_MS = 250;
/** Stdout's reader left (EPIPE): the status is SIGPIPE's, as `ip`'s would be. */
let readerLeft = false;
const SIGPIPE_STATUS = 128 + 13;
/**
 * Says, once nothing is left to write, that stdout's output was lost to a write error (ENOSPC, ...), if it was: with
 * the command's status, or the status of the signal it is about to end of.
 */
let sayLost = (_status?: number) => {};
/** The commands' signal handlers, which a reader's leaving reaches too. */
const handlers = new Set<(signal: NodeJS.Signals) => void>();

/**
 * The terminal hung up, found by a write (EIO) rather than by its SIGHUP, which may not come (a process of another
 * session writing to it): taken as that SIGHUP, by the commands' handlers and at the end.
 */
function hungUp(): void {
  if (interrupted === "SIGHUP") return;
  interrupted = "SIGHUP";
  for (const handler of [...handlers]) handler("SIGHUP");
}

// Built as CommonJS (scripts/bundle.mjs), which has no top-level await.
async function run(): Promise<number> {
  const toAgent = agentFor(process.argv.slice(2), process.env);
  // With an agent to run the command, the agent's client stands in for main: it is in this file with what it needs but
  // core's unix-client (required at its first use), so that a call through the agent loads two files of neslink's.
  const { main } = toAgent ? clientFor(toAgent) : await import("./main.js");
  // `ip monitor | head -1` ends as its reader leaves (SIGPIPE): a command that prints without end (monitor) is stopped
  // as the agent stops it, told SIGPIPE, instead of printing on to no one for ever.
  const out = fdWriter(
    1,
    () => process.stdout,
    undefined,
    (signal) => {
      if (signal === "SIGHUP") return hungUp();
      readerLeft = true;
      // Found after the command ended (what it printed last waited in process.stdout, which meets EPIPE later): the
      // status set then is made SIGPIPE's too, whichever write found the reader gone.
      if (process.exitCode !== undefined) process.exitCode = SIGPIPE_STATUS;
      for (const handler of [...handlers]) handler("SIGPIPE");
    },
    // The agent's client keeps taking signals while a reader that stopped reading holds its output.
    Boolean(toAgent),
  );
  const err = fdWriter(
    2,
    () => process.stderr,
    undefined,
    (signal) => signal === "SIGHUP" && hungUp(),
    Boolean(toAgent),
  );
  unsent = () => out.unsent() || err.unsent();
  onPool = () => out.onPool() || err.onPool();
  drainedAll = async () => {
    await Promise.all([out.drained(), err.drained()]);
  };
  sayLost = (status = Number(process.exitCode ?? 0)) => {
    const lost = out.lost();
    if (lost === undefined || readerLeft) return;
    // Unwritable too, stderr drops it: the status alone tells.
    err(lostOutputLine(lost, status));
    process.exitCode = lostOutputStatus(status);
  };
  return main(process.argv.slice(2), {
    out,
    drained: out.drained,
    err,
    // Written at once elsewhere: on a terminal, words said as a command's result is printed keep their place before it.
    offMain: () => {
      if (mayStall(1)) out.toPool();
      if (mayStall(2)) err.toPool();
    },
    errSent: () => err.sent(),
    outLost: () => out.lost() !== undefined,
    sent: async () => {
      await Promise.all([out.sent(), err.sent()]);
    },
    // Node makes a standard stream when it is first read (a TTY's or a pipe's loads net, a file's fs streams): only commands that use one pay.
    terminal: {
      get stdin() {
        return process.stdin;
      },
      get stdout() {
        return process.stdout;
      },
      get stderr() {
        return process.stderr;
      },
      ownStdio: true,
      // Looked at only by a command that pipes a program's output to these (`exec` lines of `neslink shell`).
      get sharedOutput() {
        return sameOutput();
      },
      replaceable: true,
      unprivileged: process.geteuid?.() !== 0,
      onSignals(signals, handler) {
        const heard = (signal: NodeJS.Signals) => {
          interrupted = signal;
          handler(signal);
        };
        for (const signal of signals) process.on(signal, heard);
        handlers.add(heard);
        return () => {
          handlers.delete(heard);
          for (const signal of signals) process.off(signal, heard);
        };
      },
      raise(signal) {
        // Ended of a signal, the process never reaches beforeExit: an interrupted apply's --json document lost went unsaid.
        sayLost(128 + process.getBuiltinModule("node:os").constants.signals[signal]);
        process.kill(process.pid, signal);
      },
    },
  });
}

// Once the loop is empty: a write that waited in process.stdout or on the pool has failed or gone by then.
process.once("beforeExit", () => sayLost());

run().then(async (status) => {
  process.exitCode = readerLeft ? SIGPIPE_STATUS : status;
  // Node would stay until a reader takes what is left, and a reader that stopped reading never does: after a signal it
  // is dropped, as `ip` dying of that signal drops it.
  if (interrupted === undefined) return;
  // Hung up, the process ends of SIGHUP, as one without a handler does: an exit has Node 20 restore the terminal's
  // modes, and a terminal that is gone fails that (EIO), which Node asserts against: it aborts (nodejs/node#51519).
  const hungUp = interrupted === "SIGHUP";
  if (!hungUp && !unsent()) return;
  // A reader's leaving fails a write at once; any other write that can go goes within the grace.
  if (interrupted !== "SIGPIPE" && onPool()) await Promise.race([drainedAll(), new Promise((r) => setTimeout(r, HELD_MS).unref())]);
  if (!hungUp && !unsent()) return;
  // An exit would wait for ever for a write still held on the pool (it joins the pool's threads): die of the signal
  // instead, as the program the direct path runs would have.
  if (hungUp || (interrupted !== "SIGPIPE" && onPool())) {
    process.removeAllListeners(interrupted);
    process.kill(process.pid, interrupted);
  } else process.exit(status);
});
