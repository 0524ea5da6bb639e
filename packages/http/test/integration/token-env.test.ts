/**
 * A token given in NESLINK_HTTP_TOKEN (issue 13) must not reach the programs
 * the API runs: the bin removes it from its environment before the pool's
 * workers (whose children inherit their environment) start.
 */
import { describe, expect, it } from "vitest";
import { binTest, call, request, startBin } from "./bin-process.js";

const { prefix, files } = binTest("ne");

describe("neslink-http given its token in the environment", () => {
  it("serves with it, and a program run by exec does not see it", async () => {
    const bin = await startBin(["--port", "0", "--allow-exec"], { env: { NESLINK_HTTP_TOKEN: files.token, NESLINK_TEST_MARK: "seen" } });
    const target = { port: bin.port };
    const name = `${prefix}a`;
    expect((await call(target, request("POST", "/v1/namespaces", { token: files.token, body: { name } }))).status).toBe(201);

    const ran = await call(target, request("POST", `/v1/namespaces/${name}/exec`, { token: files.token, body: { argv: ["env"] } }));
    expect(ran.status).toBe(200);
    const { stdout } = JSON.parse(ran.body).result as { stdout: string };
    // The environment did reach the program; only the token was taken out of it.
    expect(stdout).toMatch(/^NESLINK_TEST_MARK=seen$/m);
    expect(stdout).not.toMatch(/NESLINK_HTTP_TOKEN/);
    expect(stdout).not.toContain(files.token);

    expect((await call(target, request("DELETE", `/v1/namespaces/${name}`, { token: files.token }))).status).toBe(204);
  });
});
