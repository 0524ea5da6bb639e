import { listNamed } from "@neslink/core";
import type { Command } from "../command.js";

export const nsList: Command = {
  name: "ns list",
  summary: "list named namespaces (as `ip netns list`)",
  synopsis: "ns list",
  args: [],
  options: [],
  async run() {
    const names = listNamed();
    return { data: names, text: names.map((n) => `${n}\n`).join("") };
  },
};
