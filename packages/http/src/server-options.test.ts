import { describe, expect, it } from "vitest";
import { createServer } from "./server.js";

const token = "0123456789abcdef0123";
const refusedAs = (field: string) => expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field });

describe("createServer's options", () => {
  it('take allowExec only as a boolean: "false" (a string, as from an environment variable) would enable exec', () => {
    for (const allowExec of ["false", "0", 1, null]) {
      expect(() => createServer({ token, allowExec } as never), JSON.stringify(allowExec)).toThrow(refusedAs("allowExec"));
    }
    expect(createServer({ token, allowExec: false })).toBeTruthy();
  });

  it("take a body cap from 1 byte to 1 GiB", () => {
    for (const maxBodyBytes of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => createServer({ token, maxBodyBytes }), String(maxBodyBytes)).toThrow(refusedAs("maxBodyBytes"));
    }
  });

  it("refuse a field they do not have, naming it (allowexec would leave exec off without a word)", () => {
    expect(() => createServer({ token, allowexec: true } as never)).toThrow(refusedAs("allowexec"));
  });
});
