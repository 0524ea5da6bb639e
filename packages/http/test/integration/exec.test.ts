import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import type { Server } from "node:http";
import { closeDefaultPool } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, gate, ip, linksIn, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { EXEC_HANGUP_GRACE_MS, EXEC_MAX_BUFFER } from "../../src/routes/exec.js";
import { createServer, listen } from "../../src/server.js";

const prefix = uniquePrefix("nhx");
const name = `${prefix}a`;
const token = randomBytes(24).toString("hex");
let server: Server;
let base = "";

function post(path: string, json: unknown) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(json),
  });
}

beforeAll(async () => {
  ip("netns", "add", name);
  server = createServer({ token, allowExec: true });
  base = await listen(server, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closeDefaultPool();
  cleanup(prefix);
});

describe("POST /v1/namespaces/{name}/exec", () => {
  it("running programs do not hold up other requests for the namespace", async () => {
    const door = `/tmp/${prefix}-gate`;
    const waits = Array.from({ length: 3 }, () => post(`/v1/namespaces/${name}/exec`, { argv: gate.argv(door) }));
    try {
      const until = Date.now() + 30_000;
      while (gate.waiting(name, door) < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(gate.waiting(name, door)).toBe(3);
      const res = await fetch(`${base}/v1/namespaces/${name}/links`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const { links } = (await res.json()) as { links: { name: string }[] };
      expect(links.map((l) => l.name)).toEqual(linksIn(name).map((l) => l.ifname));
      expect(gate.waiting(name, door)).toBe(3);
    } finally {
      gate.open(door);
    }
    for (const r of await Promise.all(waits)) expect(((await r.json()) as { result: { status: number } }).result.status).toBe(0);
    rmSync(door, { force: true });
  });

  it("a program not in PATH is 404 with ENOENT, not a 500", async () => {
    const res = await post(`/v1/namespaces/${name}/exec`, { argv: [`${prefix}-no-such-program`] });
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { code: string; cause: { code: string; message: string } } };
    expect(error.cause.code).toBe("ENOENT");
    expect(error.cause.message).toContain(`${prefix}-no-such-program`);
  });

  it("output past the cap kills the program and answers 422", async () => {
    const res = await post(`/v1/namespaces/${name}/exec`, { argv: ["sh", "-c", "echo $$ >&2; exec yes"] });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { cause: { code: string; message: string } } };
    expect(error.cause.code).toBe("ERR_EXEC_MAX_BUFFER");
    expect(error.cause.message).toContain(`${EXEC_MAX_BUFFER} bytes`);
    const pid = Number(/pid (\d+)/.exec(error.cause.message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it("a client that goes away hangs up on its program and on what the program started; other requests go on", async () => {
    const pids = `/tmp/${prefix}-pids`;
    // The shell ignores SIGHUP and its background sleep does not get it from a terminal: only the group's SIGHUP, then SIGKILL, ends them.
    const script = `trap '' HUP; sleep 300 & echo $$ $! > ${pids}; wait`;
    const url = new URL(`${base}/v1/namespaces/${name}/exec`);
    const body = JSON.stringify({ argv: ["sh", "-c", script] });
    const req = request(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    req.on("error", () => {});
    req.end(body);
    const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
    try {
      const until = Date.now() + FAIL_AFTER_MS;
      while (!existsSync(pids) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const [shell, sleep] = readFileSync(pids, "utf8").trim().split(" ").map(Number) as [number, number];
      // The background sleep is in the shell's own process group.
      expect(readFileSync(`/proc/${sleep}/stat`, "utf8").split(") ")[1]?.split(" ")[2]).toBe(String(shell));
      req.destroy();
      const gone = Date.now() + EXEC_HANGUP_GRACE_MS + FAIL_AFTER_MS;
      while ((alive(shell) || alive(sleep)) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
      expect({ shell: alive(shell), sleep: alive(sleep) }).toEqual({ shell: false, sleep: false });
      const res = await post(`/v1/namespaces/${name}/exec`, { argv: ["true"] });
      expect(res.status).toBe(200);
    } finally {
      rmSync(pids, { force: true });
    }
  });
});
