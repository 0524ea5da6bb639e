/** How long a command whose client left may take to end on SIGHUP before it gets SIGKILL (the agent's session, --json exec's program). */
export const HANGUP_GRACE_MS = 2_000;

/** How long running commands get to end once the agent is told to stop. */
export const DRAIN_TIMEOUT_MS = 10_000;

/**
 * How long a connection to the agent may sit idle: before its request (a client sends it as soon as it connects, so
 * one that has not by then, a stuck or hostile peer, is told so and closed) and after its exit (a client closes its
 * end once it has that), rather than holding a descriptor for ever.
 */
export const IDLE_TIMEOUT_MS = 10_000;

/** The longest idle time `neslink agent --idle-timeout` takes, a day: a timer set past Node's ~24.8 days fires at once. */
export const IDLE_TIMEOUT_MAX_S = 86_400;

/**
 * The connections the agent serves at once (commands running, or requests awaited); one more is told the agent is
 * busy and closed. Twice this many are open at most: past that, even the refusal would cost a descriptor too many,
 * and the connection is closed at once.
 */
export const MAX_CONNECTIONS = 256;

/** The most `neslink agent --max-connections` takes: twice as many descriptors is past what a process is usually allowed. */
export const MAX_CONNECTIONS_MAX = 65_536;
