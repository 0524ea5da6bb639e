/**
 * The agent: core loaded and its pool started once, then every client's
 * command run in this process, several at a time (a `monitor` does not hold
 * up an `ns add`), each in a Session of its own. SIGTERM or SIGINT drains:
 * no new connections, new requests refused, running commands told SIGTERM
 * (exec's program, monitor) and waited for; a second signal, or the drain
 * timeout, cuts what is left.
 */
import { createServer, type Server } from "node:net";
import { dirname } from "node:path";
import { NeslinkError } from "@neslink/core/errors";
import { listenUnix } from "@neslink/core/unix-socket";
import type { Terminal } from "../command.js";
import { topology } from "../core.js";
import { DRAIN_TIMEOUT_MS } from "./grace.js";
import type { AgentLimits } from "./limits.js";
import { markAgent } from "./mark.js";
import { type Run, Session } from "./session.js";
import { privateDir } from "./socket-dir.js";

/**
 * A Session for each connection to `server`, in the returned set while it lasts. One past `maxConnections` is refused
 * (ERR_TOO_MANY_CONNECTIONS) when its request comes, unless `refusal` refuses it first; past twice that, Node closes
 * a connection as soon as it is accepted, so that many connections cannot exhaust the agent's descriptors.
 */
export function sessionsOf(server: Server, run: Run, refusal: () => NeslinkError | undefined, limits: AgentLimits): Set<Session> {
  const sessions = new Set<Session>();
  const busy = () =>
    new NeslinkError(
      "ERR_TOO_MANY_CONNECTIONS",
      `the agent serves ${limits.maxConnections} connection${limits.maxConnections === 1 ? "" : "s"} at once and has as many; nothing was run (try again once one ends)`,
    );
  server.maxConnections = 2 * limits.maxConnections;
  server.on("connection", (socket) => {
    const refused = sessions.size >= limits.maxConnections ? () => refusal() ?? busy() : refusal;
    const session = new Session(socket, run, refused, () => sessions, limits.idleTimeoutMs);
    sessions.add(session);
    void session.finished.then(() => sessions.delete(session));
  });
  return sessions;
}

/** Serves on `socketPath` until a signal; resolves when drained. `ready` is called once clients can connect. */
export async function serve(socketPath: string, terminal: Terminal, ready: (pid: number) => void, limits: AgentLimits): Promise<void> {
  const say = (line: string) => terminal.stderr.write(`neslink agent: ${line}\n`);
  privateDir(dirname(socketPath));
  // Everything a command may need, loaded and started now rather than by the first client.
  await topology();
  const { main } = await import("../main.js");
  let draining = false;
  const refusal = () => (draining ? new NeslinkError("ERR_SHUTTING_DOWN", "the agent is stopping; nothing was run") : undefined);
  const server = createServer();
  const sessions = sessionsOf(server, (argv, io) => main(argv, io, { keepPool: true }), refusal, limits);
  // Before the first command: a lab's lock it takes for one is then known, by anyone who meets it, to be an agent's.
  const unmark = await markAgent();
  try {
    await listenUnix(server, socketPath, "--socket");
  } catch (err) {
    unmark();
    throw err;
  }
  say(`listening on ${socketPath} (pid ${process.pid})`);
  ready(process.pid);

  let stop = (_signal: NodeJS.Signals) => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    stop = resolve;
  });
  const unlisten = terminal.onSignals(["SIGINT", "SIGTERM"], (signal) => stop(signal));
  try {
    say(`${await signalled}: draining (at most ${DRAIN_TIMEOUT_MS / 1000} s)`);
    draining = true;
    server.close();
    for (const session of sessions) session.drain();
    let timer: NodeJS.Timeout | undefined;
    const cut = await Promise.race([
      Promise.all([...sessions].map((s) => s.finished)).then(() => false),
      new Promise<NodeJS.Signals>((resolve) => {
        stop = resolve;
      }).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), DRAIN_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (cut && sessions.size > 0) {
      const commands = [...sessions].map((s) => `"${s.argv.join(" ")}"`);
      for (const session of sessions) session.destroy();
      throw new NeslinkError("ERR_DRAIN_TIMEOUT", `the agent stopped before ${commands.length} command(s) ended: ${commands.join(", ")}`);
    }
    say("drained; exiting");
  } finally {
    unlisten();
    server.close();
    unmark();
  }
}
