/**
 * The mark every running agent holds (core's AGENT_MARK: a shared flock, which
 * the kernel lets go of when the agent exits): how any neslink command tells
 * that the holder of a lab's lock is an agent, which holds it for a command
 * it was given, not a process its user started. Its pid alone said nothing of
 * that, and its command line only to someone who knows what an agent's looks like.
 * One file for every agent, whatever socket each listens on: a command finds them all there.
 */
import { providers } from "../core.js";

/**
 * Marks this process as an agent until the function returned is called. Without the mark (a user who cannot write
 * to /run/neslink, where no lab's lock can be taken either), the agent works the same.
 */
export async function markAgent(): Promise<() => void> {
  const { AGENT_MARK, markSelf } = await providers();
  return markSelf(AGENT_MARK);
}

/** Whether process `pid` (as core's TopologyLockedError gives its holder) is an agent. */
export async function isAgent(pid: string): Promise<boolean> {
  const { AGENT_MARK, markHolders } = await providers();
  return markHolders(AGENT_MARK).includes(pid);
}
