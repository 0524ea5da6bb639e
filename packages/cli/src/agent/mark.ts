/**
 * The mark every running agent holds (core's holdMark: a shared flock, which
 * the kernel lets go of when the agent exits): how any neslink command tells
 * that the holder of a lab's lock is an agent, which holds it for a command
 * it was given, not a process its user started. Its pid alone said nothing of
 * that, and its command line only to someone who knows what an agent's looks like.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { providers } from "../core.js";

/** One file for every agent, whatever socket each listens on: a command finds them all there. */
export const AGENT_MARK = "/run/neslink/agents.lock";

/**
 * Marks this process as an agent until the function returned is called. Without the mark (a user who cannot write
 * to /run/neslink, where no lab's lock can be taken either), the agent works the same.
 */
export async function markAgent(): Promise<() => void> {
  const { holdMark } = await providers();
  try {
    mkdirSync(dirname(AGENT_MARK), { recursive: true, mode: 0o700 });
    return holdMark(AGENT_MARK);
  } catch {
    return () => {};
  }
}

/** Whether process `pid` (as core's TopologyLockedError gives its holder) is an agent. */
export async function isAgent(pid: string): Promise<boolean> {
  const { markHolders } = await providers();
  return markHolders(AGENT_MARK).includes(pid);
}
