import type { Route } from "../router.js";
import { execRoutes } from "./exec.js";
import { healthRoutes } from "./health.js";
import { linkRoutes } from "./links.js";
import { namespaceRoutes } from "./namespaces.js";
import { openapiRoutes } from "./openapi.js";

export const routes: readonly Route[] = [...healthRoutes, ...openapiRoutes, ...namespaceRoutes, ...linkRoutes, ...execRoutes];
