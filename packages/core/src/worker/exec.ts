/**
 * Programs run inside a namespace. child_process.spawn forks on the calling
 * thread, so when this worker calls it while inside the namespace the child
 * stays there for its whole life; the worker goes home and serves other tasks
 * while the program runs. What the program does is reported when it ends
 * (collected output) or as it comes (over a MessagePort, see ../exec.ts).
 */
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import type { MessagePort } from "node:worker_threads";
import type { ExecOptions, ExecResult, NsActionSpec, SpawnOptions, SpawnStdio } from "../actions/ns-actions.js";
import { statSync } from "node:fs";
import { errno } from "../errno.js";
import { ExecLimitError, SystemCallError } from "../errors.js";
import { installed, resolveProgram } from "../program-path.js";
import type { ChildPids } from "./children.js";
import { guardGroup } from "./group-guard.js";
import { spawnMerged } from "./merged-output.js";
import type { ExecExit, ExecStream, FromExec, ToExec } from "./exec-messages.js";

const STREAMS: readonly ExecStream[] = ["stdout", "stderr"];
/** What na.exec keeps of stdout and stderr together unless told otherwise. */
const DEFAULT_MAX_BUFFER = 16 << 20;

/**
 * util-linux's setpriv sets PR_SET_PDEATHSIG in the child before it execs the
 * program: the program is killed when the thread that forked it (this
 * worker) ends, so it cannot outlive the process, even after kill -9. The
 * kernel keeps the setting across execve. setpriv sets it only after its own
 * exec, though, which the spawn does not wait for: a worker ended before then
 * has the pool kill the program (ChildPids' `tied`); checking the parent's pid
 * after prctl would not see it, the parent being the process, which lives on
 * (a process killed then leaves the program running). Without setpriv,
 * programs start directly and only that guarantee is lost. Looked up at the
 * first start, not when the module loads: most commands that load it start
 * nothing.
 */
let setpriv: string | undefined | null = null;
function setprivPath(): string | undefined {
  if (setpriv === null) setpriv = installed("setpriv");
  return setpriv;
}

/** Where a pool worker records the programs it starts until they end (see ChildPids); other threads record none. */
let children: ChildPids | undefined;

export function recordChildrenIn(record: ChildPids): void {
  children = record;
}

/**
 * Starts the program, checked first (cwd, PATH lookup). `enter` is a command
 * that enters the namespace and then runs the rest (nsenter, for a program
 * started from a thread outside it: see ../exec-here.ts); none from a thread
 * already inside.
 */
export function start(
  argv: readonly string[],
  options: SpawnOptions,
  stdio: "pipe" | "ignore" | SpawnStdio,
  enter: readonly string[] = [],
): ChildProcess {
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  const cwd = options.cwd ?? process.cwd();
  if (!statSync(cwd).isDirectory()) throw new SystemCallError("chdir", errno.ENOTDIR, cwd);
  const [file, ...args] = argv as [string, ...string[]];
  const program = resolveProgram(file, env.PATH, cwd);
  const setpriv = setprivPath();
  const [command, ...rest] = [...enter, ...(setpriv ? [setpriv, "--pdeathsig", "KILL", "--"] : []), program, ...args] as [
    string,
    ...string[],
  ];
  // detached: setsid(), so the program leads a process group (and session) of its own, which signalProgram signals whole.
  const run = (streams: StdioOptions) => spawn(command, rest, { cwd, env, stdio: streams, detached: options.group === true });
  // "ignore": no input, output piped; "inherit": all three are this process's own; "merged": input piped, output and
  // error one pipe (merged-output.ts).
  const launch = () => (stdio === "merged" ? spawnMerged("pipe", run) : run(stdio === "inherit" ? "inherit" : [stdio, "pipe", "pipe"]));
  // `tied`: PR_SET_PDEATHSIG ends it with this thread (see ChildPids); not so the group's guard, which must outlive it.
  const recorded = (spawnIt: () => ChildProcess, tied = false) => (children ? children.record(spawnIt, tied) : spawnIt());
  const child = recorded(launch, setpriv !== undefined);
  // The program may end without reading its input: that is not an error of the run.
  child.stdin?.on("error", () => {});
  if (options.group === true) guardGroup(child, recorded);
  return child;
}

/**
 * Sends `signal` to the program, or (`group`) to every process of its group:
 * what it started in the background too, as a terminal's hang-up reaches a
 * whole foreground job. One already gone is no error.
 */
export function signalProgram(child: ChildProcess, signal: NodeJS.Signals, group: boolean | undefined): void {
  if (group !== true || child.pid === undefined) {
    child.kill(signal);
    return;
  }
  signalGroup(child.pid, signal);
}

/** Signals every process of the group `pgid` (0: only asks whether it has any); false when it has none left (ESRCH). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    return false;
  }
}

/** Where the signals for a collected program come from: called with the way to send one, returns what stops listening. */
export type KillSource = (kill: (signal: NodeJS.Signals) => void) => () => void;

/** Runs the program to its end and collects its output, within maxBuffer and timeoutMs; `enter` as for start; `kills` signal it meanwhile. */
export function collect(
  argv: readonly string[],
  options: ExecOptions,
  enter: readonly string[] = [],
  kills?: KillSource,
): Promise<ExecResult> {
  const child = start(argv, options, options.input === undefined ? "ignore" : "pipe", enter);
  const result = collectFrom(child, options);
  if (kills !== undefined) {
    const stop = kills((signal) => signalProgram(child, signal, options.group));
    result.then(stop, stop);
  }
  return result;
}

/** The output of a started program, collected until it ends (see collect). */
function collectFrom(child: ChildProcess, options: ExecOptions): Promise<ExecResult> {
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  return new Promise((resolve, reject) => {
    const chunks: Record<ExecStream, Buffer[]> = { stdout: [], stderr: [] };
    let size = 0;
    let limit: ExecLimitError | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Done once the program has exited, though a process it started may still hold its pipes open.
    const fail = (err: ExecLimitError) => {
      clearTimeout(timer);
      for (const stream of STREAMS) child[stream]?.destroy();
      reject(err);
    };
    const stop = (err: ExecLimitError) => {
      if (limit) return;
      limit = err;
      // Output still in the pipes can pass the limit after the program has exited.
      if (child.exitCode !== null || child.signalCode !== null) fail(err);
      else signalProgram(child, "SIGKILL", options.group);
    };
    for (const stream of STREAMS) {
      child[stream]?.on("data", (chunk: Buffer) => {
        if (limit) return;
        size += chunk.length;
        if (size > maxBuffer)
          stop(new ExecLimitError("maxBuffer", `output passed maxBuffer (${maxBuffer} bytes): pid ${child.pid} was killed`));
        else chunks[stream].push(chunk);
      });
    }
    if (options.timeoutMs !== undefined) {
      const ms = options.timeoutMs;
      timer = setTimeout(() => stop(new ExecLimitError("timeoutMs", `ran past timeoutMs (${ms} ms): pid ${child.pid} was killed`)), ms);
    }
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    let done = false;
    const finish = (status: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      if (limit || done) return;
      done = true;
      const text = (stream: ExecStream) => Buffer.concat(chunks[stream]).toString("utf8");
      resolve({ pid: child.pid as number, status, signal, stdout: text("stdout"), stderr: text("stderr") });
    };
    child.on("exit", () => {
      if (limit) fail(limit);
    });
    whenEnded(child, finish);
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** How long output is still read after the program has exited, before pipes a background child holds are closed. */
const EXIT_DRAIN_MS = 200;

/**
 * Calls `ended` once the program has ended and what is in its pipes is read:
 * when they close or, since a process it left running in the background may
 * hold them for as long as it lives, EXIT_DRAIN_MS after its exit, later
 * while a reader is behind (a paused stream waits for it). The pipes are then
 * closed on this side, and the outcome is the program's, as a shell's `$?` is.
 */
export function whenEnded(child: ChildProcess, ended: (status: number | null, signal: NodeJS.Signals | null) => void): void {
  let done = false;
  const end = (status: number | null, signal: NodeJS.Signals | null) => {
    if (done) return;
    done = true;
    ended(status, signal);
  };
  // A merged output (merged-output.ts) is no pipe of Node's: the child's "close" does not wait for it.
  child.once("close", (status, signal) => whenClosed(child, () => end(status, signal)));
  child.once("exit", (status, signal) => {
    const drained = () => {
      if (done) return;
      if (STREAMS.some((stream) => child[stream]?.isPaused())) {
        setTimeout(drained, EXIT_DRAIN_MS).unref();
        return;
      }
      for (const stream of STREAMS) child[stream]?.destroy();
      end(status, signal);
    };
    setTimeout(drained, EXIT_DRAIN_MS).unref();
  });
}

/** Calls `then` once each output stream the child has is closed. */
function whenClosed(child: ChildProcess, then: () => void): void {
  const open = STREAMS.flatMap((stream) => {
    const readable = child[stream];
    return readable && !readable.closed ? [readable] : [];
  });
  let left = open.length;
  if (left === 0) then();
  for (const readable of open)
    readable.once("close", () => {
      if (--left === 0) then();
    });
}

function post(port: MessagePort, msg: FromExec): void {
  port.postMessage(msg, msg.type === "data" ? [msg.data.buffer as ArrayBuffer] : []);
}

/** Runs the program and relays its output and exit over `port` as they come; takes input, flow control and signals from it. */
function relay(argv: readonly string[], options: SpawnOptions, port: MessagePort, stdio: SpawnStdio): Promise<ExecExit & { pid: number }> {
  let child: ChildProcess;
  try {
    child = start(argv, options, stdio);
  } catch (err) {
    port.close();
    throw err;
  }
  return new Promise((resolve, reject) => {
    child.on("error", (err) => {
      port.close();
      reject(err);
    });
    if (child.pid === undefined) return;
    const pid = child.pid;
    post(port, { type: "spawned", pid });
    for (const stream of STREAMS) {
      // A copy of just the chunk's bytes, moved (not cloned) to the other thread.
      child[stream]?.on("data", (chunk: Buffer) => post(port, { type: "data", stream, data: new Uint8Array(chunk) }));
    }
    port.on("message", (msg: ToExec) => {
      switch (msg.type) {
        case "stdin":
          child.stdin?.write(msg.data, () => post(port, { type: "stdinWritten" }));
          return;
        case "stdinEnd":
          child.stdin?.end();
          return;
        case "pause":
          child[msg.stream]?.pause();
          return;
        case "resume":
          child[msg.stream]?.resume();
          return;
        case "kill":
          signalProgram(child, msg.signal, options.group);
      }
    });
    whenEnded(child, (status, signal) => {
      post(port, { type: "exit", status, signal });
      port.close();
      resolve({ pid, status, signal });
    });
  });
}

/**
 * Starts the program now, on this thread (which must be inside the
 * namespace); the promise settles when it has ended. A program that cannot
 * be found fails before anything starts.
 */
export function startExec(action: Extract<NsActionSpec, { kind: "exec" }>): Promise<unknown> {
  if (action.port) return relay(action.argv, action.options, action.port, action.stdio ?? "pipe");
  return collect(action.argv, action.options, [], action.control && killsFrom(action.control));
}

/** The signals the caller's exec sends over `port` (its `signal` aborted); the port is closed once the program has ended. */
function killsFrom(port: MessagePort): KillSource {
  return (kill) => {
    port.on("message", (msg: ToExec) => {
      if (msg.type === "kill") kill(msg.signal);
    });
    return () => port.close();
  };
}
