/**
 * One client's command on the agent: its request read, main() run with the
 * client's streams, directory and signals, its output and exit status sent
 * back. When the client goes away mid-command, what can be stopped is: the
 * command's signal handlers get SIGHUP (exec's program, monitor's stream),
 * then SIGKILL if it is still running after a grace; the shell runs no
 * further line; a question gets end-of-file. What cannot (a kernel change
 * already sent, an apply in progress) finishes, and its output is dropped.
 */
import type { Socket } from "node:net";
import { constants } from "node:os";
import { Readable, Writable } from "node:stream";
import { NeslinkError } from "@neslink/core/errors";
import type { Terminal } from "../command.js";
import type { Io } from "../main.js";
import { wantsJson } from "../program-argv.js";
import { drained, written } from "../drained.js";
import { errorText, exitCodeOf } from "../output.js";
import { dataFrames, type Exit, encode, Frame, FrameReader, PROTOCOL, type Request } from "./frames.js";
import { HANGUP_GRACE_MS, IDLE_TIMEOUT_MS } from "./grace.js";
import { asAgentSays, type OthersClients } from "./own-lock.js";

/** Runs one call of the CLI (main, keeping the pool). */
export type Run = (argv: string[], io: Io) => Promise<number>;

/**
 * Input held for a command. The client sends a piece of input only when
 * asked (wantStdin), so this is never reached by one, and the socket is read
 * all along: its signals, and its going away, are heard however much input
 * waits. Past it (a client sending unasked), the socket is not read.
 */
const STDIN_HIGH_WATER = 1 << 20;

type Handler = { signals: readonly NodeJS.Signals[]; handler: (signal: NodeJS.Signals) => void };

function isRequest(value: unknown): value is Request {
  const r = value as Request;
  return (
    typeof r === "object" &&
    r !== null &&
    Array.isArray(r.argv) &&
    r.argv.every((a) => typeof a === "string") &&
    typeof r.cwd === "string" &&
    r.cwd.startsWith("/")
  );
}

export class Session {
  /** Settles when the command has ended (or never started). */
  readonly finished: Promise<void>;
  /** The command line, for the agent's messages. */
  argv: string[] = [];
  readonly #socket: Socket;
  readonly #ended = new AbortController();
  readonly #handlers = new Set<Handler>();
  readonly #reader = new FrameReader();
  #stdin: Readable | undefined;
  #stdinAsked = false;
  #stdinEnded = false;
  #started = false;
  /** The exit was sent (or the client is gone): nothing more goes to it. */
  #replied = false;
  #kill: NodeJS.Timeout | undefined;
  /** Runs out when the request has not come in time (IDLE_TIMEOUT_MS). */
  readonly #awaited: NodeJS.Timeout;
  /** Runs out when the client has not closed its end in time once it has its exit. */
  #linger: NodeJS.Timeout | undefined;
  /** How long the client may leave the connection idle: before its request, after its exit. */
  readonly #idleMs: number;
  #finish: () => void = () => {};

  /** The client is still connected: a command of its that holds a lab is one someone is waiting for. */
  get clientConnected(): boolean {
    return !this.#clientGone;
  }
  #clientGone = false;
  readonly #peers: () => Iterable<Session>;

  /**
   * `peers`: the agent's sessions (this one among them), to say whose command holds a lab this one cannot have;
   * `idleTimeoutMs`: how long the connection may sit idle, before its request and after its exit.
   */
  constructor(
    socket: Socket,
    run: Run,
    refusal: () => NeslinkError | undefined,
    peers: () => Iterable<Session> = () => [],
    idleTimeoutMs = IDLE_TIMEOUT_MS,
  ) {
    this.#socket = socket;
    this.#idleMs = idleTimeoutMs;
    this.#awaited = setTimeout(() => this.#requestTimedOut(idleTimeoutMs), idleTimeoutMs);
    this.#peers = peers;
    this.finished = new Promise((resolve) => {
      this.#finish = resolve;
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const { kind, payload } of this.#reader.push(chunk)) this.#receive(kind, payload, run, refusal);
      } catch {
        // Not this protocol: nothing to answer.
        socket.destroy();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(this.#awaited);
      clearTimeout(this.#linger);
      this.#clientGone = true;
      if (!this.#replied) this.hangUp("SIGHUP");
      if (!this.#started) this.#finish();
    });
  }

  #receive(kind: number, payload: Buffer, run: Run, refusal: () => NeslinkError | undefined): void {
    if (kind === Frame.request && !this.#started) {
      // Too late: the connection was answered and is closing.
      if (this.#replied) return;
      const request: unknown = JSON.parse(payload.toString());
      if (!isRequest(request)) throw new Error("not a request");
      clearTimeout(this.#awaited);
      this.#started = true;
      void this.#run(request, run, refusal);
    } else if (kind === Frame.stdin) {
      const asked = this.#stdinAsked;
      this.#stdinAsked = false;
      // Input for a command that has stopped reading it (exec's program ended) is dropped.
      const stdin = this.#stdin;
      if (stdin && !this.#stdinEnded && !stdin.destroyed && !stdin.push(payload) && !asked) this.#socket.pause();
    } else if (kind === Frame.stdinEnd) this.#endStdin();
    else if (kind === Frame.signal) this.#signal(payload.toString() as NodeJS.Signals);
    else throw new Error(`unexpected frame ${kind}`);
  }

  /**
   * Whether the clients of the agent's other running commands are all still connected, all gone, or some of each: a
   * lab's lock the agent holds is held for one of those commands (core names only the process that holds it).
   */
  #othersClients(): OthersClients {
    const others = [...this.#peers()].filter((s) => s !== this && s.#started);
    const connected = others.filter((s) => s.clientConnected).length;
    return connected === others.length ? "waiting" : connected === 0 ? "gone" : "some";
  }

  #endStdin(): void {
    if (this.#stdinEnded) return;
    this.#stdinEnded = true;
    this.#stdin?.push(null);
  }

  async #run(request: Request, run: Run, refusal: () => NeslinkError | undefined): Promise<void> {
    this.argv = request.argv;
    const io = this.#io(request);
    const refused =
      request.protocol === PROTOCOL
        ? refusal()
        : new NeslinkError(
            "ERR_AGENT_UNAVAILABLE",
            `the agent speaks protocol ${PROTOCOL} and this neslink ${request.protocol}: restart the agent with this neslink`,
          );
    const json = wantsJson(request.argv);
    try {
      // main answers every error itself; a throw here is a defect, still answered.
      const status = await (refused ? this.#fail(refused, io, json) : run(request.argv, io).catch((err) => this.#fail(err, io, json)));
      // What the command wrote is still queued in its streams: all of it goes before the exit.
      await Promise.all([...new Set([io.terminal.stdout, io.terminal.stderr])].map((w) => new Promise((resolve) => w.end(resolve))));
      this.#exit({ status });
    } finally {
      clearTimeout(this.#kill);
      this.#finish();
    }
  }

  /**
   * No request in time: the client is told why, as a command's error (it asked for nothing, so not as JSON), and the
   * connection closed once that is written, whether or not the client reads or closes its end.
   */
  #requestTimedOut(ms: number): void {
    if (this.#started || this.#replied) return;
    this.#replied = true;
    const err = new NeslinkError(
      "ERR_REQUEST_TIMEOUT",
      `no request came within ${ms / 1000} s of connecting; the agent closed the connection`,
    );
    const said = dataFrames(Frame.stderr, Buffer.from(errorText(err, false)));
    const exit = encode(Frame.exit, JSON.stringify({ status: exitCodeOf(err) } satisfies Exit));
    this.#socket.end(Buffer.concat([said, exit]), () => this.#socket.destroy());
  }

  #fail(err: unknown, io: Io, json: boolean): number {
    if (json) io.out(errorText(err, true));
    else io.err(errorText(err, false));
    return exitCodeOf(err);
  }

  #io(request: Request): Io {
    const stdin = Object.assign(
      new Readable({
        highWaterMark: STDIN_HIGH_WATER,
        read: () => {
          // A piece at a time, asked for when the command reads (a command that never reads leaves a terminal alone).
          this.#socket.resume();
          if (!this.#stdinAsked) {
            this.#stdinAsked = true;
            this.#send(encode(Frame.wantStdin));
          }
        },
      }),
      { isTTY: request.stdinIsTTY },
    );
    this.#stdin = stdin;
    const stdout = Object.assign(this.#writable(Frame.stdout), { isTTY: request.stdoutIsTTY, columns: request.columns });
    // Into one file, as one stream: two, each waiting for the socket, would reorder what the command wrote to them.
    const sharedOutput = request.sharedOutput === true;
    const stderr = sharedOutput ? stdout : this.#writable(Frame.stderr);
    const terminal: Terminal = {
      stdin,
      stdout,
      stderr,
      cwd: request.cwd,
      sharedOutput,
      ended: this.#ended.signal,
      // The agent's own privilege is what the kernel judges, not its client's.
      unprivileged: process.geteuid?.() !== 0,
      onSignals: (signals, handler) => {
        const entry = { signals, handler };
        this.#handlers.add(entry);
        return () => this.#handlers.delete(entry);
      },
      raise: (signal) => this.#signal(signal),
      asCallerSees: (err) => asAgentSays(err, this.#othersClients()),
    };
    return {
      out: (text) => stdout.write(text),
      drained: () => drained(stdout),
      err: (text) => stderr.write(text),
      // Once it has gone, a signal no handler holds would send the exit (130) ahead of output still queued.
      sent: async () => {
        await Promise.all([...new Set([stdout, stderr])].map(written));
      },
      terminal,
    };
  }

  #writable(kind: typeof Frame.stdout | typeof Frame.stderr): Writable {
    return new Writable({
      // The callback waits for the socket: a slow client slows the command's output, as a slow pipe would.
      write: (chunk: Buffer, _encoding, done) => this.#send(dataFrames(kind, chunk), () => done()),
    });
  }

  #send(frame: Buffer, done?: () => void): void {
    if (this.#replied || this.#socket.destroyed) {
      done?.();
      return;
    }
    this.#socket.write(frame, () => done?.());
  }

  #exit(exit: Exit): void {
    if (this.#replied) return;
    this.#send(encode(Frame.exit, JSON.stringify(exit)));
    this.#replied = true;
    // Read on, so that the client's end is seen and the socket closes.
    this.#socket.resume();
    // A client that keeps its end open once it has the exit holds a descriptor for nothing: it gets the idle time from
    // when the exit is written (it has it then, however slowly it reads).
    this.#socket.end(() => {
      this.#linger = setTimeout(() => this.#socket.destroy(), this.#idleMs);
    });
  }

  /**
   * A signal the client got: the command's handlers for it get it (exec
   * passes it on, monitor stops). A command with none would have died of it:
   * the client is told so at once, and the command is hung up on.
   */
  #signal(signal: NodeJS.Signals): void {
    if (!Object.hasOwn(constants.signals, signal)) return;
    const handlers = [...this.#handlers].filter((h) => h.signals.includes(signal));
    for (const { handler } of handlers) handler(signal);
    if (handlers.length > 0) return;
    this.hangUp(signal);
    this.#exit({ status: 128 + constants.signals[signal], signal });
  }

  /** Every handler, whatever it asked for: the command must end. */
  #end(signal: NodeJS.Signals): void {
    for (const { handler } of this.#handlers) handler(signal);
  }

  /** No further shell line, end-of-file on input, every handler gets `signal`. */
  #stop(signal: NodeJS.Signals): boolean {
    if (this.#ended.signal.aborted) return false;
    this.#ended.abort();
    this.#endStdin();
    this.#end(signal);
    return true;
  }

  /** Whoever called has gone (`SIGHUP`, or the signal that ended the client): stopped, and SIGKILL after the grace. */
  hangUp(signal: NodeJS.Signals): void {
    if (this.#stop(signal)) this.#kill = setTimeout(() => this.#end("SIGKILL"), HANGUP_GRACE_MS);
  }

  /** The agent is stopping: stopped with SIGTERM; the client still gets the rest of the output and the exit. */
  drain(): void {
    this.#stop("SIGTERM");
  }

  /** Ends the connection at once (the agent's drain ran out of time). */
  destroy(): void {
    this.#end("SIGKILL");
    this.#replied = true;
    this.#socket.destroy();
  }
}
