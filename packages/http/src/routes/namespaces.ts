import { listNetns, na, ns } from "@neslink/core";
import { type CreateNamespaceBody, createNamespaceBody } from "../bodies.js";
import type { Route } from "../router.js";

export const namespaceRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/namespaces",
    // Read here, with no worker (as `neslink ns list --json`): the mount table, and each one's id in the server's namespace.
    handle: async () => ({ status: 200, body: { namespaces: listNetns() } }),
  },
  {
    method: "POST",
    path: "/v1/namespaces",
    body: createNamespaceBody,
    async handle({ body, nsDo }) {
      const { name } = body as CreateNamespaceBody;
      const {
        results: [created],
      } = await nsDo(ns.now(), na.createNamed(name));
      return { status: 201, body: { namespace: created }, headers: { location: `/v1/namespaces/${encodeURIComponent(created.name)}` } };
    },
  },
  {
    method: "DELETE",
    path: "/v1/namespaces/{name}",
    async handle({ param, nsDo }) {
      await nsDo(ns.now(), na.deleteNamed(param("name")));
      return { status: 204 };
    },
  },
];
