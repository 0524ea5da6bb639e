import { na, ns } from "@neslink/core";
import { type ExecBody, execBody } from "../bodies.js";
import type { Route } from "../router.js";

export const execRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/namespaces/{name}/exec",
    exec: true,
    body: execBody,
    async handle({ param, body, nsDo }) {
      const {
        results: [result],
      } = await nsDo(ns.name(param("name")), na.exec((body as ExecBody).argv));
      return { status: 200, body: { result } };
    },
  },
];
