/** The agent's limits as `neslink agent` is given them: --idle-timeout SECONDS and --max-connections N. */
import { ValidationError } from "@neslink/core/errors";
import type { Invocation } from "../command.js";
import { IDLE_TIMEOUT_MAX_S, IDLE_TIMEOUT_MS, MAX_CONNECTIONS, MAX_CONNECTIONS_MAX } from "./grace.js";

/** How many connections the agent serves at once, and how long one may sit idle (before its request, after its exit). */
export interface AgentLimits {
  maxConnections: number;
  idleTimeoutMs: number;
}

/** `value` of `option` as a whole number from 1 to `max`, or a usage error naming the option. */
function count(option: string, value: string | boolean, max: number): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max)) throw new ValidationError(option, `must be a whole number from 1 to ${max}, not "${String(value)}"`);
  return n;
}

/** `value` of `option` as seconds (as the HTTP server's timeouts: 0.001 at least) in milliseconds, or a usage error naming it. */
function milliseconds(option: string, value: string | boolean, maxSeconds: number): number {
  const ms = typeof value === "string" && /^\d+(\.\d+)?$/.test(value) ? Math.round(Number(value) * 1000) : Number.NaN;
  if (!(ms >= 1 && ms <= maxSeconds * 1000)) {
    throw new ValidationError(option, `must be a number of seconds from 0.001 to ${maxSeconds}, not "${String(value)}"`);
  }
  return ms;
}

/** The limits the options give, each not given its default. */
export function agentLimits(options: Invocation["options"]): AgentLimits {
  const idle = options["idle-timeout"];
  const max = options["max-connections"];
  return {
    idleTimeoutMs: idle === undefined ? IDLE_TIMEOUT_MS : milliseconds("--idle-timeout", idle, IDLE_TIMEOUT_MAX_S),
    maxConnections: max === undefined ? MAX_CONNECTIONS : count("--max-connections", max, MAX_CONNECTIONS_MAX),
  };
}

/** The options that give `limits` to an agent started anew (--detach's). */
export function limitArgs(limits: AgentLimits): string[] {
  return ["--idle-timeout", String(limits.idleTimeoutMs / 1000), "--max-connections", String(limits.maxConnections)];
}
