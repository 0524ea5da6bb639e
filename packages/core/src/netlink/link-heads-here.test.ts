// Read-only requests in the test's own namespace: any Linux user may make them, and they change nothing.
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { listLinks } from "./dumps.js";
import { readLinkHeadsHere } from "./link-heads-here.js";
import { NetlinkSocket } from "./socket.js";

const openDescriptors = () => readdirSync("/proc/self/fd").length;

describe("readLinkHeadsHere", () => {
  let socket: NetlinkSocket | undefined;
  afterEach(() => socket?.close());

  it("reads every link of the thread's namespace down to its index, group and alias, as a whole dump has them", () => {
    socket = new NetlinkSocket();
    const heads = readLinkHeadsHere();
    expect(heads).toEqual(listLinks(socket).map(({ index, group, alias }) => ({ index, group, alias })));
    expect(heads.map((h) => h.index)).toContain(1);
  });

  it("closes the socket of each read", () => {
    const before = openDescriptors();
    for (let i = 0; i < 20; i++) readLinkHeadsHere();
    expect(openDescriptors()).toBe(before);
  });
});
