import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const nsDel: Command = {
  name: "ns del",
  summary: "delete a named namespace (as `ip netns del NAME`)",
  synopsis: "ns del NAME",
  args: ["NAME"],
  options: [],
  completes: "namespace",
  details: "The kernel frees the namespace once nothing else (a process, an open handle) holds it.",
  run: lazyRun(
    () => import("./run/ns-del.js"),
    (m) => m.nsDel,
  ),
};
