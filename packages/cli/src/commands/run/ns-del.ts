import type { Run } from "../../command.js";

export const nsDel: Run = async ({ args: [name] }) => {
  // Not lean(): where core can, it makes the change from this thread and no worker starts.
  const { removeNamed } = await import("@neslink/core/named");
  const deleted = await removeNamed(name as string);
  return { data: deleted, text: `deleted namespace ${deleted.name}\n` };
};
