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

  it('take only a token a client can send after "Bearer ": one line of visible ASCII', () => {
    // `head -c 64 /dev/urandom | base64` wraps its output over two lines; a server with that token could never be reached.
    const wrapped = `${"A".repeat(76)}\n${"B".repeat(12)}==`;
    for (const bad of [wrapped, `${token} `.repeat(2), `${token}\t`, `${token}é`, `${token}\u0000`]) {
      expect(() => createServer({ token: bad }), JSON.stringify(bad)).toThrow(refusedAs("token"));
    }
    for (const good of [token, "quOa1Vz+gS2iD+TjDnSBT7y3zct/YYImw7SuoWaMu5Y=", "a-b_c.d~e!f#g$h%i&j*k"]) {
      expect(createServer({ token: good }), good).toBeTruthy();
    }
  });

  it("refuse a field they do not have, naming it (allowexec would leave exec off without a word)", () => {
    expect(() => createServer({ token, allowexec: true } as never)).toThrow(refusedAs("allowexec"));
  });
});
