import { DEFAULT_SOCKET } from "../agent/choose.js";
import { IDLE_TIMEOUT_MAX_S, IDLE_TIMEOUT_MS, MAX_CONNECTIONS, MAX_CONNECTIONS_MAX } from "../agent/grace.js";
import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const agent: Command = {
  name: "agent",
  summary: "keep neslink running on a unix socket, so that each command skips start-up (as ssh-agent, dockerd)",
  synopsis: "agent [--socket PATH] [--detach] [--idle-timeout SECONDS] [--max-connections N]",
  args: [],
  options: ["socket", "detach", "idle-timeout", "max-connections"],
  parallel: true,
  details: [
    `Listens on PATH (default ${DEFAULT_SOCKET}), a socket only its owner and root can use (mode 0600;`,
    "its directory made 0700 if new, refused if others may write to it; a stale socket left by a killed agent",
    "is replaced, a live one is not). Core and its pool are started once; each command then costs Node's",
    "start-up and its kernel work. Run commands through it with NESLINK_AGENT=PATH, or --agent (its default",
    "socket): the client loads nothing of neslink, forwards argv, directory, input and signals, and prints",
    "what the command prints, exiting as it would have. Commands run at the same time; exec runs in the",
    "agent's environment, in the client's directory.",
    "A client that goes away: its command is hung up on (exec's program gets SIGHUP, then SIGKILL after 2 s;",
    "a shell script runs no further line). SIGTERM/SIGINT: new commands refused, running ones told SIGTERM and",
    "waited for (10 s at most), then exit 0; a second signal cuts them (exit 1).",
    "A connection with no request SECONDS after connecting, or still open SECONDS after its exit, is closed",
    "(ERR_REQUEST_TIMEOUT); past N connections at once, a command is refused (ERR_TOO_MANY_CONNECTIONS).",
    `SECONDS: 0.001 to ${IDLE_TIMEOUT_MAX_S}, default ${IDLE_TIMEOUT_MS / 1000}; N: 1 to ${MAX_CONNECTIONS_MAX}, default ${MAX_CONNECTIONS}.`,
    '--detach: in the background; prints shell variables for `eval "$(neslink agent --detach)"`',
    "(NESLINK_AGENT, NESLINK_AGENT_PID); --json: { socket, pid }.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/agent.js"),
    (m) => m.agent,
  ),
};
