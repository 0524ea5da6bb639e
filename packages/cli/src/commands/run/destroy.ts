import type { topology as TopologyApi } from "@neslink/core";
import type { Run } from "../../command.js";
import { topology } from "../../core.js";
import { type Fate, labFate, onInterrupt, stopsWork } from "../../interrupt.js";
import { asks, confirmed, labName, labOf, unreadLab } from "../../lab.js";
import { leftLines } from "../../links-refused.js";
import { errorJson } from "../../output.js";

type Leftovers = TopologyApi.DestroyLeftovers;

/**
 * A line for each thing a destroy cleaned up that was no running node (what an interrupted destroy or apply left): a
 * destroy run again to finish one removes no namespace, and said only that while it ended processes and removed files.
 */
function leftoverLines({ namespaces, entries, links, record, programs }: Leftovers): string[] {
  const processes = (n: number) => `${n} process${n === 1 ? "" : "es"}`;
  return [
    ...namespaces.map(
      (n) => `  - left over: namespace ${n.netns} (node ${n.node}), unmounted already: ${processes(n.processes)} inside ended\n`,
    ),
    ...programs.map(
      (p) =>
        `  - left over: ${p.program === null ? `what node ${p.node}'s exec commands started` : `program ${p.program} of node ${p.node}`}, ` +
        `in no namespace of the lab: ${processes(p.processes)} ended\n`,
    ),
    ...entries.map((e) => `  - left over: empty entry /run/netns/${e.netns} removed\n`),
    ...links.map((l) => `  - left over: host link ${l.dev} removed\n`),
    ...(record ? ["  - left over: the lab's record and program logs removed\n"] : []),
  ];
}

/** What a destroy did, as its last line counts it: "61 nodes removed, 2 leftovers cleaned up". */
function doneCount(result: TopologyApi.DestroyResult, leftovers = leftoverLines(result.leftovers).length): string {
  const count = `${result.removed.length} node${result.removed.length === 1 ? "" : "s"} removed`;
  return leftovers === 0 ? count : `${count}, ${leftovers} leftover${leftovers === 1 ? "" : "s"} cleaned up`;
}

/** What core's destroy came to, once it settled: its result, or what it failed with. */
type Settled = { result: TopologyApi.DestroyResult } | { failed: unknown };

/** Whether core's destroy was stopped by its signal before its first change: it rejects with ERR_ABORTED only then. */
const unchanged = (settled: Settled) => "failed" in settled && (settled.failed as { code?: unknown }).code === "ERR_ABORTED";

export const destroy: Run = async ({ args: [arg], options }, session) => {
  const topo = await topology();
  // Interrupted once it has begun, core's destroy runs on to its end (it does not heed its signal then): the
  // interrupt waits for it, as apply's for its stop, and says what it came to. It said "partly destroyed" at once, of
  // a lab a shell's line went on to destroy whole, and a one-shot died mid-destroy, leaving it part-destroyed
  // (namespaces unmounted while their programs still ran, entries left empty). Listened for from the start: a Ctrl-C
  // while the file is read (a FIFO's writer awaited) says nothing changed.
  let begun = false;
  /** Core's destroy has been called: it holds the lab's lock (its file made, if there was none) until it settles. */
  let destroying = false;
  let lab: Awaited<ReturnType<typeof labOf>> | undefined;
  let settled: Settled | undefined;
  const command = `"${topo.commandLine(["neslink", "destroy", arg as string])}"`;
  const again = `${command} finishes it.`;
  // Until destroy's first change, an interrupt stops it before any (it reads the lab first: a 30-node lab's read took
  // ~0.2 s, and a Ctrl-C then said "partly destroyed" of a lab left whole).
  const beforeChanges = new AbortController();
  const fate = (signal: NodeJS.Signals): Fate => {
    if (!begun) beforeChanges.abort();
    const name = lab === undefined ? unreadLab(arg as string, session.terminal, topo.commandLine) : labName(lab);
    // Not waited for (a second Ctrl-C, or past SETTLE_MS), the destroy is where the signal ends the process: partly done.
    const said = () => {
      // Core's destroy fails with ERR_ABORTED only where its signal stopped it before its first change: nothing changed.
      if (settled === undefined || unchanged(settled))
        return labFate(session, signal, name, "destroyed", settled === undefined && begun, again);
      if ("result" in settled)
        return `${name} was destroyed all the same (${doneCount(settled.result)}): the interrupt came once its changes had begun, and destroy ends what it starts.`;
      const { code, message } = errorJson(settled.failed).error;
      return `${name} is partly destroyed: destroy went on and failed (${code}: ${message}); ${command} tries again.`;
    };
    const extra = () => {
      if (settled === undefined || unchanged(settled)) return { destroyed: false };
      return "result" in settled
        ? { destroyed: true, removed: settled.result.removed }
        : { destroyed: false, failed: errorJson(settled.failed).error };
    };
    // Before its first change too, core's destroy is waited for: it stops at once, and lets go of its lock file (of a
    // lab with no record, removes it), which a process ended of the signal first left behind.
    return { said, settles: (begun || destroying) && stopsWork(session, signal, begun), extra, runsOn: true };
  };
  return onInterrupt(session, fate, async () => {
    lab = await labOf(arg as string, session.terminal);
    const name = labName(lab);
    // A lab the machine has nothing of (a mistyped name; no node, record or lock) has nothing to confirm: asked, a
    // person would answer for nothing, and be told only after that there was none. The destroy finds none and says so.
    const ask = asks(session, options.yes === true) && (await topo.labKnown(name));
    if (ask && !(await confirmed(`Destroy lab ${name} and everything it owns?`, session, false)))
      return { data: { topology: name, destroyed: false }, text: "Not destroyed; nothing was changed.\n", exitCode: 1 };
    destroying = true;
    const result = await topo
      .destroy(lab, {
        signal: beforeChanges.signal,
        onProgress: () => {
          begun = true;
        },
      })
      .then(
        (result) => {
          settled = { result };
          return result;
        },
        (failed: unknown) => {
          settled = { failed };
          throw failed;
        },
      );
    const leftovers = leftoverLines(result.leftovers);
    // A mistyped name destroys nothing, successfully (destroy is idempotent): say so rather than "0 nodes removed".
    if (result.removed.length === 0 && leftovers.length === 0)
      return { data: result, text: `No node of lab ${name} is running: no namespace removed.\n` };
    // In the order a person looks for them (n2 before n10), not the order the workers finished in.
    const removed = [...result.removed].sort((a, b) => a.node.localeCompare(b.node, "en", { numeric: true }));
    const nodes = removed.map((r) => `  - ${r.node} (namespace ${r.netns})\n`).join("") + leftLines(result.linksLeft);
    const ms = Math.round(result.ms);
    return { data: result, text: `${nodes}${leftovers.join("")}Destroyed ${name}: ${doneCount(result, leftovers.length)} in ${ms} ms.\n` };
  });
};
