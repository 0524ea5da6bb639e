/**
 * spawn: a program inside a namespace whose output comes as it is written,
 * whose input is yours to write, and which can be signalled, as with
 * `ip netns exec`. The program is started through nsenter from this thread
 * where that works (exec-here.ts), else by a pool worker while inside the
 * namespace; the worker relays its stdio over a MessagePort and is free for
 * other work meanwhile.
 */

import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { Readable, Writable } from "node:stream";
import type { MessageChannel, MessagePort } from "node:worker_threads";
import type { ExecOptions, ExecResult, NsAction, NsActionSpec, SpawnOptions, SpawnStdio } from "./actions/ns-actions.js";
import { asDirectCall, errorFromJSON, shown, ValidationError } from "./errors.js";
import { canSpawnHere, execHere, type Started, spawnHere } from "./exec-here.js";
import type { NsProvider } from "./namespace/providers.js";
import type { Pool } from "./pool/pool.js";
import { whenAborted } from "./pool/when-aborted.js";
import { nsAction } from "./validate/actions.js";
import { readError, readFields } from "./validate/shape.js";
import * as v from "./validate/validate.js";
import { type KillSource, signalGroup, signalProgram } from "./worker/exec.js";
import type { ExecExit, ExecStream, FromExec, ToExec } from "./worker/exec-messages.js";

export type { ExecExit };

type ExecAction = Extract<NsActionSpec, { kind: "exec" }>;

/** A running program started by `spawn`. */
export interface ExecProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** End it (`stdin.end()`) for the program to read end-of-file. */
  readonly stdin: Writable;
  /**
   * Settles when the program has ended, after the last of its output was pushed to stdout and stderr; a process it
   * left in the background that holds its pipes is not waited for (see whenEnded).
   */
  readonly exited: Promise<ExecExit>;
  /** Sends a signal (default SIGTERM) to the program; with `group`, to every process of its group. */
  kill(signal?: NodeJS.Signals): void;
}

function checkSignal(signal: NodeJS.Signals): void {
  if (!Object.hasOwn(constants.signals, signal)) throw new ValidationError("signal", `${shown(signal)} is not a signal name`);
}

/** A program this thread started itself (through nsenter): its own streams. */
class ChildExec implements ExecProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  readonly exited: Promise<ExecExit>;
  readonly #child: ChildProcess;
  readonly #group: boolean | undefined;

  constructor({ child, stdout, stderr, exited }: Started, group: boolean | undefined) {
    this.#child = child;
    this.#group = group;
    this.pid = child.pid as number;
    this.stdout = stdout;
    this.stderr = stderr;
    this.stdin = child.stdin ?? nowhere();
    this.exited = exited;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    checkSignal(signal);
    signalProgram(this.#child, signal, this.#group);
  }
}

/** The input of a program whose stdio are this process's own: what is written goes nowhere. */
const nowhere = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** The caller's side of the port: streams fed by the worker's messages, input and signals sent back. */
class PortProcess implements ExecProcess {
  pid = 0;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  readonly exited: Promise<ExecExit>;
  #port: MessagePort;
  /** Streams the worker was told to stop reading, because their reader is behind. */
  #paused = new Set<ExecStream>();
  /** Completes the stdin write in flight once the worker has written it. */
  #stdinWritten: (() => void) | undefined;
  #resolve: (exit: ExecExit) => void = () => {};
  #reject: (err: unknown) => void = () => {};
  #ended = false;

  constructor(port: MessagePort, stdio: SpawnStdio) {
    this.#port = port;
    this.stdout = this.#readable("stdout");
    this.stderr = this.#readable("stderr");
    this.stdin =
      stdio === "inherit"
        ? nowhere()
        : new Writable({
            write: (chunk: Buffer, _encoding, done) => {
              if (this.#ended) return done();
              const data = new Uint8Array(chunk);
              this.#stdinWritten = done;
              this.#send({ type: "stdin", data }, [data.buffer]);
            },
            final: (done) => {
              this.#send({ type: "stdinEnd" });
              done();
            },
          });
    this.exited = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Whoever awaits exited sees a failure; nobody awaiting it is no reason to crash the process.
    this.exited.catch(() => {});
  }

  #readable(stream: ExecStream): Readable {
    return new Readable({
      read: () => {
        if (this.#paused.delete(stream)) this.#send({ type: "resume", stream });
      },
    });
  }

  #send(msg: ToExec, transfer: ArrayBuffer[] = []): void {
    if (!this.#ended) this.#port.postMessage(msg, transfer);
  }

  receive(msg: FromExec): void {
    switch (msg.type) {
      case "spawned":
        this.pid = msg.pid;
        return;
      case "stdinWritten":
        this.#releaseStdin();
        return;
      case "data":
        if (
          !this[msg.stream].push(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength)) &&
          !this.#paused.has(msg.stream)
        ) {
          this.#paused.add(msg.stream);
          this.#send({ type: "pause", stream: msg.stream });
        }
        return;
      case "exit":
        this.#end();
        this.#resolve({ status: msg.status, signal: msg.signal });
    }
  }

  /** The program is gone (or never started, or its worker died): no more output, input or signals. */
  #end(err?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#port.close();
    // stdin stays writable: what is written now goes nowhere, as into a pipe whose reader left.
    this.stdout.push(null);
    this.stderr.push(null);
    this.#releaseStdin();
    if (err !== undefined) this.#reject(err);
  }

  #releaseStdin(): void {
    const done = this.#stdinWritten;
    this.#stdinWritten = undefined;
    done?.();
  }

  fail(err: unknown): void {
    this.#end(err);
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    checkSignal(signal);
    this.#send({ type: "kill", signal });
  }
}

/**
 * Starts `argv` (no shell; argv[0] looked up in PATH) inside the namespace
 * `provider` gives and resolves once it runs; a program that cannot be found
 * rejects with ENOENT (EACCES if not runnable). There is no timeout: end it
 * with `kill`. It dies with the process that started it (PR_SET_PDEATHSIG
 * through util-linux's setpriv, when installed). With `pool`, a worker of
 * that pool starts it. `stdio: "inherit"` gives it this process's own stdin,
 * stdout and stderr; `stdio: "merged"` one pipe for its stdout and stderr, read
 * as `stdout` in the order it wrote them (see SpawnStdio).
 */
export async function spawn(
  provider: NsProvider,
  argv: readonly string[],
  options: SpawnOptions & { stdio?: SpawnStdio } = {},
  pool?: Pool,
): Promise<ExecProcess> {
  const { env, cwd, group, stdio } = readFields("options", options, ["env", "cwd", "group", "stdio"]) as typeof options;
  // Checked as the worker's task would be, whichever way the program starts.
  const action = nsAction("", {
    kind: "exec",
    argv,
    options: { env, cwd, ...(group !== undefined && { group }) },
    ...(stdio !== undefined && { stdio }),
  }) as ExecAction;
  // A pool given is a pool asked for; otherwise no worker is needed where nsenter can do it.
  if (pool === undefined && canSpawnHere(provider))
    return new ChildExec(await spawnHere(provider, action.argv, action.options, action.stdio ?? "pipe"), action.options.group);
  // Loaded only now: a program started without a worker needs no part of the pool, nor a port.
  const [{ defaultPool }, { MessageChannel }] = await Promise.all([import("./nsdo.js"), import("node:worker_threads")]);
  return spawnOnWorker(provider, action, pool ?? defaultPool(), new MessageChannel());
}

/** What exec takes besides na.exec's options: a way to signal the program while its output is collected. */
export interface ExecControl {
  /**
   * When it aborts, the program (its group, with `group`) gets the signal
   * named by the abort's reason (`controller.abort("SIGHUP")`), SIGTERM for
   * any other reason; it still runs to its end, and exec resolves with how
   * it ended. Aborted before the program runs: it gets the signal at once.
   */
  signal?: AbortSignal;
  /**
   * After the abort's signal, SIGKILL if the program has not ended this many
   * milliseconds later (default: none); with `group`, to every member of its
   * group still there then, even once the program itself has ended.
   */
  killGraceMs?: number;
}

/**
 * Runs `argv` inside the namespace `provider` gives to its end and returns
 * its exit and collected output: `nsDo(provider, na.exec(argv, options))` as
 * one call, with the same checks, limits (maxBuffer, timeoutMs), result and
 * errors, and it can be signalled meanwhile (ExecControl). Without `pool`,
 * where nsenter can enter the namespace (as for spawn), no worker starts.
 */
export async function exec(
  provider: NsProvider,
  argv: readonly string[],
  options: ExecOptions & ExecControl = {},
  pool?: Pool,
): Promise<ExecResult> {
  const [control, execOptions] = splitControl(options);
  const action = nsAction("", { kind: "exec", argv, options: execOptions }) as ExecAction;
  let abortedAt: number | undefined;
  const kills: KillSource | undefined =
    control.signal &&
    ((kill) =>
      onAbort(control, (signal) => {
        abortedAt ??= performance.now();
        kill(signal);
      }));
  const result =
    pool === undefined && canSpawnHere(provider)
      ? await execHere(provider, action.argv, action.options, kills)
      : await execOnWorker(provider, action, kills, pool);
  if (action.options.group && abortedAt !== undefined && control.killGraceMs !== undefined) {
    killGroupLater(result.pid, abortedAt + control.killGraceMs);
  }
  return result;
}

/** exec's program started and collected by a worker of `pool`; `kills` reach it over a port of its own. */
async function execOnWorker(
  provider: NsProvider,
  action: ExecAction,
  kills: KillSource | undefined,
  pool: Pool | undefined,
): Promise<ExecResult> {
  const [{ defaultPool, runOn }, { MessageChannel }] = await Promise.all([import("./nsdo.js"), import("node:worker_threads")]);
  const { port1, port2 } = kills ? new MessageChannel() : {};
  const stop = kills && port1 ? kills((signal) => port1.postMessage({ type: "kill", signal } satisfies ToExec)) : undefined;
  try {
    const {
      results: [result],
    } = await runOn(pool ?? defaultPool(), provider, [{ ...action, ...(port2 && { control: port2 }) } as NsAction<ExecResult>], {
      transfer: port2 ? [port2] : [],
    });
    return result as ExecResult;
  } catch (err) {
    throw asDirectCall(err);
  } finally {
    stop?.();
    port1?.close();
  }
}

/**
 * exec ends with its program, the group's leader; a member that ignored the
 * abort's signal (a `nohup`-ed child) still gets killGraceMs's SIGKILL, at
 * `at`, sent to the group. Its id is the leader's pid, which the kernel
 * keeps for the group while any member lives: none left now, nothing to do.
 */
function killGroupLater(pid: number, at: number): void {
  if (!signalGroup(pid, 0)) return;
  const kill = () => {
    // Nothing awaits this timer: a refusal (EPERM) must not become an uncaught exception of the caller's process.
    try {
      signalGroup(pid, "SIGKILL");
    } catch {}
  };
  setTimeout(kill, Math.max(0, at - performance.now()));
}

/** exec's options apart: ExecControl (checked here) and na.exec's (checked as the worker's task). */
function splitControl(options: ExecOptions & ExecControl): [ExecControl, unknown] {
  if (typeof options !== "object" || options === null) return [{}, options];
  try {
    // Read once, into plain data: a getter or a Proxy trap may throw, or answer differently a second time.
    const { signal, killGraceMs, ...rest } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ValidationError("options.signal", "must be an AbortSignal");
    if (killGraceMs !== undefined) v.integer("options.killGraceMs", killGraceMs, 1, 24 * 3600 * 1000);
    return [{ signal, killGraceMs }, rest];
  } catch (err) {
    // neslink's own refusals as they are; what a getter or trap threw, as a refusal of options.
    throw readError("options", err);
  }
}

/** Sends the abort's signal once `signal` aborts, then SIGKILL after killGraceMs; returns what stops both. */
function onAbort({ signal, killGraceMs }: ExecControl, kill: (signal: NodeJS.Signals) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const aborted = () => {
    const reason: unknown = signal?.reason;
    kill(typeof reason === "string" && Object.hasOwn(constants.signals, reason) ? (reason as NodeJS.Signals) : "SIGTERM");
    if (killGraceMs !== undefined) timer = setTimeout(() => kill("SIGKILL"), killGraceMs);
  };
  if (signal?.aborted) aborted();
  // Shared with every exec and task given the same signal: one listener for a Promise.all of them (no MaxListenersExceededWarning).
  const stopWaiting = signal && !signal.aborted ? whenAborted(signal, aborted) : undefined;
  return () => {
    stopWaiting?.();
    clearTimeout(timer);
  };
}

/** The program started by a worker inside the namespace, its stdio relayed over `channel`. */
function spawnOnWorker(provider: NsProvider, checked: ExecAction, pool: Pool, channel: MessageChannel): Promise<ExecProcess> {
  const { port1, port2 } = channel;
  const action: NsActionSpec = { ...checked, port: port2 };
  const proc = new PortProcess(port1, checked.stdio ?? "pipe");
  return new Promise((resolve, reject) => {
    port1.on("message", (msg: FromExec) => {
      proc.receive(msg);
      if (msg.type === "spawned") resolve(proc);
    });
    // The task's reply comes when the program has ended; only a failure says more than the port did.
    pool
      .run(provider, [action], undefined, { transfer: [port2] })
      .then((outcome) => outcome.error && settleFailure(errorFromJSON(outcome.error)), settleFailure);
    function settleFailure(err: unknown): void {
      const direct = asDirectCall(err);
      proc.fail(direct);
      reject(direct);
    }
  });
}
