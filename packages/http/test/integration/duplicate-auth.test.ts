/**
 * Two Authorization headers on one request, to the built bin: refused with 400 naming the header, before anything is
 * done. node:http keeps the first; a proxy in front may have checked the second, so neither is taken.
 */
import { describe, expect, it } from "vitest";
import { netnsList } from "../../../core/test/integration/kernel.js";
import { binTest, call, request, startBin } from "./bin-process.js";

const { prefix, files } = binTest("nda");

describe("two Authorization headers", () => {
  it("are refused with 400 whichever holds the token, and the namespace asked for is not made", async () => {
    const bin = await startBin(["--token-file", files.tokenFile, "--port", "0"]);
    const name = `${prefix}a`;
    const one = request("POST", "/v1/namespaces", { token: files.token, body: { name } });
    for (const other of ["Authorization: Bearer someone-elses-token", `Authorization: Bearer ${files.token}`]) {
      for (const bytes of [one.replace("\r\n", `\r\n${other}\r\n`), one.replace("\r\n\r\n", `\r\n${other}\r\n\r\n`)]) {
        const res = await call({ port: bin.port }, bytes);
        expect({ status: res.status, error: JSON.parse(res.body).error }).toMatchObject({
          status: 400,
          error: { code: "ERR_INVALID_ARGUMENT", field: "authorization" },
        });
      }
    }
    expect(netnsList(prefix)).toEqual([]);
    // One header still does.
    expect((await call({ port: bin.port }, one)).status).toBe(201);
    expect(netnsList(prefix)).toEqual([name]);
  });
});
