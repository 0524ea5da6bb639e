// The kernel test vectors of fixtures/ (shared with tests/fixtures.rs), through the built wasm.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type CodecError,
  decodeLinkHeads,
  decodeMessages,
  decodeRaw,
  encodeRaw,
  encodeRequests,
  type Message,
  type Request,
} from "../index.js";

const root = new URL("../fixtures/", import.meta.url);

interface Fixture {
  name: string;
  bytes: Uint8Array;
  messages: unknown;
  requests?: Request[];
}

const fixtures: Fixture[] = readdirSync(root, { withFileTypes: true })
  .filter((family) => family.isDirectory())
  .flatMap((family) =>
    readdirSync(new URL(`${family.name}/`, root))
      .filter((file) => file.endsWith(".bin"))
      .map((file) => {
        const name = `${family.name}/${file.slice(0, -".bin".length)}`;
        const json = JSON.parse(readFileSync(new URL(`${name}.json`, root), "utf8"));
        return { name, bytes: new Uint8Array(readFileSync(new URL(`${name}.bin`, root))), ...json };
      }),
  );

function thrown(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (error) {
    return error as CodecError;
  }
  throw new Error("expected a CodecError");
}

describe("kernel test vectors", () => {
  it("are there", () => {
    const names = fixtures.map((f) => f.name);
    for (const name of [
      "link/dump-lo-bridge-veth",
      "addr/dump-ipv4-ipv6",
      "route/dump-ipv4",
      "route/dump-ipv6",
      "link/newlink-vxlan-request",
    ]) {
      expect(names).toContain(name);
    }
    expect(fixtures.filter((f) => f.requests).length).toBeGreaterThanOrEqual(40);
  });

  it.each(fixtures)("$name decodes to its expected messages", ({ bytes, messages }) => {
    expect(decodeMessages(bytes)).toEqual(messages);
  });

  it.each(fixtures)("$name through decodeLinkHeads: each link's index, group and alias, every other message whole", ({ bytes }) => {
    const whole = decodeMessages(bytes);
    const heads = decodeLinkHeads(bytes);
    expect(heads).toHaveLength(whole.length);
    for (const [i, message] of heads.entries()) {
      const full = whole[i] as Message;
      if (full.kind !== "link") {
        expect(message).toEqual(full);
        continue;
      }
      const { kind, name, link, ...header } = full;
      expect(message).toEqual({ ...header, kind: "linkHead", name, head: { index: link.index, group: link.group, alias: link.alias } });
    }
  });

  it.each(fixtures)("$name round-trips through decodeRaw and encodeRaw", ({ bytes }) => {
    expect(encodeRaw(decodeRaw(bytes))).toEqual(bytes);
  });

  it.each(fixtures.filter((f) => f.requests))("$name is what encodeRequests writes", ({ bytes, requests }) => {
    expect(encodeRequests(requests ?? [])).toEqual(bytes);
  });
});

describe("errors", () => {
  const dump = fixtures.find((f) => f.name === "link/dump-lo-bridge-veth");

  it("malformed bytes throw ERR_NETLINK_DECODE with the offset", () => {
    const error = thrown(() => decodeMessages(new Uint8Array([8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("CodecError");
    expect(error.code).toBe("ERR_NETLINK_DECODE");
    expect(error.message).toMatch(/at byte 0: nlmsg_len 8/);
  });

  it("a truncated dump throws from both decoders", () => {
    const truncated = dump?.bytes.subarray(0, 100) ?? new Uint8Array();
    expect(thrown(() => decodeMessages(truncated)).code).toBe("ERR_NETLINK_DECODE");
    expect(thrown(() => decodeRaw(truncated)).code).toBe("ERR_NETLINK_DECODE");
  });

  it("a bad request throws ERR_NETLINK_ENCODE naming it", () => {
    const error = thrown(() =>
      encodeRequests([
        { type: "getLinkDump", seq: 1 },
        { type: "getLinkDump", seq: -1 },
      ]),
    );
    expect(error.code).toBe("ERR_NETLINK_ENCODE");
    expect(error.message).toMatch(/requests\[1\]/);
  });

  it.each([
    [{ type: "newLink", seq: 1, name: "v0", kind: "bridge", mac: "02:00:00:00:00" }, /requests\[0\]\.mac: /],
    [{ type: "newLink", seq: 1, name: "sixteen-bytes-xx", kind: "ifb" }, /requests\[0\]\.name: /],
    [{ type: "newLink", seq: 1, name: "x", kind: "vxlan", vxlan: { id: 16777216 } }, /requests\[0\]\.vxlan\.id: /],
    [{ type: "setLink", seq: 1, index: 0, up: true }, /requests\[0\]\.index: /],
    [{ type: "newAddr", seq: 1, index: 2, address: "10.0.0.1", prefixLen: 33 }, /requests\[0\]\.prefixLen: /],
    [{ type: "newAddr", seq: 1, index: 2, address: "2001:db8::1", prefixLen: 129 }, /requests\[0\]\.prefixLen: /],
    [{ type: "newRoute", seq: 1, family: 2, gateway: "10.0.0.300" }, /requests\[0\]\.gateway: /],
  ] as [Request, RegExp][])("an invalid request throws ERR_NETLINK_ENCODE naming the field (%j)", (request, message) => {
    const error = thrown(() => encodeRequests([request]));
    expect(error.code).toBe("ERR_NETLINK_ENCODE");
    expect(error.message).toMatch(message);
  });

  it("a bad raw attribute throws ERR_NETLINK_ENCODE naming its path", () => {
    const messages = [{ type: 16, flags: 0, seq: 0, pid: 0, fixed: "", attrs: [{ type: 3, data: "xyz" }] }];
    expect(thrown(() => encodeRaw(messages)).message).toMatch(/messages\[0\]\.attrs\[0\]\.data/);
  });
  // The codec returns an empty result on error and keeps the text apart (src/lib.rs): an empty
  // batch, which encodes to nothing, is no error, and an error is reported once, to its own call.
  it("an empty batch encodes to nothing, also right after an error; each error is its own call's", () => {
    expect(encodeRequests([])).toEqual(new Uint8Array(0));
    expect(encodeRaw([])).toEqual(new Uint8Array(0));
    const bad = [{ type: "getLinkDump", seq: -1 }] as unknown as Request[];
    expect(thrown(() => encodeRequests(bad)).code).toBe("ERR_NETLINK_ENCODE");
    expect(encodeRequests([])).toEqual(new Uint8Array(0));
    expect(thrown(() => decodeMessages(new Uint8Array(3))).message).toMatch(/^decodeMessages: .*3 bytes left/);
    expect(decodeMessages(new Uint8Array(0))).toEqual([]);
    expect(thrown(() => encodeRequests(bad)).message).toMatch(/^encodeRequests: requests\[0\]/);
  });
});

// A fixed amount of work (every truncation, 300 mutations a fixture), not a time budget: 3 s on a quiet machine, over
// vitest's default 5 s on CI's 2 cores while the other packages' tests run beside it.
describe("hostile bytes in the built wasm (32-bit lengths, panic = abort)", { timeout: 60_000 }, () => {
  /** Either decodes or throws a CodecError: a wasm trap (RuntimeError) would fail here. */
  function survives(bytes: Uint8Array) {
    for (const decode of [decodeMessages, decodeLinkHeads, decodeRaw]) {
      try {
        decode(bytes);
      } catch (error) {
        expect((error as CodecError).code).toBe("ERR_NETLINK_DECODE");
      }
    }
  }

  it.each(fixtures)("$name truncated at every length", ({ bytes }) => {
    for (let length = 0; length < bytes.length; length++) survives(bytes.subarray(0, length));
  });

  it("random byte mutations", () => {
    let state = 0x2545f491n;
    const next = () => {
      state ^= (state << 13n) & 0xffffffffn;
      state ^= state >> 17n;
      state ^= (state << 5n) & 0xffffffffn;
      return Number(state);
    };
    for (const { bytes } of fixtures) {
      for (let i = 0; i < 300; i++) {
        const mutated = bytes.slice();
        mutated[next() % mutated.length] = next() & 0xff;
        mutated[next() % mutated.length] = 0xff;
        survives(mutated);
      }
    }
  });
});

describe("batching", () => {
  it("encodes many requests into one buffer", () => {
    const one = encodeRequests([{ type: "getLinkDump", seq: 1, extMask: 1 }]);
    const two = encodeRequests([
      { type: "getLinkDump", seq: 1, extMask: 1 },
      { type: "getLinkDump", seq: 2 },
    ]);
    expect(two.length).toBe(one.length + 32);
    expect(decodeRaw(two).map((m) => m.seq)).toEqual([1, 2]);
  });
});
