import type { Run } from "../../command.js";

export const nsAdd: Run = async ({ args: [name] }) => {
  // Not lean(): where core can, it makes the change from this thread and no worker starts.
  const { addNamed } = await import("@neslink/core/named");
  const created = await addNamed(name as string);
  return { data: created, text: `created namespace ${created.name} at ${created.path}\n` };
};
