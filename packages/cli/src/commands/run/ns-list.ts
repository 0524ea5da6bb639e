import type { Run } from "../../command.js";
import { shownName } from "../../output.js";

export const nsList: Run = async () => {
  // Read from this thread: no pool, no codec.
  const { listNamed } = await import("@neslink/core/list");
  const names = listNamed();
  return { data: names, text: names.map((n) => `${shownName(n)}\n`).join("") };
};
