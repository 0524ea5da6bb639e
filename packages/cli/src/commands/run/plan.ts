import type { Run } from "../../command.js";
import { topology } from "../../core.js";
import { onInterrupt } from "../../interrupt.js";
import { loadFile, planText, unreadLab } from "../../lab.js";
import { DRIFT_EXIT } from "../plan.js";

export const plan: Run = async ({ args: [file], options }, session) => {
  const topo = await topology();
  let lab: string | undefined;
  // Interrupted (a FIFO's writer awaited, a large lab read), it ended without a word: plan changes nothing, which is
  // said as apply says it before its first change, so that a script's caller knows no plan came rather than none was due.
  // Its reads are not waited for (a line of `neslink shell` ran the plan to its end, then dropped it): the prompt comes
  // back at once.
  const stopping = new AbortController();
  const fate = () => {
    stopping.abort();
    return `no plan of ${lab ?? unreadLab(file as string, session.terminal, topo.commandLine)} was made; nothing was changed.`;
  };
  return onInterrupt(session, fate, async () => {
    const loaded = await loadFile(file as string, session.terminal);
    lab = loaded.name;
    const found = await topo.plan(loaded, { signal: stopping.signal });
    const drift = options["detailed-exitcode"] === true && found.changes.length > 0;
    return { data: found, text: await planText(found), ...(drift && { exitCode: DRIFT_EXIT }) };
  });
};
