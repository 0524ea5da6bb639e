/** The router as clients meet it: real requests to a running server, checked against what iproute2 and /run/netns show. */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { defaultPool } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, linksIn, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { createServer, listen } from "../../src/server.js";
import { call as raw, request } from "./bin-process.js";

const prefix = uniquePrefix("nh");
const token = randomBytes(24).toString("hex");
const server: Server = createServer({ token, allowExec: false });
const lab = `${prefix}r`;
let base = "";

beforeAll(async () => {
  base = await listen(server, { host: "127.0.0.1", port: 0 });
  expect((await call("/v1/namespaces", { method: "POST", json: { name: lab } })).status).toBe(201);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await defaultPool().close();
  cleanup(prefix);
});

function call(path: string, init: RequestInit & { json?: unknown; auth?: boolean } = {}) {
  const { json, auth = true, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth) headers.set("authorization", `Bearer ${token}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${base}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
}

async function errorOf(res: Response): Promise<{ code: string; field?: string }> {
  return ((await res.json()) as { error: { code: string; field?: string } }).error;
}

/** Every character percent-encoded: the server must decode the path parameter to find the namespace. */
const encodeAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

describe("routing real requests", () => {
  it("decodes path parameters: a fully percent-encoded name reaches the namespace iproute2 sees", async () => {
    const res = await call(`/v1/namespaces/${encodeAll(lab)}/links`);
    expect(res.status).toBe(200);
    const { links } = (await res.json()) as { links: { name: string }[] };
    expect(links.map((l) => l.name)).toEqual(linksIn(lab).map((l) => l.ifname));

    const one = await call(`/v1/namespaces/${lab}/links/${encodeAll("lo")}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { link: { name: string } }).link.name).toBe("lo");
  });

  it("keeps an encoded '/' inside one parameter, which core refuses as a name: nothing outside the mount dir is touched", async () => {
    const res = await call("/v1/namespaces/..%2F..%2Fetc%2Fhostname", { method: "DELETE" });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "name" });
    expect(existsSync("/etc/hostname")).toBe(true);
    expect(netnsList(prefix)).toEqual([lab]);
  });

  it("answers an unknown path 404, another method 405 with Allow, and a bad escape 400", async () => {
    const unknown = await call("/v1/nothing");
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("ERR_ROUTE_NOT_FOUND");

    const wrongMethod = await call(`/v1/namespaces/${lab}`, { method: "PUT" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("DELETE");
    expect((await errorOf(wrongMethod)).code).toBe("ERR_METHOD_NOT_ALLOWED");
    expect(netnsList(prefix)).toEqual([lab]);

    const badEscape = await call("/v1/namespaces/%E0%A4%A/links");
    expect(badEscape.status).toBe(400);
    expect((await errorOf(badEscape)).code).toBe("ERR_INVALID_ARGUMENT");
  });

  it("answers HEAD on every GET route as GET would, without the body, and lists HEAD in Allow", async () => {
    for (const path of ["/v1/health", "/v1/openapi.json", `/v1/namespaces/${lab}/links`, `/v1/namespaces/${lab}/links/lo`]) {
      const get = await call(path);
      const head = await call(path, { method: "HEAD" });
      expect({ path, status: head.status }).toEqual({ path, status: 200 });
      expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
      expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(await get.text())));
      expect(await head.text()).toBe("");
    }
    const anonymous = await call(`/v1/namespaces/${lab}/links`, { method: "HEAD", auth: false });
    expect(anonymous.status).toBe(401);
    const post = await call("/v1/health", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    // HEAD is only GET's: a route without GET still refuses it.
    const headDelete = await call(`/v1/namespaces/${lab}`, { method: "HEAD" });
    expect(headDelete.status).toBe(405);
    expect(headDelete.headers.get("allow")).toBe("DELETE");
    expect(netnsList(prefix)).toEqual([lab]);
  });

  it("routes the request target as sent: '//', '\\' and encoded dots do not turn it into another path", async () => {
    const port = Number(new URL(base).port);
    const send = async (method: string, target: string) => {
      const res = await raw({ port }, request(method, target, { token }));
      return {
        status: res.status,
        error: res.body ? (JSON.parse(res.body) as { error?: { code: string; message: string } }).error : undefined,
      };
    };
    // A leading "//" is an empty segment, not a host: nothing else is deleted, the 404 names the path sent.
    const other = `${prefix}o`;
    ip("netns", "add", other);
    try {
      const doubled = await send("DELETE", `//x/v1/namespaces/${other}`);
      expect(doubled).toMatchObject({
        status: 404,
        error: { code: "ERR_ROUTE_NOT_FOUND", message: `no route for //x/v1/namespaces/${other}` },
      });
      expect(netnsList(prefix).sort()).toEqual([lab, other].sort());
    } finally {
      if (netnsList(other).includes(other)) ip("netns", "del", other);
    }
    expect((await send("GET", "//v1/health")).error?.message).toBe("no route for //v1/health");
    // A backslash is a character of a link name, not a path separator.
    ip("-n", lab, "link", "add", "a\\b", "type", "bridge");
    try {
      expect((await send("GET", `/v1/namespaces/${lab}/links/a\\b`)).status).toBe(200);
    } finally {
      ip("-n", lab, "link", "del", "a\\b");
    }
    // An encoded ".." is the name "..", refused as such, not a step up to /v1/links.
    expect(await send("GET", "/v1/namespaces/%2e%2e/links")).toMatchObject({ status: 400, error: { code: "ERR_INVALID_ARGUMENT" } });
    // The absolute form a proxy may send still reaches its route.
    expect((await send("GET", "http://localhost/v1/health")).status).toBe(200);
  });

  it("serves only health and the OpenAPI document without a token: every other operation it documents answers 401", async () => {
    const doc = (await (await call("/v1/openapi.json", { auth: false })).json()) as { paths: Record<string, Record<string, unknown>> };
    const open: string[] = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      const path = template.replace("{name}", lab).replace("{link}", "lo");
      for (const method of Object.keys(operations)) {
        const res = await call(path, { method: method.toUpperCase(), auth: false, ...(method === "post" && { json: {} }) });
        if (res.status !== 401) open.push(`${method.toUpperCase()} ${template} ${res.status}`);
        else expect((await errorOf(res)).code).toBe("ERR_UNAUTHORIZED");
      }
    }
    expect(open.sort()).toEqual(["GET /v1/health 200", "GET /v1/openapi.json 200"]);
    // Nothing the refused requests named was changed.
    expect(netnsList(prefix)).toEqual([lab]);
  });

  it("refuses what no route reads, a query parameter or a body where none is taken, before anything is done", async () => {
    const named = `${prefix}q`;
    const refused = [
      [await call(`/v1/namespaces/${lab}`, { method: "DELETE", json: { force: true } }), "body", "body: DELETE takes no body"],
      [await call(`/v1/namespaces/${lab}?force=1`, { method: "DELETE" }), "query.force", "query.force: is not a known parameter"],
      [await call(`/v1/namespaces?x=1`, { method: "POST", json: { name: named } }), "query.x", "query.x: is not a known parameter"],
      [await call(`/v1/namespaces/${lab}/links?x`), "query.x", "query.x: is not a known parameter"],
      [await call("/v1/health?verbose=1", { auth: false }), "query.verbose", "query.verbose: is not a known parameter"],
    ] as const;
    for (const [res, field, message] of refused) {
      expect(res.status, message).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field, message });
    }
    // Nothing the refused requests named was changed: the namespace is still there, the other never made.
    expect(netnsList(prefix)).toEqual([lab]);
    ip("-n", lab, "link", "show", "lo");
    // A bare "?" and an empty body are no request of anything more.
    expect((await call("/v1/health?", { auth: false })).status).toBe(200);
    expect((await call(`/v1/namespaces/${lab}/links`, { headers: { "content-length": "0" } })).status).toBe(200);
  });
});
