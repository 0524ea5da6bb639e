import { encodeRequests, type Request } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { encodeOne } from "./encoded.js";
import type { RequestBody } from "./socket.js";

const fresh = (request: RequestBody, seq: number) => encodeRequests([{ ...request, seq } as Request]);

describe("encodeOne", () => {
  const linkDump: RequestBody = { type: "getLinkDump", extMask: 8 };
  const byName: RequestBody = { type: "getLink", name: "eth0", extMask: 8 };

  it("gives the codec's bytes with each use's own sequence number", () => {
    for (const seq of [1, 2, 0xffffffff, 7]) {
      expect(encodeOne(linkDump, seq)).toEqual(fresh(linkDump, seq));
      expect(encodeOne(byName, seq)).toEqual(fresh(byName, seq));
    }
  });

  it("keeps requests that differ in any field apart", () => {
    const other: RequestBody = { type: "getLink", name: "eth1", extMask: 8 };
    expect(encodeOne(byName, 3)).toEqual(fresh(byName, 3));
    expect(encodeOne(other, 3)).toEqual(fresh(other, 3));
    expect(encodeOne(byName, 3)).toEqual(fresh(byName, 3));
  });

  it("still encodes correctly once more distinct requests have come than it keeps", () => {
    for (let i = 0; i < 600; i++) {
      const request: RequestBody = { type: "getLink", index: i + 1, extMask: 8 };
      expect(encodeOne(request, i)).toEqual(fresh(request, i));
    }
    expect(encodeOne(linkDump, 9)).toEqual(fresh(linkDump, 9));
  });
});
