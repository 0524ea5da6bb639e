import { describe, expect, it } from "vitest";
import { bearer } from "./auth.js";

describe("bearer", () => {
  const check = (headers: { authorization?: string }, distinct = headers.authorization === undefined ? [] : [headers.authorization]) =>
    bearer("0123456789abcdef")({ headers, headersDistinct: { authorization: distinct } });

  it("accepts the token", () => {
    expect(() => check({ authorization: "Bearer 0123456789abcdef" })).not.toThrow();
    expect(() => check({ authorization: "bearer 0123456789abcdef" })).not.toThrow();
  });

  it("refuses a missing, wrong, shorter or longer token, or another scheme", () => {
    for (const authorization of [
      undefined,
      "",
      "Bearer",
      "Bearer nope",
      "Bearer 0123456789abcde",
      "Bearer 0123456789abcdef0",
      "Basic 0123456789abcdef",
    ]) {
      expect(() => check({ authorization }), String(authorization)).toThrow(expect.objectContaining({ code: "ERR_UNAUTHORIZED" }));
    }
  });

  it("refuses the header given twice, even when the first (the one node:http keeps) holds the token", () => {
    const good = "Bearer 0123456789abcdef";
    expect(() => check({ authorization: good }, [good, "Bearer nope"])).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field: "authorization" }),
    );
  });
});
