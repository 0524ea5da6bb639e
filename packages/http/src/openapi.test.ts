import { describe, expect, it } from "vitest";
import { createNamespaceBody, execBody } from "./bodies.js";
import { openapi } from "./openapi.js";
import { routes } from "./routes/index.js";

type Operation = { security?: unknown[]; parameters?: { name: string }[]; requestBody?: unknown; responses: Record<string, unknown> };
const paths = openapi.paths as unknown as Record<string, Record<string, Operation>>;

describe("openapi", () => {
  it("is OpenAPI 3.1 with bearer security", () => {
    expect(openapi.openapi).toMatch(/^3\.1\./);
    expect(openapi.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    expect(openapi.security).toEqual([{ bearer: [] }]);
  });

  it("documents exactly the routes the server has", () => {
    const documented = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("marks public routes, declares every path parameter and every body", () => {
    for (const route of routes) {
      const op = paths[route.path]?.[route.method.toLowerCase()] as Operation;
      expect(op.security, route.path).toEqual(route.public ? [] : undefined);
      const placeholders = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect((op.parameters ?? []).map((p) => p.name)).toEqual(placeholders);
      expect(op.requestBody !== undefined, route.path).toBe(route.body !== undefined);
      if (!route.public) expect(Object.keys(op.responses)).toContain("401");
    }
  });

  it("publishes the very schemas request bodies are checked against", () => {
    expect(openapi.components.schemas.CreateNamespace).toBe(createNamespaceBody);
    expect(openapi.components.schemas.Exec).toBe(execBody);
  });

  it("resolves every $ref", () => {
    const refs = JSON.stringify(openapi).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const pointer = (JSON.parse(`{${ref}}`) as { $ref: string }).$ref.slice(2).split("/");
      const target = pointer.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], openapi);
      expect(target, ref).toBeDefined();
    }
  });
});
