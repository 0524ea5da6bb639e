import { describe, expect, it } from "vitest";
import { dataFrames, encode, Frame, FrameReader, MAX_PAYLOAD } from "./frames.js";

describe("agent frames", () => {
  it("come out whole however the stream cuts them", () => {
    const bytes = Buffer.concat([
      encode(Frame.request, '{"argv":[]}'),
      encode(Frame.stdinEnd),
      encode(Frame.stdout, Buffer.from([0, 1, 2])),
    ]);
    for (const cut of [1, 3, 5, 7, bytes.length]) {
      const reader = new FrameReader();
      const frames = [];
      for (let at = 0; at < bytes.length; at += cut) frames.push(...reader.push(bytes.subarray(at, at + cut)));
      expect(frames.map((f) => [f.kind, f.payload.toString("hex")])).toEqual([
        [Frame.request, Buffer.from('{"argv":[]}').toString("hex")],
        [Frame.stdinEnd, ""],
        [Frame.stdout, "000102"],
      ]);
    }
  });

  it("cut data larger than a frame may be into several", () => {
    const data = Buffer.alloc(MAX_PAYLOAD * 2 + 3, 7);
    const frames = new FrameReader().push(dataFrames(Frame.stdin, data));
    expect(frames.map((f) => f.payload.length)).toEqual([MAX_PAYLOAD, MAX_PAYLOAD, 3]);
    expect(Buffer.concat(frames.map((f) => f.payload)).equals(data)).toBe(true);
  });

  it("refuse a length over the limit (a peer not speaking this protocol)", () => {
    const header = Buffer.from([Frame.stdout, 0xff, 0xff, 0xff, 0xff]);
    expect(() => new FrameReader().push(header)).toThrow(/over the limit/);
  });
});
