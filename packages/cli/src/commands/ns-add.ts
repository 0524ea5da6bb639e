import type { Command } from "../command.js";

export const nsAdd: Command = {
  name: "ns add",
  summary: "create a named namespace (as `ip netns add NAME`)",
  synopsis: "ns add NAME",
  args: ["NAME"],
  options: [],
  async run({ args: [name] }) {
    // Not lean(): where core can, it makes the change from this thread and no worker starts.
    const { addNamed } = await import("@neslink/core/named");
    const created = await addNamed(name as string);
    return { data: created, text: `created namespace ${created.name} at ${created.path}\n` };
  },
};
