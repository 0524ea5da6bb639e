/**
 * A node's `exec` commands, run in order inside its namespace and in a cgroup
 * of the node's own (<lab>/node-<node>/exec), each entry in a leaf of its own
 * there: whatever they start is found there later. An apply killed while one
 * ran (-9: nothing of it runs on) leaves what it started, and it is not
 * recorded as run; the next apply runs it again, and ends what its leaf holds
 * first, so that what it starts runs once, while what the entries recorded
 * before it started runs on.
 */
import { mkdirSync } from "node:fs";
import { commandLine } from "../actions/nescript.js";
import type { ExecResult } from "../actions/ns-actions.js";
import * as na from "../actions/ns-actions.js";
import { AbortedError, lastLine, NeslinkError, toErrorJSON } from "../errors.js";
import * as ns from "../namespace/providers.js";
import { nsDoOn } from "../nsdo.js";
import type { Pool } from "../pool/pool.js";
import { resolveProgram } from "../program-path.js";
import { addedEntryGroup, commandsGroup, entryGroup } from "./cgroup.js";
import { joiningArgv } from "./cgroup-join.js";
import type { TopologyExec } from "./model.js";
import { endProcesses, NO_NAMESPACES } from "./processes.js";

/**
 * `argv` run from a shell that first joins `group` (cgroup-join.ts). The
 * program is looked up here, as na.exec would: a missing one stays a typed
 * ENOENT, not the shell's exit 127.
 */
function joining(group: string, [file, ...args]: readonly string[]): string[] {
  const program = resolveProgram(file as string, process.env.PATH, process.cwd());
  return joiningArgv(group, [program, ...args]);
}

/** Ends what a killed apply left in `group` (and removes it), then makes it anew. */
async function afresh(group: string): Promise<void> {
  await endProcesses(NO_NAMESPACES, [group], 0);
  mkdirSync(group, { recursive: true });
}

/** How a command that did not succeed ended, with the last line it wrote to stderr (what usually says why; the whole output is in the apply's `exec`). */
function howItEnded({ status, signal, stderr }: ExecResult): string {
  const ended = signal !== null ? `was ended by ${signal}` : `exited with status ${status}`;
  const last = lastLine(stderr);
  return last ? `${ended}: ${JSON.stringify(last)}` : ended;
}

/**
 * Runs `node`'s commands in `netns`, each within its timeout; `ended` is told
 * of each that ended (and waited for), `ran` of each that succeeded. One that
 * exits with a status other than 0, or is ended by a signal, is a failure, as
 * a timeout is: the commands after it (which may need what it should have
 * done) do not run, it is not recorded as run, and the lab is not ready, so
 * `apply && run-tests` stops there and the next apply runs it again. A
 * failure names the command (a node's commands are one task, not only the
 * node's list) and says a timeout in the file's terms.
 * `fresh`: none of the node's commands is on record (its namespace is new, or
 * an apply stopped before any ran): whatever its exec directory holds (left by
 * a killed apply, or by the node's namespace that is gone) is ended first.
 * `before` says how many entries equal to each ran before it (see entryGroup).
 * `signal` aborted (the apply stopped): the command under way is ended (SIGTERM, then SIGKILL), as a terminal's Ctrl-C
 * reaching its group ends it, rather than waited for to its end (or, past the caller's patience, left running once
 * neslink has gone), and no further one starts (AbortedError).
 */
export async function runNodeCommands(
  pool: Pool,
  topology: string,
  node: string,
  netns: string,
  commands: readonly TopologyExec[],
  ended: (argv: string[], result: ExecResult) => void,
  ran: (argv: string[]) => Promise<void>,
  fresh: boolean,
  before: (argv: readonly string[]) => number,
  signal?: AbortSignal,
): Promise<void> {
  const group = commandsGroup(topology, node);
  if (group !== null && fresh) await afresh(group);
  for (const { argv, timeoutMs } of commands) {
    if (signal?.aborted) throw new AbortedError(new Error(`${commandLine(argv)} and those after it were not started`));
    const joined = group === null ? null : entryGroup(group, argv, before(argv));
    if (joined !== null) {
      // The entry runs again because it is not on record: what a killed apply of an older neslink left of it (in its
      // leaf of then) ends too, and that leaf goes, as this one's does.
      await endProcesses(NO_NAMESPACES, [addedEntryGroup(group as string, argv, before(argv))], 0);
      await afresh(joined);
    }
    const action = () => na.exec(joined === null ? argv : joining(joined, argv), timeoutMs > 0 ? { timeoutMs } : {});
    // Waited for before the task ends: still at work, it would end what the next apply starts in the same group.
    let stopping: Promise<unknown> | undefined;
    const stop = () => {
      if (joined !== null) stopping = endProcesses(NO_NAMESPACES, [joined]);
    };
    signal?.addEventListener("abort", stop, { once: true });
    const {
      results: [result],
    } = await Promise.resolve()
      .then(() => nsDoOn(pool, ns.name(netns), action()))
      .finally(async () => {
        signal?.removeEventListener("abort", stop);
        await stopping;
      })
      .catch(async (err: unknown) => {
        const code = NeslinkError.isInstance(err) ? err.code : "ERR_ACTION_FAILED";
        // The timeout kills the command, which is its process alone: what it started (a shell's children) is in its
        // group, and ends with it rather than running on in the node until the next apply or destroy.
        if (code === "ERR_EXEC_TIMEOUT" && joined !== null) await afresh(joined);
        // Said in the file's terms: its `timeout`, in seconds.
        const why =
          code === "ERR_EXEC_TIMEOUT"
            ? `did not end within its timeout of ${timeoutMs / 1000} s, and was killed (to give it longer, set the entry's \`timeout\` in seconds; 0 for no limit)`
            : toErrorJSON(err).message;
        throw new NeslinkError(code, `running ${commandLine(argv)}: ${why}`, { cause: err });
      });
    ended(argv, result);
    if (result.status !== 0) throw new NeslinkError("ERR_EXEC_FAILED", `running ${commandLine(argv)}: ${howItEnded(result)}`);
    await ran(argv);
  }
}
