// What a socket aimed at another namespace sends: never a request that would act in the caller's.
import { describe, expect, it } from "vitest";
import type { Pending } from "./socket.js";
import { aimed } from "./targeted.js";

const pending = (request: Pending["request"]): Pending => ({ request, label: "L" });

describe("aimed", () => {
  it("names the target on creation, deletion and reads of links, and reads of addresses", () => {
    for (const request of [
      { type: "newLink", name: "b0", kind: "bridge" },
      { type: "delLink", index: 4 },
      { type: "getLink", name: "b0", extMask: 9 },
      { type: "getLinkDump", extMask: 9 },
      { type: "getAddrDump", family: 2 },
    ] as Pending["request"][]) {
      expect(aimed(pending(request), 3)).toEqual({ request: { ...request, targetNsid: 3 }, label: "L" });
    }
  });

  it("leaves nsid requests as they are: they name their namespaces themselves", () => {
    for (const request of [
      { type: "getNsid", nsFd: 9 },
      { type: "newNsid", nsFd: 9 },
      { type: "getNsidDump", targetNsid: 2 },
    ] as Pending["request"][]) {
      expect(aimed(pending(request), 3)).toEqual(pending(request));
    }
  });

  it("refuses a change of an existing link (the kernel would move the caller's link) and what has no target", () => {
    for (const request of [
      { type: "setLink", index: 4, up: true },
      { type: "setLink", byName: "b0", mtu: 1400 },
      { type: "setLinkNs", index: 4, nsFd: 9 },
      { type: "newAddr", index: 4, address: "10.0.0.1", prefixLen: 24 },
      { type: "newRoute", family: 2 },
    ] as Pending["request"][]) {
      expect(() => aimed(pending(request), 3)).toThrow(`a ${request.type} request cannot be aimed`);
    }
  });
});
