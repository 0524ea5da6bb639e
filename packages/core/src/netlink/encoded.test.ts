import { encodeRequests, type Request } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { encodeBatch, MAX_CACHED_BATCH, seqAt } from "./encoded.js";
import type { RequestBody } from "./socket.js";

const fresh = (batch: readonly RequestBody[], first: number) =>
  encodeRequests(batch.map((request, i) => ({ ...request, seq: (first + i) % 2 ** 32 }) as Request));
/** A copy: encodeBatch's buffer is reused by its next call. */
const encoded = (batch: readonly RequestBody[], first: number) =>
  encodeBatch(
    batch.map((request) => ({ request })),
    first,
  ).slice();

describe("seqAt", () => {
  it("counts from the first sequence number and wraps at 2^32", () => {
    expect(seqAt(5, 0)).toBe(5);
    expect(seqAt(5, 3)).toBe(8);
    expect(seqAt(0xffffffff, 1)).toBe(0);
    expect(seqAt(0xfffffffe, 3)).toBe(1);
    // The socket's int32 counter with the same bits.
    expect(seqAt(0xfffffffe | 0, 1)).toBe(0xffffffff);
    expect(seqAt(-1, 1)).toBe(0);
  });
});

describe("encodeBatch", () => {
  const linkDump: RequestBody = { type: "getLinkDump", extMask: 8 };
  const byName: RequestBody = { type: "getLink", name: "eth0", extMask: 8 };
  const loUp: RequestBody[] = [
    { type: "setLink", index: 1, up: true },
    { type: "getLink", index: 1, extMask: 8 },
  ];

  it("turns the codec's refusal of a field into a ValidationError naming it", () => {
    const vxlan: RequestBody = { type: "newLink", name: "vx", kind: "vxlan", vxlan: { id: 1 << 24 } };
    const refusal = (() => {
      try {
        encoded([linkDump, vxlan], 1);
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(ValidationError);
    expect(refusal).toMatchObject({ field: "vxlan.id", message: "vxlan.id: 16777216 is above the 24-bit VNI maximum 16777215" });
    // A request that is not one at all stays the codec's error: no field to name.
    expect(() => encoded([{ type: "nope" } as never], 1)).toThrow(expect.objectContaining({ code: "ERR_NETLINK_ENCODE" }));
  });

  it("gives the codec's bytes with each use's own sequence numbers", () => {
    for (const seq of [1, 2, 0xffffffff, 7]) {
      expect(encoded([linkDump], seq)).toEqual(fresh([linkDump], seq));
      expect(encoded([byName], seq)).toEqual(fresh([byName], seq));
      expect(encoded(loUp, seq)).toEqual(fresh(loUp, seq));
    }
  });

  it("numbers every message of a batch, across the wrap at 2^32", () => {
    const batch = [byName, linkDump, ...loUp];
    expect(encoded(batch, 0xfffffffe)).toEqual(fresh(batch, 0xfffffffe));
    expect(encoded(batch, 0xfffffffe | 0)).toEqual(fresh(batch, 0xfffffffe));
    expect(encoded(batch, 40)).toEqual(fresh(batch, 40));
  });

  it("keeps batches that differ in any request, or in their order, apart", () => {
    const other: RequestBody = { type: "getLink", name: "eth1", extMask: 8 };
    const reversed = [...loUp].reverse();
    expect(encoded([byName], 3)).toEqual(fresh([byName], 3));
    expect(encoded([other], 3)).toEqual(fresh([other], 3));
    expect(encoded(loUp, 3)).toEqual(fresh(loUp, 3));
    expect(encoded(reversed, 3)).toEqual(fresh(reversed, 3));
    expect(encoded([byName], 3)).toEqual(fresh([byName], 3));
  });

  it("gives each namespace id question its own descriptor, the same question for another namespace encoded once", () => {
    const asked = (nsFd: number): RequestBody => ({ type: "getNsid", nsFd });
    const made = (nsFd: number): RequestBody => ({ type: "newNsid", nsFd });
    for (const [fd, seq] of [
      [3, 1],
      [70, 2],
      [0x7fffffff, 0xffffffff],
      [0, 5],
    ] as const) {
      expect(encoded([asked(fd)], seq)).toEqual(fresh([asked(fd)], seq));
      expect(encoded([made(fd), asked(fd + 1 > 0x7fffffff ? 1 : fd + 1)], seq)).toEqual(
        fresh([made(fd), asked(fd + 1 > 0x7fffffff ? 1 : fd + 1)], seq),
      );
    }
    // One the codec refuses is never patched into a kept one: refused as the codec refuses it.
    expect(() => encoded([asked(-1)], 1)).toThrow(expect.objectContaining({ code: "ERR_NETLINK_ENCODE" }));
    expect(() => encoded([asked(2 ** 31)], 1)).toThrow(expect.objectContaining({ field: "nsFd" }));
  });

  it("encodes batches longer than it keeps, each time", () => {
    const long = Array.from({ length: MAX_CACHED_BATCH + 1 }, (_, i): RequestBody => ({ type: "getLink", index: i + 1 }));
    expect(encoded(long, 9)).toEqual(fresh(long, 9));
    expect(encoded(long, 90)).toEqual(fresh(long, 90));
  });

  it("still encodes correctly once more distinct batches have come than it keeps", () => {
    for (let i = 0; i < 600; i++) {
      const batch: RequestBody[] = [
        { type: "getLink", index: i + 1, extMask: 8 },
        { type: "setLink", index: i + 1, mtu: 1400 },
      ];
      expect(encoded(batch, i)).toEqual(fresh(batch, i));
    }
    expect(encoded([linkDump], 9)).toEqual(fresh([linkDump], 9));
  });
});
