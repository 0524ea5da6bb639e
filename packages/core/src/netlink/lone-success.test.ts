import { readFileSync } from "node:fs";
import { decodeMessages } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { loneSuccess } from "./lone-success.js";

// Datagrams the kernel produced, from the codec's fixtures (see their .json for provenance).
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../codec-wasm/fixtures/${name}.bin`, import.meta.url)));
const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const check = (bytes: Uint8Array) => loneSuccess(view(bytes), bytes.byteLength);

describe("loneSuccess", () => {
  it("gives the sequence number of a lone successful ACK", () => {
    const ack = fixture("error/setlink-lo-up-ack");
    const [decoded] = decodeMessages(ack);
    expect(decoded?.kind === "error" && decoded.errno).toBe(0);
    expect(check(ack)).toBe(decoded?.seq);
  });

  it("gives the sequence number of a dump's closing DONE, received on its own", () => {
    const dump = fixture("link/dump-lo-bridge-veth");
    const done = decodeMessages(dump).at(-1);
    expect(done?.kind).toBe("done");
    expect(check(dump.subarray(dump.byteLength - 20))).toBe(done?.seq);
  });

  it("leaves a failed ACK to the codec", () => {
    expect(check(fixture("error/newlink-unknown-kind-extack"))).toBe(-1);
  });

  it("leaves data, and a success followed by more, to the codec", () => {
    const dump = fixture("link/dump-lo-bridge-veth");
    expect(check(dump)).toBe(-1);
    const ack = fixture("error/setlink-lo-up-ack");
    const twice = new Uint8Array(ack.byteLength * 2);
    twice.set(ack);
    twice.set(ack, ack.byteLength);
    expect(check(twice)).toBe(-1);
  });

  it("leaves a DONE flagged NLM_F_DUMP_INTR to the codec", () => {
    const dump = fixture("link/dump-lo-bridge-veth");
    const done = dump.slice(dump.byteLength - 20);
    new DataView(done.buffer).setUint16(6, new DataView(done.buffer).getUint16(6, true) | 0x10, true);
    expect(check(done)).toBe(-1);
  });
});
