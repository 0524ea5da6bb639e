/** How long a command whose client left may take to end on SIGHUP before it gets SIGKILL (the agent's session, --json exec's program). */
export const HANGUP_GRACE_MS = 2_000;

/** How long running commands get to end once the agent is told to stop. */
export const DRAIN_TIMEOUT_MS = 10_000;
