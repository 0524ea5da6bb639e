import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const nsAdd: Command = {
  name: "ns add",
  summary: "create a named namespace (as `ip netns add NAME`)",
  synopsis: "ns add NAME",
  args: ["NAME"],
  options: [],
  run: lazyRun(
    () => import("./run/ns-add.js"),
    (m) => m.nsAdd,
  ),
};
