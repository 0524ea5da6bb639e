/**
 * Whether a call goes to a running agent instead of running here, decided
 * from argv and the environment alone, before anything else is loaded.
 */

import { ownArgs } from "../program-argv.js";

/** Where `neslink agent` listens unless told otherwise: a directory of root's own under /run. */
export const DEFAULT_SOCKET = "/run/neslink/agent.sock";

export interface ToAgent {
  socket: string;
  /** argv without `--agent`, as the agent parses it. */
  argv: string[];
}

/**
 * `--agent` (among neslink's own arguments, not an exec's program's): the
 * agent at $NESLINK_AGENT, or the default socket. Without it, $NESLINK_AGENT
 * set and not empty: the agent there.
 * `neslink agent` itself always runs here.
 */
export function agentFor(argv: readonly string[], env: NodeJS.ProcessEnv): ToAgent | undefined {
  // Marking the program only adds a "--" after the own arguments, so their indexes are argv's.
  const own = ownArgs(argv);
  if (own.find((a) => !a.startsWith("-")) === "agent") return undefined;
  const flag = own.indexOf("--agent");
  const socket = env.NESLINK_AGENT || (flag >= 0 ? DEFAULT_SOCKET : undefined);
  if (socket === undefined) return undefined;
  return { socket, argv: flag < 0 ? [...argv] : argv.filter((_, i) => i !== flag) };
}
