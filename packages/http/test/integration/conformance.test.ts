/**
 * Real responses of every documented operation, successes and the errors a
 * client typically meets, checked against the OpenAPI document the server
 * itself serves: the status is one the operation documents, the body matches
 * its schema (with a well-kept JSON Schema validator), every error field is a
 * documented one, and a response documented without a body has none.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Schema, Validator } from "@cfworker/json-schema";
import { ns, readLinks, toLinkJSON } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ip, ipJson, ipNetnsJson, linksIn, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { createServer, listen } from "../../src/server.js";
import { endAll } from "./in-process.js";

const prefix = uniquePrefix("hc");
const lab = `${prefix}a`;
const token = randomBytes(24).toString("hex");
const scratch = mkdtempSync(join(tmpdir(), "neslink-conformance-"));
const servers: Server[] = [];
let base = "";
let noExecBase = "";

interface Response {
  description: string;
  content?: Record<string, { schema: object }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { schemas: { ErrorResponse: { properties: { error: { properties: object } } } } };
}
let doc: Document;

/** Operations ("POST /v1/namespaces") whose documented success a case has checked. */
const succeeded = new Set<string>();

beforeAll(async () => {
  for (const allowExec of [true, false]) {
    const server = createServer({ token, allowExec });
    servers.push(server);
    const at = await listen(server, { host: "127.0.0.1", port: 0 });
    if (allowExec) base = at;
    else noExecBase = at;
  }
  doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as Document;
  ip("netns", "add", lab);
  // Links of each kind this kernel has, so the Link schema meets what the kernel really reports.
  ip("-n", lab, "link", "add", "br0", "type", "bridge");
  ip("-n", lab, "link", "add", "v0", "master", "br0", "type", "veth", "peer", "name", "v1");
  ip("-n", lab, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789");
  ip("-n", lab, "link", "add", "link", "v1", "name", "mv0", "type", "macvlan", "mode", "bridge");
  ip("-n", lab, "link", "add", "link", "v1", "name", "mt0", "type", "macvtap", "mode", "private");
  ip("-n", lab, "link", "set", "br0", "up");
  ip("-n", lab, "addr", "add", "10.77.0.1/24", "dev", "br0");
});

afterAll(async () => {
  await endAll(servers, prefix);
  rmSync(scratch, { recursive: true, force: true });
});

/** The template of the documented path `url` is an instance of. */
function templateOf(url: string): string {
  const path = url.split("?")[0] as string;
  const template = Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{\w+\}/g, "[^/]+")}$`).test(path));
  if (template === undefined) throw new Error(`${url} is no documented path`);
  return template;
}

interface Call {
  method: string;
  url: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  auth?: boolean;
  at?: string;
}

/** Sends `call` and checks the response against the served document; resolves with its status and parsed body. */
async function conforming(call: Call): Promise<{ status: number; body: unknown; headers: Headers }> {
  const { method, url, json, auth = true, at = base } = call;
  const headers: Record<string, string> = { ...call.headers };
  if (auth) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${at}${url}`, { method, headers, body: json !== undefined ? JSON.stringify(json) : call.body });
  const text = await res.text();
  const operation = `${method} ${templateOf(url)}`;
  const documented = doc.paths[templateOf(url)]?.[method.toLowerCase()]?.responses[String(res.status)];
  expect(documented, `${operation} answered ${res.status}, which it does not document: ${text}`).toBeDefined();
  if (res.status < 300) succeeded.add(operation);
  const schema = documented?.content?.["application/json"]?.schema;
  if (schema === undefined) {
    expect(text, `${operation} ${res.status} is documented without a body`).toBe("");
    return { status: res.status, body: undefined, headers: res.headers };
  }
  expect(res.headers.get("content-type"), operation).toMatch(/^application\/json(;|$)/);
  const body = JSON.parse(text) as unknown;
  const validator = new Validator({ ...schema, components: doc.components } as Schema, "2020-12", false);
  const errors = validator.validate(body).errors.map((e) => `${e.instanceLocation}: ${e.error}`);
  expect(errors, `${operation} ${res.status}: ${text.slice(0, 500)}`).toEqual([]);
  // The schemas let unknown properties through: an error field sent must still be a documented one, at every depth.
  const fields = Object.keys(doc.components.schemas.ErrorResponse.properties.error.properties);
  for (let error = (body as { error?: Record<string, unknown> }).error; error; error = error.cause as Record<string, unknown>) {
    for (const key of Object.keys(error)) expect(fields, `${operation} ${res.status} sent error.${key}`).toContain(key);
  }
  return { status: res.status, body, headers: res.headers };
}

/** Expects `call` to conform and answer `status` with error `code` (and `field`, if given). */
async function refused(call: Call, status: number, code: string, field?: string): Promise<void> {
  const res = await conforming(call);
  const { error } = res.body as { error: { code: string; field?: string } };
  expect({ status: res.status, code: error.code, ...(field && { field: error.field }) }).toEqual({ status, code, ...(field && { field }) });
}

const json = { "content-type": "application/json" };

describe("every documented operation answers as the served OpenAPI document says", () => {
  it("health and the document itself", async () => {
    expect((await conforming({ method: "GET", url: "/v1/health", auth: false })).status).toBe(200);
    expect((await conforming({ method: "GET", url: "/v1/openapi.json", auth: false })).body).toEqual(doc);
  });

  it("GET /v1/namespaces: the named namespaces, as ip -j netns list has them: { name, id? }", async () => {
    // An id the server's namespace (this process's) gives one of this file's namespaces, which goes with it.
    const numbered = `${prefix}i`;
    ip("netns", "add", numbered);
    ip("netns", "set", numbered, "auto");
    const listed = await conforming({ method: "GET", url: "/v1/namespaces" });
    expect(listed.status).toBe(200);
    const namespaces = (listed.body as { namespaces: { name: string; id?: number }[] }).namespaces;
    const ours = namespaces.filter((n) => n.name.startsWith(prefix));
    expect(ours.map((n) => n.name)).toEqual([lab, numbered]);
    expect(ours).toContainEqual({ name: numbered, id: expect.any(Number) });
    expect(ours).toEqual(ipNetnsJson(prefix));
    await refused({ method: "GET", url: "/v1/namespaces", auth: false }, 401, "ERR_UNAUTHORIZED");
  });

  it("POST /v1/namespaces: 201, and each typical refusal", async () => {
    const name = `${prefix}n`;
    const created = await conforming({ method: "POST", url: "/v1/namespaces", json: { name } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/v1/namespaces/${name}`);
    await refused({ method: "POST", url: "/v1/namespaces", json: { name } }, 409, "ERR_NS_EXISTS");
    await refused({ method: "POST", url: "/v1/namespaces", json: { name }, auth: false }, 401, "ERR_UNAUTHORIZED");
    await refused(
      { method: "POST", url: "/v1/namespaces", json: { name }, headers: { authorization: `Bearer ${token}x` }, auth: false },
      401,
      "ERR_UNAUTHORIZED",
    );
    await refused({ method: "POST", url: "/v1/namespaces", body: JSON.stringify({ name }) }, 415, "ERR_UNSUPPORTED_MEDIA_TYPE");
    await refused({ method: "POST", url: "/v1/namespaces", body: "{", headers: json }, 400, "ERR_INVALID_ARGUMENT", "body");
    await refused({ method: "POST", url: "/v1/namespaces", json: [] }, 400, "ERR_INVALID_ARGUMENT", "body");
    await refused({ method: "POST", url: "/v1/namespaces", json: {} }, 400, "ERR_INVALID_ARGUMENT", "name");
    await refused({ method: "POST", url: "/v1/namespaces", json: { name: "a b" } }, 400, "ERR_INVALID_ARGUMENT", "name");
    await refused({ method: "POST", url: "/v1/namespaces", json: { name, extra: 1 } }, 400, "ERR_INVALID_ARGUMENT", "extra");
    await refused({ method: "POST", url: "/v1/namespaces", json: { name: "x".repeat(70_000) } }, 413, "ERR_BODY_TOO_LARGE");
  });

  it("DELETE /v1/namespaces/{name}: 204, and each typical refusal", async () => {
    const name = `${prefix}d`;
    ip("netns", "add", name);
    expect((await conforming({ method: "DELETE", url: `/v1/namespaces/${name}` })).status).toBe(204);
    await refused({ method: "DELETE", url: `/v1/namespaces/${name}` }, 404, "ERR_NS_NOT_FOUND");
    await refused({ method: "DELETE", url: "/v1/namespaces/a%2Fb" }, 400, "ERR_INVALID_ARGUMENT", "name");
    await refused({ method: "DELETE", url: `/v1/namespaces/${lab}`, auth: false }, 401, "ERR_UNAUTHORIZED");
  });

  it("GET /v1/namespaces/{name}/links and /links/{link}: every link the kernel reports, and each typical refusal", async () => {
    const { body } = await conforming({ method: "GET", url: `/v1/namespaces/${lab}/links` });
    const names = (body as { links: { name: string }[] }).links.map((l) => l.name);
    expect(names).toEqual(linksIn(lab).map((l) => l.ifname));
    // Each link in the one shape neslink gives a link everywhere: what `neslink link list --json` prints (readLinks, as
    // core's toLinkJSON gives them), its numbers named as ip -j link names them.
    const links = (body as { links: { name: string; flags: string[]; group: string; operstate: string }[] }).links;
    expect(links).toEqual((await readLinks(ns.name(lab))).map(toLinkJSON));
    type IpLink = { ifname: string; flags: string[]; group: string; operstate: string };
    // M-DOWN is ip's note that the peer or parent is down, not a flag of the link itself.
    expect(links.map((l) => [l.name, l.flags, l.group, l.operstate])).toEqual(
      ipJson<IpLink[]>("-n", lab, "link", "show").map((l) => [l.ifname, l.flags.filter((f) => f !== "M-DOWN"), l.group, l.operstate]),
    );
    for (const link of names) {
      const one = await conforming({ method: "GET", url: `/v1/namespaces/${lab}/links/${encodeURIComponent(link)}` });
      expect((one.body as { link: { name: string } }).link.name).toBe(link);
    }
    await refused({ method: "GET", url: `/v1/namespaces/${prefix}none/links` }, 404, "ERR_NS_NOT_FOUND");
    await refused({ method: "GET", url: "/v1/namespaces/a%20b/links" }, 400, "ERR_INVALID_ARGUMENT", "name");
    await refused({ method: "GET", url: `/v1/namespaces/${lab}/links`, auth: false }, 401, "ERR_UNAUTHORIZED");
    await refused({ method: "GET", url: `/v1/namespaces/${lab}/links/nope0` }, 404, "ERR_LINK_NOT_FOUND");
    await refused({ method: "GET", url: `/v1/namespaces/${prefix}none/links/lo` }, 404, "ERR_NS_NOT_FOUND");
    await refused({ method: "GET", url: `/v1/namespaces/${lab}/links/sixteen-bytes-xx` }, 400, "ERR_INVALID_ARGUMENT", "link.name");
    await refused({ method: "GET", url: `/v1/namespaces/${lab}/links/lo`, auth: false }, 401, "ERR_UNAUTHORIZED");
  });

  it("POST /v1/namespaces/{name}/exec: 200 for any end of the program, and each typical refusal", async () => {
    const url = `/v1/namespaces/${lab}/exec`;
    const exited = await conforming({ method: "POST", url, json: { argv: ["sh", "-c", "echo out; echo err >&2; exit 3"] } });
    expect(exited.body).toMatchObject({ result: { status: 3, signal: null, stdout: "out\n", stderr: "err\n" } });
    const killed = await conforming({ method: "POST", url, json: { argv: ["sh", "-c", "kill -9 $$"] } });
    expect(killed.body).toMatchObject({ result: { status: null, signal: "SIGKILL" } });
    const notRunnable = join(scratch, "not-runnable");
    writeFileSync(notRunnable, "#!/bin/sh\n");
    chmodSync(notRunnable, 0o644);
    await refused({ method: "POST", url, json: { argv: [notRunnable] } }, 403, "EACCES");
    await refused({ method: "POST", url, json: { argv: [`${prefix}-no-such-program`] } }, 404, "ENOENT");
    await refused({ method: "POST", url: `/v1/namespaces/${prefix}none/exec`, json: { argv: ["true"] } }, 404, "ERR_NS_NOT_FOUND");
    await refused({ method: "POST", url, json: { argv: ["head", "-c", "2000000", "/dev/zero"] } }, 422, "ERR_EXEC_MAX_BUFFER");
    await refused({ method: "POST", url, json: { argv: [] } }, 400, "ERR_INVALID_ARGUMENT", "argv");
    await refused({ method: "POST", url, json: { argv: ["echo", "a\u0000b"] } }, 400, "ERR_INVALID_ARGUMENT", "argv[1]");
    await refused({ method: "POST", url, body: '{"argv":["true"]}' }, 415, "ERR_UNSUPPORTED_MEDIA_TYPE");
    await refused({ method: "POST", url, json: { argv: ["x".repeat(70_000)] } }, 413, "ERR_BODY_TOO_LARGE");
    await refused({ method: "POST", url, json: { argv: ["true"] }, auth: false }, 401, "ERR_UNAUTHORIZED");
    await refused({ method: "POST", url, json: { argv: ["true"] }, at: noExecBase }, 403, "ERR_EXEC_DISABLED");
  });

  it("had a documented success of every operation checked above", () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...succeeded].sort()).toEqual(operations.sort());
  });
});
