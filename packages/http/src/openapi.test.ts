import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Schema, Validator } from "@cfworker/json-schema";
import { type Address, decodeMessages, type Link, type Route } from "@neslink/codec-wasm";
import { linkNames, routeGiven, toAddressJSON, toLinkJSON, toRouteJSON } from "@neslink/core/shapes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespaceBody, execBody } from "./bodies.js";
import { openapi } from "./openapi.js";
import { routes } from "./routes/index.js";
import { createServer, listen, type NeslinkServer } from "./server.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

type Operation = {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};
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
      // The server refuses every query parameter (unasked.ts): one documented would be a promise it does not keep.
      for (const p of op.parameters ?? []) expect(p, route.path).toMatchObject({ in: "path" });
      expect(Object.keys(op.responses), route.path).toContain("400");
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

/** Checks `value` against `schema`, whose $refs point into the document. */
function conforms(schema: object, value: unknown): string[] {
  const validator = new Validator({ ...schema, components: openapi.components } as Schema, "2020-12", false);
  return validator.validate(value).errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

/** The schema the document gives for `status` of `method path`. */
function responseSchema(method: string, path: string, status: number): object {
  const op = paths[path]?.[method] as { responses: Record<string, { content?: { "application/json": { schema: object } } }> };
  const schema = op.responses[String(status)]?.content?.["application/json"].schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON body for ${status}`);
  return schema;
}

/** Decoded bodies of one kind from a kernel test vector of the codec. */
function decodedFrom<T>(fixture: string, kind: "link" | "address" | "route"): T[] {
  const bytes = readFileSync(new URL(`../../codec-wasm/fixtures/${fixture}.bin`, import.meta.url));
  const messages = decodeMessages(new Uint8Array(bytes)) as unknown as Record<string, unknown>[];
  return messages.filter((m) => m.kind === kind).map((m) => m[kind] as T);
}

const links = (fixture: string) => decodedFrom<Link>(fixture, "link").map(toLinkJSON);
const named = linkNames([]);

describe("the document describes what the server really sends", () => {
  it("links, addresses and routes of kernel dumps, as core's shapes give them (the server's and the CLI's --json)", () => {
    const cases = [
      ["Link", links("link/dump-lo-bridge-veth")],
      ["Link", links("link/dump-veth-peer-netns")],
      ["Link", links("link/dump-vxlan-macvlan")],
      ["Address", decodedFrom<Address>("addr/dump-ipv4-ipv6", "address").map((a) => toAddressJSON(a, named))],
      ["Route", decodedFrom<Route>("route/dump-ipv4", "route").map((r) => toRouteJSON(r, named))],
      ["Route", decodedFrom<Route>("route/dump-ipv6", "route").map((r) => toRouteJSON(r, named))],
    ] as const;
    for (const [name, values] of cases) {
      expect(values.length, name).toBeGreaterThan(0);
      for (const value of values) expect(conforms(ref(name), value), name).toEqual([]);
    }
    // The schemas are not vacuous: a link missing a field, with a wrong type, or with the codec's numbers is refused.
    const [lo] = links("link/dump-lo-bridge-veth") as Record<string, unknown>[];
    const { mtu: _, ...noMtu } = lo as Record<string, unknown>;
    expect(conforms(ref("Link"), noMtu)).not.toEqual([]);
    expect(conforms(ref("Link"), { ...lo, operstate: "sideways" })).not.toEqual([]);
    expect(conforms(ref("Link"), { ...lo, flags: 0x49 })).not.toEqual([]);
    expect(conforms(ref("Link"), { ...lo, operstate: "up" })).not.toEqual([]);
    const [route] = cases[4][1];
    expect(conforms(ref("Route"), { ...route, table: 254 })).not.toEqual([]);
    // A namespace as ip -j netns list gives one: its id only where it has one; a bare name (the old shape) is refused.
    expect([conforms(ref("Netns"), { name: "lab" }), conforms(ref("Netns"), { name: "lab", id: 0 })]).toEqual([[], []]);
    for (const bad of ["lab", { name: "lab", id: -1 }, { name: "lab", id: "0" }, { id: 3 }])
      expect(conforms(ref("Netns"), bad)).not.toEqual([]);
  });

  it("documents every field of each shape, and only those: required, but a link's options of its kind", () => {
    const schemas = openapi.components.schemas as unknown as Record<string, { properties: object; required: string[] }>;
    const [lo] = links("link/dump-lo-bridge-veth");
    const [address] = decodedFrom<Address>("addr/dump-ipv4-ipv6", "address").map((a) => toAddressJSON(a, named));
    const [route] = decodedFrom<Route>("route/dump-ipv4", "route").map((r) => toRouteJSON(r, named));
    const given = routeGiven({ family: 2, dst: "10.0.0.0", dstLen: 24 }, "eth0");
    const optional: Record<string, string[]> = { Link: ["macvlan", "macvtap", "vxlan"] };
    for (const [name, value] of [
      ["Link", lo],
      ["Address", address],
      ["Route", route],
      ["RouteGiven", given],
    ] as const) {
      const keys = Object.keys(value ?? {}).sort();
      const { properties, required } = schemas[name] as { properties: object; required: string[] };
      expect([name, [...required].sort()]).toEqual([name, keys]);
      expect([name, Object.keys(properties).sort()]).toEqual([name, [...keys, ...(optional[name] ?? [])].sort()]);
    }
  });

  describe("errors, from a running server", () => {
    const token = randomBytes(24).toString("hex");
    let server: NeslinkServer;
    let base = "";
    beforeAll(async () => {
      server = createServer({ token });
      base = await listen(server, { host: "127.0.0.1", port: 0 });
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it.each([
      { method: "get", path: "/v1/namespaces/{name}/links", url: "/v1/namespaces/x/links", auth: null, status: 401 },
      { method: "get", path: "/v1/namespaces/{name}/links", url: "/v1/namespaces/a%20b/links", auth: token, status: 400 },
      {
        method: "get",
        path: "/v1/namespaces/{name}/links/{link}",
        url: "/v1/namespaces/x/links/sixteen-bytes-xx",
        auth: token,
        status: 400,
      },
      { method: "post", path: "/v1/namespaces", url: "/v1/namespaces", auth: token, status: 400 },
      { method: "post", path: "/v1/namespaces/{name}/exec", url: "/v1/namespaces/x/exec", auth: token, status: 403 },
      { method: "get", path: "/v1/health", url: "/v1/health?x=1", auth: null, status: 400 },
      { method: "delete", path: "/v1/namespaces/{name}", url: "/v1/namespaces/x", auth: token, status: 400 },
    ] as const)("$method $url → $status", async ({ method, path, url, auth, status }) => {
      const res = await fetch(`${base}${url}`, {
        method: method.toUpperCase(),
        headers: { ...(auth && { authorization: `Bearer ${auth}` }), "content-type": "application/json" },
        ...(method !== "get" && { body: JSON.stringify({ name: "a/b", argv: ["true"] }) }),
      });
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(conforms(responseSchema(method, path, status), body)).toEqual([]);
      // Every field the server sent is documented (the schema alone would let extra ones through).
      const documented = Object.keys(openapi.components.schemas.ErrorResponse.properties.error.properties);
      for (const key of Object.keys((body as { error: object }).error)) expect(documented).toContain(key);
    });
  });
});
