/**
 * SIGTERM with work in flight (issue 13): the bin stops accepting, answers
 * every request it accepted (201 for a create it made, 503 for one it had not
 * begun), closes idle connections, closes the pool and exits 0, within its
 * drain timeout; past that it exits 1 naming what it cut.
 */
import { describe, expect, it } from "vitest";
import { FAIL_AFTER_MS, netnsList } from "../../../core/test/integration/kernel.js";
import { binTest, call, open, request, serverSockets, startBin, until, within } from "./bin-process.js";

const { prefix, files } = binTest("nd");

describe("neslink-http on SIGTERM or SIGINT", () => {
  it("answers each of 100 creates in flight, 201 exactly when the namespace exists, and exits 0", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    const names = Array.from({ length: 100 }, (_, i) => `${prefix}${i}`);
    const conns = names.map(() => open({ port: bin.port }));
    await Promise.all(conns.map((c) => c.connected));
    await Promise.all(
      conns.map(
        (c, i) =>
          new Promise<void>((resolve) =>
            c.socket.write(request("POST", "/v1/namespaces", { token: files.token, body: { name: names[i] } }), () => resolve()),
          ),
      ),
    );
    // Every connection handed to the server process, none left in the kernel's accept queue (closing the listener resets those).
    await until(() => serverSockets(bin.port).queued === 0, 5_000, "the accept queue to empty");
    bin.child.kill("SIGTERM");

    const responses = await within(Promise.all(conns.map((c) => c.response)), 15_000, "every response");

    const existing = new Set(netnsList(prefix));
    responses.forEach((res, i) => {
      expect(res.error, names[i]).toBeUndefined();
      expect([201, 503], `${names[i]}: ${res.status} ${res.body}`).toContain(res.status);
      expect(existing.has(names[i] as string), `${names[i]} got ${res.status}`).toBe(res.status === 201);
      if (res.status === 503) expect(JSON.parse(res.body).error.code).toBe("ERR_SHUTTING_DOWN");
    });
    expect(existing.size).toBe(responses.filter((r) => r.status === 201).length);
    expect(await within(bin.exited, 15_000, "exit")).toEqual({ code: 0, signal: null });
    expect(bin.stderr()).toMatch(/SIGTERM: draining/);
    expect(bin.stderr()).toMatch(/drained; exiting/);
  });

  it("refuses with 503 a request not yet begun, closes idle connections, and changes nothing", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    const target = { port: bin.port };
    const name = `${prefix}late`;

    // Headers and half the body before the signal; the rest after it.
    const slow = open(target);
    await slow.connected;
    const bytes = request("POST", "/v1/namespaces", { token: files.token, body: { name } });
    const cut = bytes.length - 5;
    slow.socket.write(bytes.slice(0, cut));
    // A keep-alive connection that has been served and is now idle, and one that never sent anything.
    const kept = open(target);
    await kept.connected;
    let served = false;
    kept.socket.once("data", () => {
      served = true;
    });
    kept.socket.write(request("GET", "/v1/health", { keepAlive: true }));
    const silent = open(target);
    await silent.connected;
    // Every connection accepted, what came on it read, and the keep-alive one answered: not 200 ms, which a loaded
    // machine's server could take longer than.
    const known = () => {
      const { established, queued, unread } = serverSockets(bin.port);
      return established === 3 && queued === 0 && unread === 0 && served;
    };
    await until(known, FAIL_AFTER_MS, "3 connections, read, one of them served");

    bin.child.kill("SIGINT");
    // The rest once the server is draining (it says so as it starts), not 500 ms later.
    await until(() => /SIGINT: draining/.test(bin.stderr()), FAIL_AFTER_MS, "the server to drain");
    slow.socket.write(bytes.slice(cut));

    const refused = await within(slow.response, 5_000, "the late request's answer");
    expect(refused.error).toBeUndefined();
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe("close");
    expect(JSON.parse(refused.body).error.code).toBe("ERR_SHUTTING_DOWN");
    expect(netnsList(prefix)).not.toContain(name);

    const idle = await within(kept.response, 5_000, "the idle connection closing");
    expect(idle.error).toBeUndefined();
    expect(idle.status).toBe(200);
    const never = await within(silent.response, 5_000, "the silent connection closing");
    expect(never.error).toBeUndefined();
    expect(never.body).toBe("");

    // Not listening any more: a new connection is refused by the kernel, not left hanging.
    expect((await call(target, request("GET", "/v1/health"))).error).toBe("ECONNREFUSED");
    expect(await within(bin.exited, 10_000, "exit")).toEqual({ code: 0, signal: null });
  });

  it("exits 1 after the drain timeout, naming the request it cut", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0", "--drain-timeout", "1"]);
    const stuck = open({ port: bin.port });
    await stuck.connected;
    const bytes = request("POST", "/v1/namespaces", { token: files.token, body: { name: `${prefix}stuck` } });
    stuck.socket.write(bytes.slice(0, -3));
    // Its headers read by the server (a request under way), not 200 ms later.
    const read = () => {
      const { established, unread } = serverSockets(bin.port);
      return established === 1 && unread === 0;
    };
    await until(read, FAIL_AFTER_MS, "the connection, read");

    const signalled = Date.now();
    bin.child.kill("SIGTERM");
    expect(await within(bin.exited, 20_000, "exit")).toEqual({ code: 1, signal: null });
    // Without the drain timeout, the stuck request would hold it until the 30 s request timeout.
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(bin.stderr()).toMatch(/ERR_DRAIN_TIMEOUT: .*within 1000 ms; 1 request\(s\) cut: POST \/v1\/namespaces/);
    expect((await stuck.response).status).toBeUndefined();
    expect(netnsList(prefix)).not.toContain(`${prefix}stuck`);
  });
});
