import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

/** `plan --detailed-exitcode`'s status when the kernel differs from the file (2 is taken by usage errors). */
export const DRIFT_EXIT = 4;

export const plan: Command = {
  name: "plan",
  summary: "show what apply would change, without changing anything",
  synopsis: "plan FILE [--detailed-exitcode]",
  args: ["FILE"],
  options: ["detailed-exitcode"],
  parallel: true,
  interruptible: true,
  details: [
    `--detailed-exitcode: exit 0 if the kernel matches the file, ${DRIFT_EXIT} if it has drifted (changes to make),`,
    "as Terraform's plan does (which uses 2; here 2 stays a usage error). Errors exit as usual.",
    "Ctrl-C (or SIGTERM) says that no plan was made and nothing was changed (--json: an ERR_ABORTED error), exit 130 (143).",
    "--json: { topology, changes, summary: { add, change, destroy } }; each change { op: create/update/delete,",
    "object: netns/link/address/route/sysctl/exec/process, node, netns, ... }, a link's with its kind (veth, bridge...),",
    "a route's route as route add --json gives one.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/plan.js"),
    (m) => m.plan,
  ),
};
