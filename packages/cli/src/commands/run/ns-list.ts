import type { Run } from "../../command.js";
import { reader } from "../../core.js";
import { shownName } from "../../output.js";

export const nsList: Run = async (_invocation, { json }) => {
  // Read from this thread, with no pool. A namespace's id, which --json gives as `ip -j netns list` does, only netlink
  // tells (koffi and the codec); the names a person reads, the mount table alone.
  const listed = json ? (await reader()).listNetns() : (await import("@neslink/core/list")).listNamed().map((name) => ({ name }));
  return { data: listed, text: listed.map((n) => `${shownName(n.name)}\n`).join("") };
};
