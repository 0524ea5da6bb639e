import { openSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NsHandle } from "./handle.js";
import { nsProvider } from "../validate/providers.js";
import { handle } from "./providers.js";

const refusedAs = (field: string, message: RegExp) =>
  expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", field, message: expect.stringMatching(message) });

describe("ns.handle", () => {
  it("refuses a closed handle: its descriptor's number is the next open()'s, maybe another namespace's", () => {
    const h = new NsHandle({ fd: openSync("/dev/null", "r"), dev: 0, ino: 0 });
    const made = handle(h);
    expect(made).toEqual({ kind: "handle", fd: h.fd, dev: 0, ino: 0 });
    h.close();
    expect(() => handle(h)).toThrow(refusedAs("handle", /^handle: is closed/));
    // The provider made while it was open, given once it is closed.
    expect(() => nsProvider("provider", made)).toThrow(refusedAs("provider", /^provider: is closed/));
    // As another copy of core's NsHandle, or its JSON, says it.
    expect(() => handle({ fd: 3, closed: true } as never)).toThrow(refusedAs("handle", /^handle: is closed/));
  });

  it("refuses what is not a handle with a ValidationError, not a TypeError", () => {
    expect(() => handle(null as never)).toThrow(refusedAs("handle", /^handle: must be an NsHandle, got null$/));
    expect(() => handle(3 as never)).toThrow(refusedAs("handle", /^handle: must be an NsHandle, got 3$/));
    const throwing = {
      get fd(): number {
        throw new Error("trap");
      },
    };
    expect(() => handle(throwing)).toThrow(refusedAs("handle", /^handle: could not be read: trap$/));
  });
});
