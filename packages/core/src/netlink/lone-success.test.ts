import { readFileSync } from "node:fs";
import { decodeMessages } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { loneNsid, loneSuccess } from "./lone-success.js";

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

describe("loneNsid", () => {
  // The kernel's answers (6.18) to an RTM_GETNSID naming a namespace by NETNSA_FD: one the asking namespace gave no id
  // (-1), and one it gave id 7.
  const none = Uint8Array.from(Buffer.from("1c00000058000000c8000000790700000000000008000100ffffffff", "hex"));
  const seven = Uint8Array.from(Buffer.from("1c000000580000000900000079070000000000000800010007000000", "hex"));
  const read = (bytes: Uint8Array) => loneNsid(view(bytes), bytes.byteLength);

  it("reads such an answer as the codec decodes it", () => {
    for (const bytes of [none, seven]) expect(read(bytes)).toStrictEqual(decodeMessages(bytes)[0]);
    expect(read(none)).toMatchObject({ kind: "nsid", nsid: -1, seq: 200 });
    expect(read(seven)).toMatchObject({ kind: "nsid", nsid: 7, seq: 9 });
  });

  it("leaves anything else to the codec: another length, type or attribute, an ACK", () => {
    const changed = (at: number, value: number) => {
      const copy = seven.slice();
      new DataView(copy.buffer).setUint16(at, value, true);
      return copy;
    };
    // RTM_DELNSID (a notification), NETNSA_CURRENT_NSID in NETNSA_NSID's place, a nested attribute flag.
    for (const bytes of [changed(4, 89), changed(22, 5), changed(22, 0x8001)]) expect(read(bytes)).toBeUndefined();
    expect(read(seven.subarray(0, 24))).toBeUndefined();
    expect(read(fixture("error/setlink-lo-up-ack"))).toBeUndefined();
    expect(read(fixture("nsid/dump-target-current"))).toBeUndefined();
  });
});
