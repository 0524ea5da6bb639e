import { exec, ns } from "@neslink/core";
import { type ExecBody, execBody } from "../bodies.js";
import type { Route } from "../router.js";

/**
 * Most bytes of stdout and stderr together one answer carries. A program
 * that writes more is killed and the answer is 422 (ERR_EXEC_MAX_BUFFER):
 * the server's memory is not the program's to fill.
 */
export const EXEC_MAX_BUFFER = 1 << 20;

/** How long a program whose client went away has between SIGHUP and SIGKILL (as the CLI's agent gives it). */
export const EXEC_HANGUP_GRACE_MS = 2000;

export const execRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/namespaces/{name}/exec",
    exec: true,
    body: execBody,
    async handle({ param, body, pool, signal }) {
      // In a process group of its own, so that a client that goes away hangs up on what the program started too.
      const result = await exec(
        ns.name(param("name")),
        (body as ExecBody).argv,
        { maxBuffer: EXEC_MAX_BUFFER, group: true, signal, killGraceMs: EXEC_HANGUP_GRACE_MS },
        pool(),
      );
      return { status: 200, body: { result } };
    },
  },
];
