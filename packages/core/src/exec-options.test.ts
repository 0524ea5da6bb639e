import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { exec } from "./exec.js";
import * as ns from "./namespace/providers.js";

describe("exec's options", () => {
  it("that a getter or a Proxy trap cannot read are a ValidationError naming them, not the trap's own error", async () => {
    const trap = () => {
      throw new Error("trap");
    };
    for (const options of [
      new Proxy({}, { ownKeys: trap }),
      {
        get killGraceMs() {
          return trap();
        },
      },
    ]) {
      const err = await exec(ns.now(), ["true"], options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ field: "options", message: "options: could not be read: trap" });
    }
  });
});
