/**
 * The options of load, plan, apply, inspect and destroy are checked before
 * anything is read or changed (these calls never reach the kernel): a
 * misspelt field was dropped, which for apply's `expected` silently skipped
 * the check of the plan its caller confirmed.
 */
import { describe, expect, it } from "vitest";
import { apply } from "./apply.js";
import { destroy } from "./destroy.js";
import { inspect } from "./inspect.js";
import { load } from "./load.js";
import { plan } from "./plan.js";

const lab = load({ name: "opts", nodes: { a: {} } });
const refusedAs = (field: string, message?: string) =>
  expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field, ...(message !== undefined && { message: `${field}: ${message}` }) });
const throwing = {
  get pool(): never {
    throw new Error("trap");
  },
};

describe("the options of a topology call", () => {
  it("apply: known fields only, each of its type", async () => {
    const planned = { topology: "opts", changes: [], summary: { add: 0, change: 0, destroy: 0 } };
    await expect(apply(lab, { expect: planned } as never)).rejects.toThrow(
      refusedAs("options.expect", "is not a field here (expected pool, onProgress, signal, expected)"),
    );
    await expect(apply(lab, { onprogress: () => {} } as never)).rejects.toThrow(refusedAs("options.onprogress"));
    await expect(apply(lab, null as never)).rejects.toThrow(refusedAs("options", "must be an object, got null"));
    await expect(apply(lab, "yes" as never)).rejects.toThrow(refusedAs("options"));
    await expect(apply(lab, { onProgress: 5 } as never)).rejects.toThrow(refusedAs("options.onProgress", "must be a function, got 5"));
    await expect(apply(lab, { pool: {} } as never)).rejects.toThrow(refusedAs("options.pool", "must be a Pool, got {}"));
    await expect(apply(lab, { signal: {} } as never)).rejects.toThrow(refusedAs("options.signal"));
    await expect(apply(lab, throwing)).rejects.toThrow(refusedAs("options", "could not be read: trap"));
  });

  it("plan, inspect and destroy: a pool, and nothing else (plan: its signal too; destroy: its onProgress and signal too)", async () => {
    for (const [call, expected] of [
      [(o: never) => plan(lab, o), "pool, signal"],
      [(o: never) => inspect(lab, o), "pool"],
      [(o: never) => destroy(lab, o), "pool, onProgress, signal"],
      [(o: never) => destroy("opts", o), "pool, onProgress, signal"],
    ] as const) {
      await expect(call({ pol: 2 } as never)).rejects.toThrow(refusedAs("options.pol", `is not a field here (expected ${expected})`));
      await expect(call(null as never)).rejects.toThrow(refusedAs("options"));
      await expect(call({ pool: 2 } as never)).rejects.toThrow(refusedAs("options.pool", "must be a Pool, got 2"));
      await expect(call(throwing as never)).rejects.toThrow(refusedAs("options", "could not be read: trap"));
    }
    await expect(destroy("opts", { onProgress: 5 } as never)).rejects.toThrow(refusedAs("options.onProgress", "must be a function, got 5"));
  });

  it("load: cwd and label, each a non-empty string", () => {
    const text = "name: opts\nnodes: { a: {} }\n";
    expect(() => load(text, { cdw: "/" } as never)).toThrow(refusedAs("options.cdw", "is not a field here (expected cwd, label)"));
    expect(() => load(text, null as never)).toThrow(refusedAs("options"));
    expect(() => load(text, { label: 5 } as never)).toThrow(refusedAs("options.label", "must be a non-empty string, got 5"));
    expect(() => load("lab.yaml", { cwd: "" })).toThrow(refusedAs("options.cwd"));
    expect(load(text, { label: "-", cwd: undefined }).name).toBe("opts");
  });
});
