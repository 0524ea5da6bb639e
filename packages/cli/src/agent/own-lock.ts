/**
 * A lab's lock held by a neslink agent, said as such. Core names the holder
 * "this process" when it is the process itself, and another agent "the
 * neslink agent" by its mark; the CLI says what that agent is doing (an apply
 * or destroy it was given, which goes on to its end when its client has
 * left) and what stopping it does, which are the CLI's to know. Met by a
 * command run in the agent itself (its own lock), or anywhere else (an
 * agent's, found by its mark).
 */
import { NeslinkError } from "@neslink/core/errors";
import { DRAIN_TIMEOUT_MS } from "./grace.js";
import { isAgent } from "./mark.js";

interface Locked {
  code: "ERR_TOPOLOGY_LOCKED";
  topology: string;
  holder: string;
}

function locked(err: unknown): err is NeslinkError & Locked {
  return (
    NeslinkError.isInstance(err) &&
    err.code === "ERR_TOPOLOGY_LOCKED" &&
    typeof (err as Partial<Locked>).topology === "string" &&
    typeof (err as Partial<Locked>).holder === "string"
  );
}

/** `err` in the agent's words: held by the agent whose pid is its holder, for `what`. */
function agentHolds(err: NeslinkError & Locked, what: string): NeslinkError {
  const pid = err.holder;
  return Object.assign(
    new NeslinkError(
      "ERR_TOPOLOGY_LOCKED",
      `topology ${err.topology} is being applied or destroyed by the neslink agent (pid ${pid}), ${what}: wait for that ` +
        `to end, or stop the agent (kill ${pid}; it waits up to ${DRAIN_TIMEOUT_MS / 1000} s for it, then leaves the lab ` +
        "where it got to)",
    ),
    // The same class and fields as core's error: only the words change.
    { name: err.name, topology: err.topology, holder: err.holder },
  );
}

/** The clients of the agent's other running commands: all still connected, all gone, or some of each. */
export type OthersClients = "waiting" | "gone" | "some";

const FOR: Readonly<Record<OthersClients, string>> = {
  waiting: "for another client's command, whose client is still connected and waiting for it",
  gone: "for a command given to it before (which goes on when its client has gone)",
  some: "for another client's command (an apply or destroy goes on when its client has gone)",
};

/**
 * `err` as the agent's client should read it: ERR_TOPOLOGY_LOCKED held by this agent says so, and whether the
 * command it is held for has a client still waiting (`others`); anything else as it is.
 */
export function asAgentSays(err: unknown, others: OthersClients): unknown {
  if (!locked(err) || err.holder !== String(process.pid)) return err;
  return agentHolds(err, FOR[others]);
}

/**
 * ERR_TOPOLOGY_LOCKED held by another process that is an agent, said to be the agent's (what a command run outside
 * it meets, or one run in another agent); anything else as it is.
 */
export async function asAgentHolds(err: unknown): Promise<unknown> {
  if (!locked(err) || err.holder === String(process.pid) || !(await isAgent(err.holder))) return err;
  return agentHolds(err, "for a command it is still running");
}
