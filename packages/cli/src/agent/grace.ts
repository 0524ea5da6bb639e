/** How long a command whose client left may take to end on SIGHUP before it gets SIGKILL (the agent's session, --json exec's program). */
export const HANGUP_GRACE_MS = 2_000;
