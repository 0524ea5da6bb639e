import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAIL_AFTER_MS, linksIn, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { createServer, listen } from "../../src/server.js";
import { endAll } from "./in-process.js";
import { open, request, serverSockets, until } from "./bin-process.js";

const prefix = uniquePrefix("nh");
const token = randomBytes(24).toString("hex");
const servers: Server[] = [];
let base = "";
let execBase = "";

async function start(allowExec: boolean): Promise<string> {
  const server = createServer({ token, allowExec });
  servers.push(server);
  return listen(server, { host: "127.0.0.1", port: 0 });
}

function call(path: string, init: RequestInit & { json?: unknown; auth?: string | null; at?: string } = {}) {
  const { json, auth = token, at = base, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (auth !== null) headers.set("authorization", `Bearer ${auth}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${at}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
}

interface ErrorBody {
  code: string;
  field?: string;
  cause?: { code: string };
}

async function errorOf(res: Response): Promise<ErrorBody> {
  return ((await res.json()) as { error: ErrorBody }).error;
}

beforeAll(async () => {
  base = await start(false);
  execBase = await start(true);
});

afterAll(() => endAll(servers, prefix));

describe("neslink HTTP API", () => {
  it("serves health and the OpenAPI document without a token, nothing else", async () => {
    expect(await (await call("/v1/health", { auth: null })).json()).toEqual({ status: "ok" });
    expect(((await (await call("/v1/openapi.json", { auth: null })).json()) as { openapi: string }).openapi).toBe("3.1.0");

    const anonymous = await call(`/v1/namespaces/${prefix}x/links`, { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await errorOf(anonymous)).code).toBe("ERR_UNAUTHORIZED");
    expect((await call(`/v1/namespaces/${prefix}x/links`, { auth: `${token}0` })).status).toBe(401);
  });

  it("refuses a body over 64 KiB with 413, and one that is not JSON, or is compressed, with 415", async () => {
    const big = await call("/v1/namespaces", { method: "POST", json: { name: "x".repeat(100 * 1024) } });
    expect(big.status).toBe(413);
    expect((await errorOf(big)).code).toBe("ERR_BODY_TOO_LARGE");

    const text = await call("/v1/namespaces", { method: "POST", body: "name=x", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);

    // Valid JSON, compressed: the server does not decode content codings, and says so rather than "not valid JSON".
    const name = `${prefix}z`;
    const gzipped = await call("/v1/namespaces", {
      method: "POST",
      body: gzipSync(JSON.stringify({ name })),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    expect(gzipped.status).toBe(415);
    expect(await errorOf(gzipped)).toMatchObject({ code: "ERR_UNSUPPORTED_MEDIA_TYPE", message: expect.stringContaining("gzip") });
    // JSON in another charset would be read as UTF-8, wrongly: refused, naming it.
    const utf16 = await call("/v1/namespaces", {
      method: "POST",
      body: Buffer.from(JSON.stringify({ name }), "utf16le"),
      headers: { "content-type": "application/json; charset=UTF-16" },
    });
    expect(utf16.status).toBe(415);
    expect(await errorOf(utf16)).toMatchObject({ code: "ERR_UNSUPPORTED_MEDIA_TYPE", message: expect.stringContaining("utf-16") });
    expect(netnsList(prefix)).not.toContain(name);
  });

  it("reads a body in UTF-8 only: a byte order mark is ignored, bytes that are not UTF-8 are a 400 naming the body", async () => {
    const name = `${prefix}bom`;
    const bom = await call("/v1/namespaces", {
      method: "POST",
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ name }))]),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(bom.status).toBe(201);
    expect(netnsList(prefix)).toContain(name);

    const latin1 = await call("/v1/namespaces", {
      method: "POST",
      body: Buffer.from(`{"name":"${prefix}\xe9"}`, "latin1"),
      headers: { "content-type": "application/json" },
    });
    expect(latin1.status).toBe(400);
    expect(await errorOf(latin1)).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "body", message: expect.stringContaining("UTF-8") });
    expect(netnsList(prefix)).not.toContain(`${prefix}\ufffd`);
  });

  it("refuses bad bodies and names with 400 naming the field, touching nothing", async () => {
    const before = netnsList(prefix);
    for (const [json, field] of [
      [{ name: `${prefix}/../../etc/x` }, "name"],
      [{ name: ".." }, "name"],
      [{}, "name"],
      [{ name: 3 }, "name"],
      [{ name: `${prefix}y`, extra: true }, "extra"],
      [[], "body"],
    ] as const) {
      const res = await call("/v1/namespaces", { method: "POST", json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field });
    }
    const broken = await call("/v1/namespaces", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(await errorOf(broken)).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "body" });
    expect(netnsList(prefix)).toEqual(before);
  });

  it("creates a namespace (201), lists its links as iproute2 sees them, and deletes it (204)", async () => {
    const name = `${prefix}a`;
    const created = await call("/v1/namespaces", { method: "POST", json: { name } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/v1/namespaces/${name}`);
    expect(await created.json()).toEqual({ namespace: { name, path: `/run/netns/${name}` } });
    expect(netnsList()).toContain(name);

    const again = await call("/v1/namespaces", { method: "POST", json: { name } });
    expect(again.status).toBe(409);

    const listed = await call(`/v1/namespaces/${name}/links`);
    expect(listed.status).toBe(200);
    const { links } = (await listed.json()) as { links: { index: number; name: string; mtu: number; mac: string | null }[] };
    expect(links.map((l) => [l.index, l.name, l.mtu])).toEqual(linksIn(name).map((l) => [l.ifindex, l.ifname, l.mtu]));

    const lo = await call(`/v1/namespaces/${name}/links/lo`);
    expect(((await lo.json()) as { link: { name: string } }).link.name).toBe("lo");
    const noLink = await call(`/v1/namespaces/${name}/links/nope0`);
    expect(noLink.status).toBe(404);
    expect((await errorOf(noLink)).code).toBe("ERR_LINK_NOT_FOUND");

    const deleted = await call(`/v1/namespaces/${name}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    expect(netnsList()).not.toContain(name);
    expect((await call(`/v1/namespaces/${name}`, { method: "DELETE" })).status).toBe(404);
  });

  it("answers 404 for a missing namespace", async () => {
    const res = await call(`/v1/namespaces/${prefix}missing/links`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("ERR_NS_NOT_FOUND");
  });

  it("refuses exec with 403 unless it was allowed, and runs it inside the namespace when it was", async () => {
    const name = `${prefix}b`;
    expect((await call("/v1/namespaces", { method: "POST", json: { name } })).status).toBe(201);

    const refused = await call(`/v1/namespaces/${name}/exec`, { method: "POST", json: { argv: ["ip", "-j", "link", "show"] } });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe("ERR_EXEC_DISABLED");

    const badBody = await call(`/v1/namespaces/${name}/exec`, { at: execBase, method: "POST", json: { argv: ["ip", 1] } });
    expect(await errorOf(badBody)).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "argv[1]" });

    const ran = await call(`/v1/namespaces/${name}/exec`, { at: execBase, method: "POST", json: { argv: ["ip", "-j", "link", "show"] } });
    expect(ran.status).toBe(200);
    const { result } = (await ran.json()) as { result: { status: number; stdout: string } };
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).map((l: { ifname: string }) => l.ifname)).toEqual(linksIn(name).map((l) => l.ifname));

    expect((await call(`/v1/namespaces/${name}`, { method: "DELETE" })).status).toBe(204);
  });

  it("refuses bad limits naming the field", () => {
    expect(() => createServer({ token, maxConnections: 0 })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "maxConnections" }),
    );
    expect(() => createServer({ token, headersTimeoutMs: 60_000 })).toThrow(expect.objectContaining({ field: "headersTimeoutMs" }));
  });

  it("drains from code: stops listening, refuses a request it had not begun with 503, then resolves", async () => {
    const server = createServer({ token });
    const at = await listen(server, { host: "127.0.0.1", port: 0 });
    const name = `${prefix}d`;
    const conn = open({ port: Number(new URL(at).port) });
    await conn.connected;
    const bytes = request("POST", "/v1/namespaces", { token, body: { name } });
    conn.socket.write(bytes.slice(0, -2));
    // Accepted and read by the server before it drains, not 100 ms later.
    const read = () => {
      const { established, unread } = serverSockets(Number(new URL(at).port));
      return established === 1 && unread === 0;
    };
    await until(read, FAIL_AFTER_MS, "the connection, read");

    const drained = server.drain(5_000);
    expect(server.listening).toBe(false);
    conn.socket.write(bytes.slice(-2));
    const res = await conn.response;
    expect(res.status).toBe(503);
    expect(res.headers.connection).toBe("close");
    await drained;
    expect(netnsList(prefix)).not.toContain(name);
  });
});
