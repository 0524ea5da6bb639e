// Read-only requests in the test's own namespace: any Linux user may make them, and they change nothing.
import type { Message } from "@neslink/codec-wasm";
import { afterEach, describe, expect, it } from "vitest";
import { hasErrno } from "../errno.js";
import { NetlinkSocket, type Pending } from "./socket.js";

const names = (reply: Message[] | undefined) => (reply ?? []).flatMap((m) => (m.kind === "link" ? [m.link.name] : []));
const lo: Pending = { request: { type: "getLink", index: 1, extMask: 8 }, label: "RTM_GETLINK" };
const dump: Pending = { request: { type: "getLinkDump", extMask: 8 }, label: "RTM_GETLINK" };

describe("NetlinkSocket", () => {
  let socket: NetlinkSocket | undefined;
  afterEach(() => socket?.close());

  it("matches each reply to its request, several requests per datagram", () => {
    socket = new NetlinkSocket();
    const { replies, errors } = socket.transactEach([lo, dump, lo]);
    expect(errors).toEqual([undefined, undefined, undefined]);
    expect(names(replies[0])).toEqual(["lo"]);
    expect(names(replies[1])).toContain("lo");
    expect(names(replies[2])).toEqual(["lo"]);
  });

  it("reads, and reports a request's error, as a brief socket (default buffers, no capped ACKs, bound on first send)", () => {
    socket = new NetlinkSocket({ brief: true });
    const missing: Pending = { request: { type: "getLink", index: 0x7ffffff0, extMask: 8 }, label: "RTM_GETLINK" };
    const { replies, errors } = socket.transactEach([lo, dump, missing, lo]);
    expect(names(replies[0])).toEqual(["lo"]);
    expect(names(replies[1])).toContain("lo");
    // Without NETLINK_CAP_ACK the kernel's error carries the whole request back: still matched to it.
    expect(hasErrno(errors[2], "ENODEV")).toBe(true);
    expect(names(replies[3])).toEqual(["lo"]);
    expect([errors[0], errors[1], errors[3]]).toEqual([undefined, undefined, undefined]);
  });

  it("keeps matching replies when sequence numbers wrap around 2^32 inside a batch", () => {
    socket = new NetlinkSocket();
    // As if the socket had already sent 2^32 - 3 requests (its counter is an int32 with the u32's bits).
    (socket as unknown as { seq: number }).seq = 0xfffffffd | 0;
    // One dump per datagram: the kernel runs one dump at a time per socket (EBUSY).
    const { replies, errors } = socket.transactEach([lo, dump, lo, lo]);
    expect(errors).toEqual([undefined, undefined, undefined, undefined]);
    expect(names(replies[0])).toEqual(["lo"]);
    expect(names(replies[1])).toContain("lo");
    expect(names(replies[2])).toEqual(["lo"]);
    expect(names(replies[3])).toEqual(["lo"]);
    // And the next batch starts after the wrap.
    expect(names(socket.transact([lo])[0])).toEqual(["lo"]);
  });
});
