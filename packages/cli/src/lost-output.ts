/** What neslink says, and exits with, when its standard output could not take what a command printed. */

/** `err`'s code and the kernel's words for it, without the syscall Node appends ("ENOSPC: no space left on device"). */
function reason(err: NodeJS.ErrnoException): string {
  const words = err.message.replace(/, \w+$/, "");
  return err.code === undefined || words.startsWith(err.code) ? words : `${err.code}: ${words}`;
}

/**
 * One line for stderr: what failed, and what the command itself came to, so that whoever ran it knows the state (an
 * apply whose result was lost did apply the lab).
 */
export function lostOutputLine(err: NodeJS.ErrnoException, status: number): string {
  const came = status === 0 ? "the command itself succeeded" : `the command itself ended with status ${status}`;
  return `neslink: could not write the output (${reason(err)}); ${came}.\n`;
}

/** 1 for a command that succeeded but whose output was lost, as a runtime error; one that did not keeps its own status. */
export function lostOutputStatus(status: number): number {
  return status === 0 ? 1 : status;
}
