import type { Run } from "../../command.js";
import { shownName } from "../../output.js";

export const nsPrune: Run = async () => {
  const { pruneNamedAsync } = await import("@neslink/core/named");
  // Not pruneNamed: its wait would stall every other session of a `neslink agent`, which runs commands in its process.
  const result = await pruneNamedAsync();
  const text = [
    ...result.removed.map(({ netns }) => `removed ${shownName(netns)}\n`),
    ...result.skipped.map(({ netns, reason }) => `skipped ${shownName(netns)}: ${reason}\n`),
  ].join("");
  return { data: result, text: text || "nothing to prune\n" };
};
