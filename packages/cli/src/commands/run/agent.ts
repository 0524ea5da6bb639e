import { resolve } from "node:path";
import { ValidationError } from "@neslink/core/errors";
import { DEFAULT_SOCKET } from "../../agent/choose.js";
import { agentLimits } from "../../agent/limits.js";
import type { Run } from "../../command.js";

export const agent: Run = async ({ options }, { terminal }) => {
  if (terminal.cwd !== undefined) throw new ValidationError("command", "agent runs in a process of its own, not through an agent");
  const socket = resolve(typeof options.socket === "string" ? options.socket : DEFAULT_SOCKET);
  // Said here, before a directory is made or a detached agent started: the path bound is the resolved one.
  const { checkSocketPath } = await import("@neslink/core/unix-socket");
  checkSocketPath(socket, "--socket");
  const limits = agentLimits(options);
  const { runAgent, startDetached } = await import("../../agent/start.js");
  if (!options.detach) {
    await runAgent(socket, terminal, limits);
    return { data: undefined, text: "" };
  }
  const pid = await startDetached(socket, limits);
  const { quote } = await import("shell-quote");
  return {
    data: { socket, pid },
    text: `NESLINK_AGENT=${quote([socket])}; export NESLINK_AGENT; NESLINK_AGENT_PID=${pid}; export NESLINK_AGENT_PID;\n`,
  };
};
