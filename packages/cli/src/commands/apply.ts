import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const apply: Command = {
  name: "apply",
  summary: "make the kernel match a topology file: shows the plan, then applies it",
  synopsis: "apply FILE [--dry-run] [--yes]",
  args: ["FILE"],
  options: ["dry-run", "yes"],
  parallel: true,
  interruptible: true,
  details: [
    "Only the difference between the file and the kernel is changed; an unchanged file sends no write.",
    "On a terminal the plan is shown and you are asked to confirm (--yes skips it), then a live",
    "progress bar; off a terminal, no question and one line per change. --dry-run: the plan only.",
    "A file with mistakes exits 3 and names each as FILE:LINE:COLUMN: PATH: message.",
    "Ctrl-C (or SIGTERM) exits 130 (143): before the first change (at the question too), nothing is changed;",
    "after, the lab is left part-made, and applying again finishes it (destroy FILE removes it). Once applied,",
    "one that comes as the result is printed is said on stderr: the result is printed whole, with apply's own status.",
    "A link made by hand in a node that the kernel will not delete (a physical NIC moved in) is left where",
    "it is and said so, or, in a removed node, goes with its namespace (back to the host's), said so too.",
    "--json: the plan with --dry-run ({ topology, changes, summary }), else apply's result",
    "({ topology, changes, summary, exec, linksLeft, linksKept, ms }).",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/apply.js"),
    (m) => m.apply,
  ),
};
