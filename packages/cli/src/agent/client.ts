/**
 * The CLI as a client of a running agent: argv, directory and terminal
 * flags sent; output, the agent's request for input, and the exit status
 * received; SIGINT, SIGTERM, SIGHUP (and a broken stdout, as SIGPIPE) passed
 * on. Node built-ins only, so that a call costs Node's start-up and no more.
 */
import { lstatSync } from "node:fs";
import { connect } from "node:net";
import { wantsJson } from "../program-argv.js";
import type { ToAgent } from "./choose.js";
import { dataFrames, type Exit, encode, Frame, FrameReader, PROTOCOL, type Request } from "./frames.js";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const satisfies NodeJS.Signals[];

/** Core's error codes for this (the client cannot load core's errors module to make them). */
class AgentError extends Error {
  constructor(
    readonly code: "ERR_AGENT_UNAVAILABLE" | "ERR_AGENT_LOST",
    message: string,
  ) {
    super(message);
  }
}

/** The socket must be one, and its owner root or this user: anyone else's could be a fake agent collecting commands. */
function checkSocket(path: string): void {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch (err) {
    throw connectError(path, err as NodeJS.ErrnoException);
  }
  const me = process.getuid?.() ?? 0;
  if (!stats.isSocket()) throw new AgentError("ERR_AGENT_UNAVAILABLE", `${path} is not a socket`);
  if (stats.uid !== me && stats.uid !== 0)
    throw new AgentError("ERR_AGENT_UNAVAILABLE", `${path} belongs to uid ${stats.uid}, neither you nor root: not sending it commands`);
}

function connectError(path: string, err: NodeJS.ErrnoException): AgentError {
  if (err.code === "EACCES")
    return new AgentError("ERR_AGENT_UNAVAILABLE", `${path}: permission denied (an agent serves its owner and root)`);
  if (err.code === "ENOENT") return new AgentError("ERR_AGENT_UNAVAILABLE", `no agent at ${path} (start one with "neslink agent")`);
  if (err.code === "ECONNREFUSED")
    return new AgentError("ERR_AGENT_UNAVAILABLE", `no agent is listening at ${path} (a stale socket: "neslink agent" replaces it)`);
  return new AgentError("ERR_AGENT_UNAVAILABLE", `${path}: ${err.message}`);
}

/** As main prints its own errors: a line on stderr, or { error } on stdout with --json. */
function printError(err: AgentError, json: boolean): number {
  const error = { name: "NeslinkError", code: err.code, message: err.message };
  if (json) process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  else process.stderr.write(`neslink: ${error.code}: ${error.message}\n`);
  return 1;
}

/** Runs `to.argv` on the agent at `to.socket`; resolves with the exit status (or dies of the signal that ended the command). */
export async function viaAgent(to: ToAgent): Promise<number> {
  const json = wantsJson(to.argv);
  try {
    checkSocket(to.socket);
    const exit = await forward(to);
    if (exit.signal !== undefined) {
      // The command died of a signal this process got: so does this process, as it would have without the agent.
      for (const signal of FORWARDED) process.removeAllListeners(signal);
      process.kill(process.pid, exit.signal);
    }
    return exit.status;
  } catch (err) {
    if (err instanceof AgentError) return printError(err, json);
    throw err;
  }
}

/** main's stand-in for bin.ts: the agent gets argv (without --agent) and the real streams. */
export function clientFor(to: ToAgent): { main: (argv: readonly string[], io: unknown) => Promise<number> } {
  return { main: () => viaAgent(to) };
}

function forward(to: ToAgent): Promise<Exit> {
  const { stdin, stdout, stderr } = process;
  const request: Request = {
    protocol: PROTOCOL,
    argv: to.argv,
    cwd: process.cwd(),
    stdinIsTTY: stdin.isTTY === true,
    stdoutIsTTY: stdout.isTTY === true,
    ...(stdout.columns !== undefined && { columns: stdout.columns }),
  };
  return new Promise((resolve, reject) => {
    const socket = connect(to.socket);
    const reader = new FrameReader();
    let exit: Exit | undefined;
    let connected = false;
    let failure: NodeJS.ErrnoException | undefined;
    const send = (frame: Buffer) => {
      if (!socket.destroyed) socket.write(frame);
    };
    const onSignal = (signal: NodeJS.Signals) => send(encode(Frame.signal, signal));
    const onBrokenStdout = () => {
      onSignal("SIGPIPE");
      // Output now goes nowhere: a wait for stdout to drain would never end.
      socket.resume();
    };
    const onInput = (data: Buffer) => {
      if (!socket.write(dataFrames(Frame.stdin, data))) {
        stdin.pause();
        socket.once("drain", () => stdin.resume());
      }
    };
    const onInputEnd = () => send(encode(Frame.stdinEnd));

    const blocked = new Set<NodeJS.WriteStream>();
    const write = (stream: NodeJS.WriteStream, data: Buffer) => {
      if (stream.destroyed) return;
      // A reader slower than the agent: the agent waits (the socket is not read) rather than this process buffering.
      if (!stream.write(data) && !blocked.has(stream)) {
        blocked.add(stream);
        socket.pause();
        stream.once("drain", () => {
          blocked.delete(stream);
          if (blocked.size === 0) socket.resume();
        });
      }
    };
    socket.on("connect", () => {
      connected = true;
      for (const signal of FORWARDED) process.on(signal, onSignal);
      stdout.on("error", onBrokenStdout);
      send(encode(Frame.request, JSON.stringify(request)));
    });
    socket.on("data", (chunk: Buffer) => {
      let frames: ReturnType<FrameReader["push"]>;
      try {
        frames = reader.push(chunk);
      } catch {
        // Not neslink's protocol at the other end: as good as gone.
        socket.destroy();
        return;
      }
      for (const { kind, payload } of frames) {
        if (kind === Frame.stdout) write(stdout, payload);
        else if (kind === Frame.stderr) write(stderr, payload);
        else if (kind === Frame.exit) exit = JSON.parse(payload.toString()) as Exit;
        else if (kind === Frame.wantStdin) {
          stdin.on("data", onInput);
          stdin.once("end", onInputEnd);
          stdin.once("error", onInputEnd);
        }
      }
    });
    socket.on("error", (err) => {
      failure = err;
    });
    socket.on("close", () => {
      for (const signal of FORWARDED) process.off(signal, onSignal);
      stdout.off("error", onBrokenStdout);
      stdin.off("data", onInput);
      // Reading on would keep this process waiting for input no command will get.
      stdin.destroy();
      if (exit) resolve(exit);
      else if (!connected && failure) reject(connectError(to.socket, failure));
      else reject(new AgentError("ERR_AGENT_LOST", `the agent at ${to.socket} went away before the command ended`));
    });
  });
}
