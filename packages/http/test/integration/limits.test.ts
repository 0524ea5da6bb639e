/**
 * Connection limits of the built bin (issue 13): a cap on connections where
 * idle ones make way, so unauthenticated clients holding connections cannot
 * lock out authenticated requests (also under a low descriptor limit), and
 * header, request and keep-alive timeouts enforced at their value, not up to
 * 30 s later. Small values keep it fast.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FAIL_AFTER_MS } from "../../../core/test/integration/kernel.js";
import { IDLE_GRACE_MS } from "../../src/connections.js";
import { binTest, call, open, request, serverSockets, startBin, until, within } from "./bin-process.js";

const { prefix, files } = binTest("nl");
const idle: ReturnType<typeof open>[] = [];

afterEach(() => {
  for (const conn of idle.splice(0)) conn.socket.destroy();
});

/** Opens `n` connections that never send a byte, and waits until they may make way (see connections.ts). */
async function hold(port: number, n: number): Promise<void> {
  const conns = Array.from({ length: n }, () => open({ port }));
  idle.push(...conns);
  await Promise.all(conns.map((c) => c.connected.catch(() => {})));
  await new Promise((resolve) => setTimeout(resolve, IDLE_GRACE_MS));
}

describe("neslink-http connection limits", () => {
  it("holds at most --max-connections, and idle ones make way for an authenticated request", async () => {
    // Idle connections that did not make way would hold the request until the headers timeout cut them: 300 s here,
    // past the test's own timeout, so no clock need tell that wait from a loaded machine's slow answer (8 s of 10 did).
    const timeouts = ["--headers-timeout", "300", "--request-timeout", "300"];
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0", "--max-connections", "10", ...timeouts]);
    await hold(bin.port, 30);
    await until(() => serverSockets(bin.port).queued === 0, FAIL_AFTER_MS, "every connection accepted");

    const res = await call({ port: bin.port }, request("GET", `/v1/namespaces/${prefix}none/links`, { token: files.token }));
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe("ERR_NS_NOT_FOUND");
    expect(serverSockets(bin.port).established).toBeLessThanOrEqual(10);
  });

  it("refuses a new connection with 503 when every connection is busy", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0", "--max-connections", "2"]);
    // Two requests in progress: headers sent, bodies not finished.
    const bytes = request("POST", "/v1/namespaces", { token: files.token, body: { name: `${prefix}busy` } });
    for (let i = 0; i < 2; i++) {
      const conn = open({ port: bin.port });
      idle.push(conn);
      await conn.connected;
      conn.socket.write(bytes.slice(0, -3));
    }
    // Both requests read by the server (under way), not 200 ms later.
    const busy = () => {
      const { established, unread } = serverSockets(bin.port);
      return established === 2 && unread === 0;
    };
    await until(busy, FAIL_AFTER_MS, "2 busy connections, read");

    const refused = await within(call({ port: bin.port }, request("GET", "/v1/health")), 5_000, "the refusal");
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe("close");
    expect(JSON.parse(refused.body).error.code).toBe("ERR_TOO_MANY_CONNECTIONS");
  });

  it("answers every client of a burst past the cap: a request sent but not yet read is not closed to make way", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0", "--max-connections", "2"]);
    // Two clients that have sent part of their request: to the server, connections with no request in progress yet.
    const health = request("GET", "/v1/health");
    const first = [0, 1].map(() => open({ port: bin.port }));
    idle.push(...first);
    for (const conn of first) {
      await conn.connected;
      conn.socket.write(health.slice(0, -2));
    }
    await until(() => serverSockets(bin.port).established === 2, 5_000, "2 connections");
    const third = await within(call({ port: bin.port }, health), 5_000, "the third client's answer");
    expect(third.status).toBe(503);
    expect(JSON.parse(third.body).error.code).toBe("ERR_TOO_MANY_CONNECTIONS");
    for (const conn of first) conn.socket.end(health.slice(-2));
    for (const answer of await Promise.all(first.map((c) => within(c.response, 5_000, "an answer")))) {
      expect(answer.error).toBeUndefined();
      expect(answer.status).toBe(200);
    }
  });

  it("serves an authenticated request past 300 idle connections under ulimit -n 256", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0"], { shell: ["ulimit -n 256"] });
    await hold(bin.port, 300);
    await until(() => serverSockets(bin.port).queued === 0, 10_000, "every connection accepted");
    const res = await within(
      call({ port: bin.port }, request("GET", `/v1/namespaces/${prefix}none/links`, { token: files.token })),
      5_000,
      "the answer",
    );
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(404);
    // The default cap follows the descriptor limit: a quarter of 256.
    expect(serverSockets(bin.port).established).toBeLessThanOrEqual(64);
  });

  it("cuts header and body drips at their timeouts, and idle keep-alive connections after theirs", async () => {
    const bin = await startBin([
      "--token-file",
      files.tokenFile,
      "--port",
      "0",
      "--headers-timeout",
      "2",
      "--request-timeout",
      "3",
      "--keep-alive-timeout",
      "1",
    ]);
    const target = { port: bin.port };
    const drip = (bytes: string, from: number) => {
      const conn = open(target);
      let at = from;
      conn.socket.write(bytes.slice(0, at));
      const timer = setInterval(() => {
        if (at < bytes.length - 1) conn.socket.write(bytes[at++] as string);
      }, 100);
      void conn.response.then(() => clearInterval(timer));
      return conn.response;
    };
    const headers = request("GET", "/v1/health").padEnd(400, "x");
    const body = request("POST", "/v1/namespaces", { token: files.token, body: { name: `${prefix}${"x".repeat(200)}` } });
    const silent = open(target);
    const kept = open(target);
    kept.socket.write(request("GET", "/v1/health", { keepAlive: true }));

    const [headerDrip, bodyDrip, never, keptAlive] = await within(
      Promise.all([drip(headers, 0), drip(body, body.indexOf("\r\n\r\n") + 4), silent.response, kept.response]),
      10_000,
      "every connection cut",
    );
    // Node checks every second here (every 30 s by default, which let a drip run up to 30 s past its timeout).
    for (const cut of [headerDrip, never]) {
      expect(cut.status).toBe(408);
      expect(cut.closedAfterMs).toBeGreaterThanOrEqual(1_900);
      expect(cut.closedAfterMs).toBeLessThan(4_500);
    }
    expect(bodyDrip.status).toBe(408);
    expect(bodyDrip.closedAfterMs).toBeGreaterThanOrEqual(2_900);
    expect(bodyDrip.closedAfterMs).toBeLessThan(5_500);
    expect(keptAlive.status).toBe(200);
    // Node adds a second to the keep-alive timeout; its default would be 5 s.
    expect(keptAlive.closedAfterMs).toBeLessThan(3_500);
  });

  it("refuses bad limits naming the flag", async () => {
    for (const [args, flag] of [
      [["--max-connections", "0"], "--max-connections"],
      [["--max-connections", "ten"], "--max-connections"],
      [["--headers-timeout=0"], "--headers-timeout"],
      [["--headers-timeout", "40"], "--headers-timeout"],
      [["--drain-timeout", "1s"], "--drain-timeout"],
    ] as const) {
      const bin = startBin(["--token-file", files.tokenFile, "--port", "0", ...args]);
      await expect(bin, args.join(" ")).rejects.toThrow(new RegExp(`exited \\(2\\)[^]*ERR_INVALID_ARGUMENT: ${flag}: `));
    }
  });
});
