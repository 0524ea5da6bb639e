import type { topology as TopologyApi } from "@neslink/core";
import type { Run } from "../../command.js";
import { topology } from "../../core.js";
import { labFate, onInterrupt } from "../../interrupt.js";
import { asks, confirmed, labName, labOf, unreadLab } from "../../lab.js";
import { leftLines } from "../../links-refused.js";

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

export const destroy: Run = async ({ args: [arg], options }, session) => {
  const topo = await topology();
  // Interrupted once it has begun, the lab is left part-destroyed (namespaces unmounted while their programs still
  // ran, entries left empty): said so, with the command that finishes it, as apply says what it leaves. Listened for
  // from the start: a Ctrl-C while the file is read (a FIFO's writer awaited) says nothing changed.
  let begun = false;
  let lab: Awaited<ReturnType<typeof labOf>> | undefined;
  const again = `"${topo.commandLine(["neslink", "destroy", arg as string])}" finishes it.`;
  // Until destroy's first change, an interrupt stops it before any (it reads the lab first: a 30-node lab's read took
  // ~0.2 s, and a Ctrl-C then said "partly destroyed" of a lab left whole).
  const beforeChanges = new AbortController();
  const fate = (signal: NodeJS.Signals) => {
    if (!begun) beforeChanges.abort();
    return labFate(
      session,
      signal,
      lab === undefined ? unreadLab(arg as string, session.terminal, topo.commandLine) : labName(lab),
      "destroyed",
      begun,
      again,
    );
  };
  return onInterrupt(session, fate, async () => {
    lab = await labOf(arg as string, session.terminal);
    const name = labName(lab);
    // A lab the machine has nothing of (a mistyped name; no node, record or lock) has nothing to confirm: asked, a
    // person would answer for nothing, and be told only after that there was none. The destroy finds none and says so.
    const ask = asks(session, options.yes === true) && (await topo.labKnown(name));
    if (ask && !(await confirmed(`Destroy lab ${name} and everything it owns?`, session, false)))
      return { data: { topology: name, destroyed: false }, text: "Not destroyed; nothing was changed.\n", exitCode: 1 };
    const result = await topo.destroy(lab, {
      signal: beforeChanges.signal,
      onProgress: () => {
        begun = true;
      },
    });
    const leftovers = leftoverLines(result.leftovers);
    // A mistyped name destroys nothing, successfully (destroy is idempotent): say so rather than "0 nodes removed".
    if (result.removed.length === 0 && leftovers.length === 0)
      return { data: result, text: `No node of lab ${name} is running: no namespace removed.\n` };
    // In the order a person looks for them (n2 before n10), not the order the workers finished in.
    const removed = [...result.removed].sort((a, b) => a.node.localeCompare(b.node, "en", { numeric: true }));
    const nodes = removed.map((r) => `  - ${r.node} (namespace ${r.netns})\n`).join("") + leftLines(result.linksLeft);
    const count = `${removed.length} node${removed.length === 1 ? "" : "s"}`;
    const cleaned = leftovers.length === 0 ? "" : `, ${leftovers.length} leftover${leftovers.length === 1 ? "" : "s"} cleaned up`;
    const ms = Math.round(result.ms);
    return { data: result, text: `${nodes}${leftovers.join("")}Destroyed ${name}: ${count} removed${cleaned} in ${ms} ms.\n` };
  });
};
