import type { Command } from "../command.js";
import { lazyRun } from "./lazy.js";

export const exec: Command = {
  name: "exec",
  summary: "run a program inside a namespace (no shell), as `ip netns exec` does",
  synopsis: "exec NS -- CMD [ARG...]",
  args: [],
  rest: { name: "CMD", required: true },
  passesThrough: true,
  options: ["ns"],
  details: [
    "NS: a namespace name, path, pid or a lab's node as LAB:NODE (or give it with -n).",
    "From CMD on, every word is the program's, options too (`exec h1 ip -br link`, as",
    'ip netns exec reads it); neslink\'s own options go before CMD. A "--" before CMD is also taken.',
    "As root, the program takes neslink's place, as with ip netns exec: same pid,",
    "stdin, stdout, stderr, terminal and environment; its status is neslink's (a",
    "signal that ends it ends neslink). Otherwise it runs as a child on neslink's",
    "stdio, SIGINT, SIGTERM and SIGHUP are passed on, and neslink exits with its",
    "status (128 + the number of a signal that ended it). 127 if CMD is not found,",
    "126 if it cannot be run. There is no time limit.",
    "--json: the output is collected (up to 16 MiB) and printed when the program",
    "ends, as one object with pid, status, signal, stdout and stderr; no input.",
    "The first SIGINT, SIGTERM or SIGHUP is passed on, then SIGKILL 2 s later.",
  ].join("\n"),
  run: lazyRun(
    () => import("./run/exec.js"),
    (m) => m.exec,
  ),
};

/** iproute2's spelling: `ip netns exec NAME CMD`. */
export const nsExec: Command = { ...exec, name: "ns exec", synopsis: "ns exec NS -- CMD [ARG...]", summary: "the same as `exec`" };
