import type { Route } from "../router.js";

export const healthRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/health",
    public: true,
    handle: () => ({ status: 200, body: { status: "ok" } }),
  },
];
