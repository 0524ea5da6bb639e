import type { Run } from "../../command.js";
import { shownName } from "../../output.js";

export const nsPrune: Run = async () => {
  const { pruneNamed } = await import("@neslink/core/named");
  const result = pruneNamed();
  const text = [
    ...result.removed.map((name) => `removed ${shownName(name)}\n`),
    ...result.skipped.map(({ name, reason }) => `skipped ${shownName(name)}: ${reason}\n`),
  ].join("");
  return { data: result, text: text || "nothing to prune\n" };
};
