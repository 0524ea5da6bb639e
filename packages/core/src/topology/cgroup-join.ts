/**
 * How a command is started inside a cgroup of the lab's tree (cgroup.ts): a
 * shell moves itself into the cgroup, then execs the command, so the command
 * and everything it starts are in the cgroup from their first instruction,
 * with no instant unmarked. Used for a node's exec commands
 * (node-commands.ts) and its programs (run.ts, inside its start script).
 */

/**
 * The shell script: $0 is the cgroup's directory, "$@" the command. If the
 * shell cannot join, the command never starts. No single quote in it, so it
 * can be embedded single-quoted in another script.
 */
export const JOIN_THEN_EXEC = 'echo $$ >"$0/cgroup.procs" && exec "$@"';

/** The argv that runs `command` (its program already looked up) inside the cgroup directory `group`. */
export function joiningArgv(group: string, command: readonly string[]): string[] {
  return ["/bin/sh", "-c", JOIN_THEN_EXEC, group, ...command];
}
