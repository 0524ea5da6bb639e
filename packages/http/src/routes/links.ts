import { lp, na, ns, toLinkJSON } from "@neslink/core";
import type { Route } from "../router.js";

export const linkRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/namespaces/{name}/links",
    async handle({ param, nsDo }) {
      const {
        results: [links],
      } = await nsDo(ns.name(param("name")), na.links());
      return { status: 200, body: { links: links.map(toLinkJSON) } };
    },
  },
  {
    method: "GET",
    path: "/v1/namespaces/{name}/links/{link}",
    async handle({ param, nsDo }) {
      const {
        results: [link],
      } = await nsDo(ns.name(param("name")), na.getLink(lp.name(param("link"))));
      return { status: 200, body: { link: toLinkJSON(link) } };
    },
  },
];
