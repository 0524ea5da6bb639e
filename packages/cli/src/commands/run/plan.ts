import type { Run } from "../../command.js";
import { topology } from "../../core.js";
import { loadFile, planText } from "../../lab.js";
import { DRIFT_EXIT } from "../plan.js";

export const plan: Run = async ({ args: [file], options }, { terminal }) => {
  const topo = await topology();
  const found = await topo.plan(await loadFile(file as string, terminal));
  const drift = options["detailed-exitcode"] === true && found.changes.length > 0;
  return { data: found, text: await planText(found), ...(drift && { exitCode: DRIFT_EXIT }) };
};
