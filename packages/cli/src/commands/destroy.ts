import type { Command } from "../command.js";
import { BOTH_FILE_AND_NAME } from "./file-or-name.js";
import { lazyRun } from "./lazy.js";

export const destroy: Command = {
  name: "destroy",
  summary: "remove everything a lab owns: its processes, links and namespaces",
  synopsis: "destroy FILE|NAME [--yes]",
  args: ["FILE|NAME"],
  options: ["yes"],
  parallel: true,
  interruptible: true,
  details: [
    "What the lab owns is found in the kernel (each node's marker), so a lab can be destroyed by name",
    "without its file. Nothing another lab or tool made is touched. On a terminal you are asked to",
    "confirm (--yes skips it), unless the machine has nothing of the lab (a mistyped name): that is said.",
    "Ctrl-C (or SIGTERM) exits 130 (143): at the question or before the first change, nothing is changed;",
    "after, it runs on to its end (destroy ends what it starts) and says what it came to: the lab destroyed,",
    "with the nodes it removed, or its error. A second Ctrl-C (or 5 s) ends it where it got to, part-destroyed",
    "(not at neslink shell's prompt, whose line it holds): destroying it again finishes it, listing what it cleaned up.",
    "Once destroyed, one that comes as the result is printed is said on stderr: the result is printed whole, exit 0.",
    "A link the kernel will not delete (a physical NIC moved into a node by hand) is left to go with its",
    "namespace, and said so: the kernel moves such a device back to the host's namespace.",
    BOTH_FILE_AND_NAME,
    "--json: { topology, removed: [{ node, netns }], leftovers: { namespaces, entries: [{ netns }], links: [{ dev }],",
    "record, programs }, linksLeft: [{ node, netns, dev }], ms };",
    "answered no: { topology, destroyed: false }; interrupted once begun, the ERR_ABORTED error with",
    "destroyed (true: and removed; false: failed, the error, if it failed).",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/destroy.js"),
    (m) => m.destroy,
  ),
};
