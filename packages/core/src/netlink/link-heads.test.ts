import { readFileSync } from "node:fs";
import { decodeMessages } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { decodeLinkHeads } from "./link-heads.js";

// Link dumps the kernel produced, from the codec's fixtures (see their .json for provenance).
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../codec-wasm/fixtures/${name}.bin`, import.meta.url)));
const DUMPS = ["link/dump-lo-bridge-veth", "link/dump-veth-peer-netns", "link/dump-target-veth-peer-netns"];

/** What the codec makes of the same bytes, with each link cut down to its head. */
function asCodecReads(bytes: Uint8Array) {
  return decodeMessages(bytes).map((m) =>
    m.kind === "link"
      ? { kind: "linkHead", seq: m.seq, dumpIntr: m.dumpIntr, head: { index: m.link.index, group: m.link.group, alias: m.link.alias } }
      : m,
  );
}

describe("decodeLinkHeads", () => {
  it.each(DUMPS)("reads each link of %s as the codec does, and passes the rest to it", (name) => {
    const bytes = fixture(name);
    const read = decodeLinkHeads(bytes);
    expect(read).toEqual(asCodecReads(bytes));
    expect(read.some((m) => m.kind === "linkHead")).toBe(true);
    expect(read.at(-1)?.kind).toBe("done");
  });

  it("reads an alias and a group other than the default (veth0's alias, veth1 in group 7)", () => {
    const heads = decodeLinkHeads(fixture("link/dump-lo-bridge-veth")).flatMap((m) => (m.kind === "linkHead" ? [m.head] : []));
    expect(heads).toContainEqual(expect.objectContaining({ alias: "uplink-to-br0" }));
    expect(heads).toContainEqual(expect.objectContaining({ group: 7 }));
  });

  it("leaves a message whose attributes overrun it to the codec, which refuses it as it would anyway", () => {
    const bytes = fixture("link/dump-lo-bridge-veth").slice();
    const view = new DataView(bytes.buffer);
    // The first attribute of the first link now claims more bytes than its message holds.
    view.setUint16(16 + 16, view.getUint32(0, true), true);
    expect(() => decodeLinkHeads(bytes)).toThrow(expect.objectContaining({ name: "CodecError" }));
    expect(() => decodeMessages(bytes)).toThrow(expect.objectContaining({ name: "CodecError" }));
  });

  it("leaves a truncated datagram to the codec", () => {
    const bytes = fixture("link/dump-lo-bridge-veth");
    const cut = bytes.subarray(0, 40);
    expect(() => decodeLinkHeads(cut)).toThrow(expect.objectContaining({ name: "CodecError" }));
  });
});
