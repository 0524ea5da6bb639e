import type { topology } from "@neslink/core";
import type { Run } from "../../command.js";
import { topology as loadTopology } from "../../core.js";
import { type Fate, labFate, onInterrupt, stopsWork } from "../../interrupt.js";
import { asks, confirmed, loadFile, planText, unreadLab } from "../../lab.js";
import { keptLines, leftLines } from "../../links-refused.js";
import type { Progress } from "../../progress.js";

type ApplyEvent = Parameters<NonNullable<NonNullable<Parameters<typeof topology.apply>[1]>["onProgress"]>>[0];

export const apply: Run = async ({ args: [file], options }, session) => {
  const topo = await loadTopology();
  // From the start: a Ctrl-C while the file is read (a FIFO's writer awaited) or the plan made says nothing changed,
  // rather than ending the command unsaid. Until apply starts its first phase, an interrupt stops it before any change.
  const stopping = new AbortController();
  let lab: topology.Topology | undefined;
  let begun = false;
  /** Core's apply has been called: it holds the lab's lock (its file made, if there was none) until it settles. */
  let applying = false;
  /** The changes made so far, as its events tell them: what an interrupted apply's --json error says was `done`. */
  const made: topology.Change[] = [];
  let progress: Progress | undefined;
  /** The apply's own account once it has stopped: what it made and never tried (none while it is waited for). */
  let stopped: topology.TopologyAbortedError | undefined;
  const counts = () => {
    if (stopped === undefined) return undefined;
    const { done, interrupted, notAttempted } = stopped;
    // Exec commands the signal ended with the CLI (a terminal's Ctrl-C reaches them too) are neither made nor untried.
    const cut = interrupted.length > 0 ? `, ${interrupted.length} interrupted` : "";
    return `${done.length} change${done.length === 1 ? "" : "s"} made${cut}, ${notAttempted.length} not attempted`;
  };
  const fate = (signal: NodeJS.Signals): Fate => {
    // The terminal gets its cursor and line wrap back (the bar hid them), and the user the way on.
    progress?.stop();
    // Under way, apply stops once the changes in flight have ended: killed amid a namespace's making, it left an
    // empty entry in /run/netns. Not where it goes on (the agent's, a reader gone: labFate).
    const stops = stopsWork(session, signal, begun);
    if (stops) stopping.abort();
    // The commands as they must be typed again: a path with a space or a quote is quoted.
    const again = (verb: string) => topo.commandLine(["neslink", verb, file as string]);
    const name = lab?.name ?? unreadLab(file as string, session.terminal, topo.commandLine);
    const way = `"${again("apply")}" finishes it, "${again("destroy")}" removes it.`;
    // Said once apply has stopped (or was waited for too long): with what it made and never tried, as it tells them.
    const said = () => labFate(session, signal, name, "applied", begun, way, counts());
    const extra = () => {
      if (stopped === undefined) return { done: [...made] };
      const { done, interrupted, notAttempted } = stopped;
      return { done, interrupted, notAttempted };
    };
    // Before its first change too, core's apply is waited for: it stops at once, and lets go of its lock file (of a lab
    // with no record, removes it). Said at once, the process ended of the signal first, and left the file, which a
    // destroy took for a lab.
    return { said, settles: (begun || applying) && stops, extra };
  };
  const execText = (exec: readonly topology.ExecOutcome[]) =>
    exec.map((e) => `${e.node}$ ${topo.commandLine(e.argv)} (exit ${e.status ?? e.signal})\n${e.stdout}${e.stderr}`).join("");
  return onInterrupt(session, fate, async () => {
    try {
      lab = await loadFile(file as string, session.terminal);
      const loaded = lab;
      // A conflict stops apply at its plan, before any change: it says so, as core's apply does.
      // Interrupted, the plan is not waited for: nothing was changed, and that is said at once.
      const plan = await topo.plan(loaded, { signal: stopping.signal }).catch((err: unknown) => {
        throw err instanceof topo.TopologyConflictError
          ? new topo.TopologyConflictError(loaded.name, err.conflicts, { refused: true })
          : err;
      });
      const text = await planText(plan);
      if (options["dry-run"]) return { data: plan, text };
      // Nothing to do as planned; apply plans again under the lab's lock, and may find something after all.
      const track = (event: ApplyEvent) => {
        if (event.type === "phase") begun = true;
        if (event.type === "change") made.push(event.change);
        progress?.onProgress(event);
      };
      if (plan.changes.length === 0) {
        applying = true;
        return { data: await topo.apply(loaded, { onProgress: track, signal: stopping.signal }), text };
      }
      if (!session.json) session.print(text);
      // As confirmed() decides: a person at a terminal is asked, unless --yes.
      const asked = asks(session, options.yes === true);
      const count = `${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"}`;
      if (!(await confirmed(`Apply ${count} to ${loaded.name}?`, session, options.yes === true)))
        return { data: { topology: loaded.name, applied: false }, text: "Not applied; nothing was changed.\n", exitCode: 1 };
      // The bar's library is loaded only here, where it draws.
      progress = session.json
        ? undefined
        : (await import("../../progress.js")).progressFor(session.terminal, session.print, topo.describeChange);
      try {
        // What was agreed to at the question is what apply may do: a plan changed meanwhile is refused, nothing changed.
        applying = true;
        const result = await topo.apply(loaded, { onProgress: track, signal: stopping.signal, expected: asked ? plan : undefined });
        const { add, change, destroy } = result.summary;
        const refused = leftLines(result.linksLeft) + keptLines(result.linksKept, topo.commandLine);
        return {
          data: result,
          text: `${execText(result.exec)}${refused}Applied ${loaded.name}: ${add} added, ${change} changed, ${destroy} destroyed in ${Math.round(result.ms)} ms.\n`,
        };
      } catch (err) {
        if (err instanceof topo.TopologyAbortedError) stopped = err;
        // The commands that ran before the failure are not run again: their output is shown now (--json: in the error).
        if (!session.json && (err instanceof topo.TopologyApplyError || err instanceof topo.TopologyAbortedError)) {
          progress?.stop();
          session.print(execText(err.exec));
        }
        throw err;
      }
    } finally {
      // The terminal given back before the interrupt is no longer listened for: a Ctrl-C in between, its default action
      // the end of the process, left the cursor hidden and line wrap off.
      progress?.stop();
    }
  });
};
