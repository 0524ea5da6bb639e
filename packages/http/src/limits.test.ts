import { ValidationError } from "@neslink/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_CONNECTIONS, limits } from "./limits.js";

describe("limits", () => {
  it("defaults every limit, the connection cap to at most a quarter of the descriptor limit", () => {
    const chosen = limits({});
    expect(chosen).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, drainTimeoutMs: 10_000 });
    expect(chosen.maxConnections).toBeGreaterThanOrEqual(1);
    expect(chosen.maxConnections).toBeLessThanOrEqual(DEFAULT_MAX_CONNECTIONS);
  });

  it("keeps given values and refuses bad ones naming the field", () => {
    expect(limits({ maxConnections: 10, headersTimeoutMs: 2_000, requestTimeoutMs: 3_000 })).toMatchObject({
      maxConnections: 10,
      headersTimeoutMs: 2_000,
      requestTimeoutMs: 3_000,
    });
    for (const [given, field] of [
      [{ maxConnections: 0 }, "maxConnections"],
      [{ maxConnections: 1.5 }, "maxConnections"],
      [{ drainTimeoutMs: -1 }, "drainTimeoutMs"],
      [{ keepAliveTimeoutMs: Number.NaN }, "keepAliveTimeoutMs"],
      [{ headersTimeoutMs: 40_000 }, "headersTimeoutMs"],
      [{ headersTimeoutMs: 6_000, requestTimeoutMs: 5_000 }, "headersTimeoutMs"],
    ] as const) {
      expect(() => limits(given), JSON.stringify(given)).toThrow(ValidationError);
      expect(() => limits(given)).toThrow(expect.objectContaining({ field }));
    }
  });

  it("shortens the default headers timeout to a shorter request timeout", () => {
    expect(limits({ requestTimeoutMs: 5_000 })).toMatchObject({ headersTimeoutMs: 5_000, requestTimeoutMs: 5_000 });
  });

  it("names fields as the caller spells them", () => {
    expect(() => limits({ maxConnections: 0 }, (field) => `--${field}`)).toThrow(expect.objectContaining({ field: "--maxConnections" }));
  });
});
