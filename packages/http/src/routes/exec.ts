import { na, ns } from "@neslink/core";
import { type ExecBody, execBody } from "../bodies.js";
import type { Route } from "../router.js";

/**
 * Most bytes of stdout and stderr together one answer carries. A program
 * that writes more is killed and the answer is 422 (ERR_EXEC_MAX_BUFFER):
 * the server's memory is not the program's to fill.
 */
export const EXEC_MAX_BUFFER = 1 << 20;

export const execRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/namespaces/{name}/exec",
    exec: true,
    body: execBody,
    async handle({ param, body, nsDo }) {
      const {
        results: [result],
      } = await nsDo(ns.name(param("name")), na.exec((body as ExecBody).argv, { maxBuffer: EXEC_MAX_BUFFER }));
      return { status: 200, body: { result } };
    },
  },
];
