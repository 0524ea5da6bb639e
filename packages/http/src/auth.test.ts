import { describe, expect, it } from "vitest";
import { bearer } from "./auth.js";

describe("bearer", () => {
  const check = bearer("0123456789abcdef");

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
});
