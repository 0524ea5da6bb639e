/** A name in /run/netns that is not a namespace: every route refuses it as the OpenAPI document says, and leaves it alone. */
import { randomBytes } from "node:crypto";
import { lstatSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import type { Server } from "node:http";
import { type Schema, Validator } from "@cfworker/json-schema";
import { defaultPool } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { openapi } from "../../src/openapi.js";
import { createServer, listen } from "../../src/server.js";

const prefix = uniquePrefix("hn");
const entry = `/run/netns/${prefix}s`;
const token = randomBytes(24).toString("hex");
const server: Server = createServer({ token, allowExec: true });
let base = "";

beforeAll(async () => {
  base = await listen(server, { host: "127.0.0.1", port: 0 });
  symlinkSync("/proc/1/ns/net", entry);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await defaultPool().close();
  rmSync(entry, { force: true });
  cleanup(prefix);
});

type Responses = Record<string, { content?: { "application/json": { schema: object } } }>;
const paths = openapi.paths as unknown as Record<string, Record<string, { responses: Responses }>>;

describe("a symlink where a namespace's name is", () => {
  it.each([
    { method: "POST", path: "/v1/namespaces", url: "/v1/namespaces", body: { name: `${prefix}s` } },
    { method: "DELETE", path: "/v1/namespaces/{name}", url: `/v1/namespaces/${prefix}s` },
    { method: "GET", path: "/v1/namespaces/{name}/links", url: `/v1/namespaces/${prefix}s/links` },
    { method: "GET", path: "/v1/namespaces/{name}/links/{link}", url: `/v1/namespaces/${prefix}s/links/lo` },
    { method: "POST", path: "/v1/namespaces/{name}/exec", url: `/v1/namespaces/${prefix}s/exec`, body: { argv: ["true"] } },
  ])("$method $path is a documented 409 ERR_NOT_A_NAMESPACE, and the symlink stays", async ({ method, path, url, body }) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body && { body: JSON.stringify(body) }),
    });
    const answer = (await res.json()) as { error: { code: string } };
    expect({ status: res.status, code: answer.error.code }).toEqual({ status: 409, code: "ERR_NOT_A_NAMESPACE" });
    const schema = paths[path]?.[method.toLowerCase()]?.responses["409"]?.content?.["application/json"].schema;
    expect(schema, `${method} ${path} documents 409`).toBeDefined();
    const validator = new Validator({ ...schema, components: openapi.components } as Schema, "2020-12", false);
    expect(validator.validate(answer).errors).toEqual([]);
    expect(lstatSync(entry).isSymbolicLink() && readlinkSync(entry)).toBe("/proc/1/ns/net");
  });
});
