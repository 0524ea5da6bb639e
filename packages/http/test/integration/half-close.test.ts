/**
 * A client that sends its request and then half-closes its side of the
 * connection (shutdown(SHUT_WR), as `nc -N` and some curl uses do) still gets
 * its answer from the built bin, and what it asked for is done: the FIN says
 * "no more requests", not "gone".
 */
import { describe, expect, it } from "vitest";
import { ipJson, netnsList } from "../../../core/test/integration/kernel.js";
import { binTest, open, type RawResponse, request, startBin, type Target, within } from "./bin-process.js";

const { prefix, files } = binTest("hc");

/** Sends `bytes` on a new connection, then half-closes it (socket.end: a FIN, still reading); resolves once the server has closed it. */
async function halfClosed(target: Target, bytes: string): Promise<RawResponse> {
  const conn = open(target);
  await conn.connected;
  conn.socket.end(bytes);
  return within(conn.response, 20_000, "the answer to a half-closed request");
}

describe("a client that half-closes after its request", () => {
  it("gets the answer to a request that takes a while (create, then delete a namespace), and it is done", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    const name = `${prefix}a`;
    const made = await halfClosed(bin, request("POST", "/v1/namespaces", { token: files.token, body: { name } }));
    expect({ status: made.status, error: made.error }).toEqual({ status: 201, error: undefined });
    expect(JSON.parse(made.body)).toMatchObject({ namespace: { name } });
    expect(netnsList(prefix)).toEqual([name]);
    expect(ipJson("-n", name, "link", "show").map((l) => l.ifname)).toEqual(["lo"]);

    const gone = await halfClosed(bin, request("DELETE", `/v1/namespaces/${name}`, { token: files.token }));
    expect({ status: gone.status, error: gone.error }).toEqual({ status: 204, error: undefined });
    expect(netnsList(prefix)).toEqual([]);
  });

  it("gets its answer on a keep-alive connection too, which the server then closes", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    const res = await halfClosed(bin, request("GET", `/v1/namespaces/${prefix}none/links`, { token: files.token, keepAlive: true }));
    expect({ status: res.status, error: res.error }).toEqual({ status: 404, error: undefined });
    expect(JSON.parse(res.body).error.code).toBe("ERR_NS_NOT_FOUND");
  });
});
