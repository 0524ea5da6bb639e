/**
 * Names with hidden characters or lone surrogates, body fields the schema does not have (also ones named like
 * Object.prototype's members) and keys given twice are refused as bad input over HTTP, with nothing created.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import type { Server } from "node:http";
import { defaultPool } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { createServer, listen } from "../../src/server.js";

const prefix = uniquePrefix("nh");
const token = randomBytes(24).toString("hex");
const server: Server = createServer({ token, allowExec: false });
let base = "";

beforeAll(async () => {
  base = await listen(server, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await defaultPool().close();
  cleanup(prefix);
});

const entries = () => readdirSync("/run/netns").filter((n) => n.startsWith(prefix));

describe("namespace names over HTTP", () => {
  it("a lone surrogate, a bidi or a zero-width character is a 400 naming the field, and no namespace is made", async () => {
    for (const odd of ["\ud800", "\udc00", "\u202e", "\u200b", "\u0085"]) {
      // JSON.stringify escapes a lone surrogate as \ud800, which JSON.parse on the server turns back into one.
      const res = await fetch(`${base}/v1/namespaces`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `${prefix}${odd}` }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string; field: string } }).error).toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        field: "name",
      });
    }
    expect(entries()).toEqual([]);
  });
});

describe("a name's length over HTTP", () => {
  const post = (name: string) =>
    fetch(`${base}/v1/namespaces`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });

  it("the document's limit is the server's: 255 bytes of UTF-8 (NAME_MAX, what the entry's file system takes), not characters", async () => {
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as {
      components: { schemas: { CreateNamespace: { properties: { name: { maxLength: number; "x-maxBytes"?: number } } } } };
    };
    const schema = doc.components.schemas.CreateNamespace.properties.name;
    const byDocument = (name: string) =>
      [...name].length <= schema.maxLength && Buffer.byteLength(name) <= (schema["x-maxBytes"] ?? Infinity);
    // The prefix is ASCII: "é" is 2 bytes of UTF-8, "😀" 4 (one character, two UTF-16 units).
    const fits = `${prefix}${"é".repeat((255 - prefix.length - 1) / 2)}a`;
    const fitsWide = `${prefix}${"😀".repeat(61)}${"a".repeat(255 - prefix.length - 61 * 4)}`;
    const names = [fits, fitsWide, `${prefix}${"é".repeat(200)}`, `${fits}a`, `${prefix}${"😀".repeat(62)}`];
    expect(names.map((n) => Buffer.byteLength(n))).toEqual([255, 255, prefix.length + 400, 256, prefix.length + 248]);
    try {
      for (const name of names) {
        const res = await post(name);
        const taken = Buffer.byteLength(name) <= 255;
        expect({ bytes: Buffer.byteLength(name), status: res.status }).toEqual({
          bytes: Buffer.byteLength(name),
          status: taken ? 201 : 400,
        });
        expect(byDocument(name), `${Buffer.byteLength(name)} bytes`).toBe(taken);
        if (!taken) expect(((await res.json()) as { error: { field: string } }).error.field).toBe("name");
        // A namespace iproute2 enters by that name.
        else expect(ipJson("-n", name, "link", "show").map((l) => l.ifname)).toEqual(["lo"]);
      }
      expect(entries().sort()).toEqual([fits, fitsWide].sort());
      expect(schema["x-maxBytes"]).toBe(255);
    } finally {
      for (const name of entries()) ip("netns", "del", name);
    }
  });
});

describe("request bodies over HTTP", () => {
  it("a field named __proto__, constructor or toString is a 400 naming it, and no namespace is made", async () => {
    for (const key of ["__proto__", "constructor", "toString"]) {
      // Written by hand: JSON.stringify of an object literal would not carry "__proto__" as a key.
      const body = `{"name":${JSON.stringify(`${prefix}${key.length}`)},${JSON.stringify(key)}:{"x":1}}`;
      const res = await fetch(`${base}/v1/namespaces`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
      expect({ key, status: res.status }).toEqual({ key, status: 400 });
      expect(((await res.json()) as { error: { code: string; field: string } }).error).toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        field: key,
      });
    }
    expect(entries()).toEqual([]);
    // JSON.parse made them own keys of the body: nothing reached the prototype every object of this server shares.
    expect(Object.prototype).not.toHaveProperty("x");
  });

  it("a key given twice in one object, at any depth, is a 400 naming the field and the key, and no namespace is made", async () => {
    const [first, last] = [`${prefix}first`, `${prefix}last`];
    for (const [body, field, key] of [
      // JSON.parse keeps the last; a proxy or log reading the first would see another request.
      [`{"name":"${first}","name":"${last}"}`, "name", "name"],
      // The same key, escaped.
      [`{"name":"${first}","n\u0061me":"${last}"}`, "name", "name"],
      [`{"name":"${first}","x":{"a":[{"__proto__":1,"__proto__":2}]}}`, "x.a[0].__proto__", "__proto__"],
    ]) {
      const res = await fetch(`${base}/v1/namespaces`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(((await res.json()) as { error: { code: string; field: string; message: string } }).error).toEqual({
        name: "ValidationError",
        code: "ERR_INVALID_ARGUMENT",
        field,
        message: `${field}: the key "${key}" is given twice in one object`,
      });
    }
    expect(entries()).toEqual([]);
  });
});
