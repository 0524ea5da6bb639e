import type { Command } from "../command.js";
import { BOTH_FILE_AND_NAME } from "./file-or-name.js";
import { lazyRun } from "./lazy.js";

export const inspect: Command = {
  name: "inspect",
  summary: "the live state of labs (those named, or every running one): nodes, links, addresses, programs, phases",
  synopsis: "inspect [FILE|NAME]...",
  args: [],
  rest: { name: "FILE|NAME", required: false },
  options: [],
  parallel: true,
  details: [
    "Given FILE, also the drift: what apply would change. Read from the kernel's markers, no state file.",
    "A node's loopback (lo) has a row where the file (FILE) configures it (addresses, a route, a sysctl), or where it",
    "is down or holds addresses besides the kernel's 127.0.0.1/8 and ::1/128; --json has every link.",
    "A NAME no running lab has is an error (ERR_NS_NOT_FOUND, exit 1), as for graph.",
    BOTH_FILE_AND_NAME,
    "--json: an array of { topology, nodes: [{ name, netns, phase, links: [{ index, name, kind, up, operstate,",
    "mtu, mac, masterIndex, master, parentIndex, peerNetns, peer, addresses }], routes, processes }], drift?, conflicts? },",
    "one per lab: a link's fields as link list gives them, master a name, peer { node, dev }; routes as route list",
    "gives them; a program's phase; drift's changes as plan gives them.",
    "A node whose namespace is taken by something not the lab's (conflicts: apply would refuse it) is said on stderr.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/inspect.js"),
    (m) => m.inspect,
  ),
};
