import { openapi } from "../openapi.js";
import type { Route } from "../router.js";

export const openapiRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/openapi.json",
    public: true,
    handle: () => ({ status: 200, body: openapi }),
  },
];
