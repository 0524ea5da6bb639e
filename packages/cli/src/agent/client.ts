/**
 * The CLI as a client of a running agent: argv, directory and terminal
 * flags sent; output, the agent's request for input, and the exit status
 * received; SIGINT, SIGTERM, SIGHUP (and a broken stdout, as SIGPIPE) passed
 * on. So that a call costs little more than Node's start-up, the socket is
 * core's unix-client (libc's connect, then node:fs): node:net, and the
 * standard streams Node makes of a pipe or a terminal, would cost as much
 * again as Node's start. Only input the command asks for goes through
 * process.stdin.
 */
import { closeSync, lstatSync, read } from "node:fs";
import { connectUnix, isTerminal, shutdownSocket, terminalColumns, unixPathProblem } from "@neslink/core/unix-client";
import type { Terminal } from "../command.js";
import type { FdWriter } from "../fd-writer.js";
import { poolWriter } from "../pool-writer.js";
import { wantsJson } from "../program-argv.js";
import { sameOutput } from "../same-output.js";
import type { ToAgent } from "./choose.js";
import { dataFrames, type Exit, encode, Frame, FrameReader, PROTOCOL, type Request } from "./frames.js";

/** The bin's writers of stdout and stderr, and its signals (a reader leaving stdout among them, as SIGPIPE). */
interface ClientIo {
  out: FdWriter;
  err: FdWriter;
  terminal: Pick<Terminal, "onSignals">;
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const satisfies NodeJS.Signals[];
/** After a signal, how long output may wait for its reader before the reader is taken as one that stopped reading. */
const HELD_MS = 250;
/** The signals a command's exit may say it ended of: those passed on to it (a closed stdout as SIGPIPE). */
const ENDING_SIGNALS = [...FORWARDED, "SIGPIPE"] as const;

/** Core's error codes for this (the client cannot load core's errors module to make them). */
class AgentError extends Error {
  constructor(
    readonly code: "ERR_AGENT_UNAVAILABLE" | "ERR_AGENT_LOST" | "ERR_INVALID_ARGUMENT",
    message: string,
    /** The input at fault, for an ERR_INVALID_ARGUMENT: printed as core's ValidationError would be. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The socket must be one, and its owner root or this user: anyone else's could be a fake agent collecting commands. */
function checkSocket(path: string): void {
  // Only $NESLINK_AGENT can be a path no socket has (the default socket's is short); lstat would find no such file,
  // and "start one" would send the user to an agent that cannot listen there either.
  const problem = unixPathProblem(path);
  if (problem !== undefined) throw new AgentError("ERR_INVALID_ARGUMENT", `NESLINK_AGENT: ${problem}`, "NESLINK_AGENT");
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    throw connectError(path, code, message);
  }
  const me = process.getuid?.() ?? 0;
  if (!stats.isSocket()) throw new AgentError("ERR_AGENT_UNAVAILABLE", `${path} is not a socket`);
  if (stats.uid !== me && stats.uid !== 0)
    throw new AgentError("ERR_AGENT_UNAVAILABLE", `${path} belongs to uid ${stats.uid}, neither you nor root: not sending it commands`);
}

/** `detail`: the failure as Node or core put it, for codes without words of their own here. */
function connectError(path: string, code: string | undefined, detail: string): AgentError {
  if (code === "EACCES") return new AgentError("ERR_AGENT_UNAVAILABLE", `${path}: permission denied (an agent serves its owner and root)`);
  if (code === "ENOENT") return new AgentError("ERR_AGENT_UNAVAILABLE", `no agent at ${path} (start one with "neslink agent")`);
  if (code === "ECONNREFUSED")
    return new AgentError("ERR_AGENT_UNAVAILABLE", `no agent is listening at ${path} (a stale socket: "neslink agent" replaces it)`);
  return new AgentError("ERR_AGENT_UNAVAILABLE", `${path}: ${detail}`);
}

/** As main prints its own errors: a line on stderr, or { error } on stdout with --json. */
function printError(err: AgentError, json: boolean, io: ClientIo): number {
  const { code, message, field } = err;
  const error = field === undefined ? { name: "NeslinkError", code, message } : { name: "ValidationError", code, message, field };
  if (json) io.out(`${JSON.stringify({ error }, null, 2)}\n`);
  else io.err(`neslink: ${error.code}: ${error.message}\n`);
  // As main's exit statuses: 2 for a mistake in what was given.
  return err.code === "ERR_INVALID_ARGUMENT" ? 2 : 1;
}

/** Runs `to.argv` on the agent at `to.socket`; resolves with the exit status (or dies of the signal that ended the command). */
export async function viaAgent(to: ToAgent, io: ClientIo): Promise<number> {
  const json = wantsJson(to.argv);
  try {
    checkSocket(to.socket);
    const connection = connectUnix(to.socket);
    if (!("fd" in connection)) {
      const { syscall, errno } = connection;
      throw connectError(to.socket, errno, `${syscall} failed: ${errno}`);
    }
    const exit = await forward(to, connection.fd, io);
    // The command died of a signal this process got: so does this process (its handlers gone with forward), as it would have without the agent.
    if (exit.signal !== undefined) process.kill(process.pid, exit.signal);
    return exit.status;
  } catch (err) {
    if (err instanceof AgentError) return printError(err, json, io);
    throw err;
  }
}

/** main's stand-in for bin.ts: the agent gets argv (without --agent) and the real streams. */
export function clientFor(to: ToAgent): { main: (argv: readonly string[], io: ClientIo) => Promise<number> } {
  return { main: (_argv, io) => viaAgent(to, io) };
}

/** What the socket has for this process next: bytes, or nothing (the agent closed it, or it broke: gone either way). */
function receive(fd: number, buffer: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    // On libuv's pool: the socket is a blocking one, and this thread keeps taking signals meanwhile.
    read(fd, buffer, 0, buffer.length, null, (err, n) => resolve(err || n === 0 ? undefined : Buffer.from(buffer.subarray(0, n))));
  });
}

/** The exit frame's payload, or undefined if it is not one (then the other end is not an agent, or a broken one). */
function parseExit(payload: Buffer): Exit | undefined {
  let exit: Partial<Exit> | null;
  try {
    exit = JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
  const { status, signal } = exit ?? {};
  if (!Number.isInteger(status) || (status as number) < 0 || (status as number) > 255) return undefined;
  // A command ends of a signal only as this process passed it on (node:os's table of every signal would cost ~2M to load).
  if (signal !== undefined && !ENDING_SIGNALS.includes(signal as (typeof ENDING_SIGNALS)[number])) return undefined;
  return { status: status as number, ...(signal !== undefined && { signal }) };
}

/**
 * Runs the request on the connected socket `fd` (closed when done). What goes
 * to the agent is written in order on libuv's pool (pool-writer), input
 * waiting while a frame is: this process keeps reading output and taking
 * signals meanwhile (the socket is a blocking one, and an agent not reading,
 * busy, stalled or waiting for this process to read output first, would hold
 * a write(2) on the main thread for ever). A frame that cannot be written is
 * dropped with all after it: the agent went away, and reading the socket
 * says so. Output is written as it comes, and the socket is read again only
 * once the output has gone (a reader slower than the agent holds the agent up
 * rather than this process buffering).
 */
async function forward(to: ToAgent, fd: number, io: ClientIo): Promise<Exit> {
  const send = poolWriter(fd);
  const stdoutIsTTY = isTerminal(1);
  const columns = stdoutIsTTY ? terminalColumns(1) : undefined;
  const request: Request = {
    protocol: PROTOCOL,
    argv: to.argv,
    cwd: process.cwd(),
    stdinIsTTY: isTerminal(0),
    stdoutIsTTY,
    ...(columns !== undefined && { columns }),
    // The agent then sends stderr as stdout: written by one writer, frames keep the order two would lose.
    ...(sameOutput() && { sharedOutput: true }),
  };
  // Once a signal came, output that a reader is not taking no longer holds the socket: the exit frame must still come
  // through (a stdout nobody reads would otherwise keep this process for ever), and what cannot go is dropped, as the
  // program dying of the signal would have dropped it.
  let signalled = false;
  let onSignalled = () => {};
  const interrupted = new Promise<void>((resolve) => {
    onSignalled = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = true;
    onSignalled();
    send(encode(Frame.signal, signal));
  };
  // After the signal, output still goes to a reader that takes it (a terminal given back, a last word); one that has
  // not taken the last piece within the grace is taken as gone, and the rest is dropped.
  let held = false;
  const taken = async (writers: FdWriter[]) => {
    if (held || !writers.some((w) => w.unsent())) return !held;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, HELD_MS, false);
    });
    held = !(await Promise.race([Promise.all(writers.map((w) => w.drained())).then(() => true), late]));
    clearTimeout(timer);
    return !held;
  };
  // The bin writes both on the pool, each in its order: one waits for the other's last piece, so that they keep theirs.
  const print = async (to: FdWriter, other: FdWriter, payload: Buffer) => {
    if (!signalled && other.unsent()) await Promise.race([other.drained(), interrupted]);
    if (!signalled || (await taken([to, other]))) to(payload);
  };
  // The bin calls every such handler with SIGPIPE too, when stdout's reader leaves.
  const stopForwarding = io.terminal.onSignals(FORWARDED, onSignal);
  // A piece of input each time the agent asks: it never holds more than it can take, and so never stops reading the socket.
  const onInput = (data: Buffer) => {
    stdin?.pause();
    send(dataFrames(Frame.stdin, data));
  };
  const onInputEnd = () => send(encode(Frame.stdinEnd));
  let stdin: NodeJS.ReadStream | undefined;
  try {
    send(encode(Frame.request, JSON.stringify(request)));
    const reader = new FrameReader();
    const buffer = Buffer.allocUnsafe(1 << 16);
    let exit: Exit | undefined;
    for (let chunk = await receive(fd, buffer); chunk !== undefined; chunk = await receive(fd, buffer)) {
      let frames: ReturnType<FrameReader["push"]>;
      try {
        frames = reader.push(chunk);
      } catch {
        // Not neslink's protocol at the other end: as good as gone.
        break;
      }
      let garbled = false;
      for (const { kind, payload } of frames) {
        if (kind === Frame.stdout) await print(io.out, io.err, payload);
        else if (kind === Frame.stderr) await print(io.err, io.out, payload);
        else if (kind === Frame.exit) {
          exit = parseExit(payload);
          garbled = exit === undefined;
          if (garbled) break;
        } else if (kind === Frame.wantStdin && stdin !== undefined) stdin.resume();
        else if (kind === Frame.wantStdin) {
          stdin = process.stdin;
          stdin.on("data", onInput);
          stdin.once("end", onInputEnd);
          stdin.once("error", onInputEnd);
        }
      }
      if (garbled) break;
      if (!signalled) await Promise.race([Promise.all([io.out.drained(), io.err.drained()]), interrupted]);
      // The exit is the agent's last word: waiting on for it to close would let an agent that never does hold this process.
      if (exit) break;
    }
    if (exit) return exit;
    throw new AgentError("ERR_AGENT_LOST", `the agent at ${to.socket} went away before the command ended`);
  } finally {
    stopForwarding();
    if (stdin) {
      stdin.off("data", onInput);
      // Reading on would keep this process waiting for input no command will get.
      stdin.destroy();
    }
    // A frame being written on the pool still uses the descriptor, and an agent that reads no more would hold that write
    // for ever: the shutdown ends it at once, and the descriptor is closed after it.
    shutdownSocket(fd);
    send.stop();
    await send.idle();
    closeSync(fd);
  }
}
