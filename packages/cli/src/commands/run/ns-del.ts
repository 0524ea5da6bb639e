import type { Run } from "../../command.js";

export const nsDel: Run = async ({ args: [name] }) => {
  // Not lean(): where core can, it makes the change from this thread and no worker starts.
  const { removeNamed } = await import("@neslink/core/named");
  try {
    const deleted = await removeNamed(name as string);
    // An empty entry a crash left has no namespace to delete: it said "deleted namespace" of a plain file.
    const text = deleted.stale
      ? `removed stale entry ${deleted.path}: no namespace was mounted on it\n`
      : `deleted namespace ${deleted.name}\n`;
    return { data: deleted, text };
  } catch (err) {
    // LAB:NODE reaches a lab's node for the other commands; here it is only a name, and a lab's nodes go with the lab.
    if ((err as { code?: string }).code !== "ERR_NS_NOT_FOUND" || !/^[^:]+:[^:]+$/.test(name ?? "")) throw err;
    const { NotFoundError } = await import("@neslink/core/errors");
    const hint =
      "ns del takes a namespace's name, not LAB:NODE; a lab's nodes go with \"neslink destroy LAB\", or by leaving them out of its file and applying it";
    throw new NotFoundError("namespace", `${(err as Error).message} (${hint})`, { cause: err });
  }
};
