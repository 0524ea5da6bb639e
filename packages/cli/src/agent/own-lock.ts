/**
 * A lab's lock met by a command run in the agent, held by the agent itself:
 * an apply or destroy it was given before, still under way (one whose client
 * left goes on to its end there). Core names the holder "this process"; to
 * the client, that is the agent, which its user can wait for or stop.
 */
import { NeslinkError } from "@neslink/core/errors";
import { DRAIN_TIMEOUT_MS } from "./grace.js";

interface LockedByUs {
  code: "ERR_TOPOLOGY_LOCKED";
  topology: string;
  holder: string;
}

function lockedByUs(err: unknown): err is NeslinkError & LockedByUs {
  return (
    NeslinkError.isInstance(err) &&
    err.code === "ERR_TOPOLOGY_LOCKED" &&
    typeof (err as Partial<LockedByUs>).topology === "string" &&
    (err as Partial<LockedByUs>).holder === String(process.pid)
  );
}

/** `err` as the agent's client should read it: ERR_TOPOLOGY_LOCKED held by this agent says so; anything else as it is. */
export function asAgentSays(err: unknown): unknown {
  if (!lockedByUs(err)) return err;
  const { pid } = process;
  return Object.assign(
    new NeslinkError(
      "ERR_TOPOLOGY_LOCKED",
      `topology ${err.topology} is being applied or destroyed by the neslink agent (pid ${pid}), for a command given to it ` +
        `before (which goes on when its client has gone): wait for that to end, or stop the agent (kill ${pid}; it waits ` +
        `up to ${DRAIN_TIMEOUT_MS / 1000} s for it, then leaves the lab where it got to)`,
    ),
    // The same class and fields as core's error: only the words change.
    { name: err.name, topology: err.topology, holder: err.holder },
  );
}
