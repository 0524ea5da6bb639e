import type { Command } from "../command.js";

export const nsDel: Command = {
  name: "ns del",
  summary: "delete a named namespace (as `ip netns del NAME`)",
  synopsis: "ns del NAME",
  args: ["NAME"],
  options: [],
  details: "The kernel frees the namespace once nothing else (a process, an open handle) holds it.",
  async run({ args: [name] }) {
    // Not lean(): where core can, it makes the change from this thread and no worker starts.
    const { removeNamed } = await import("@neslink/core/named");
    const deleted = await removeNamed(name as string);
    return { data: deleted, text: `deleted namespace ${deleted.name}\n` };
  },
};
