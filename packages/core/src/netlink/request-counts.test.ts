import { describe, expect, it } from "vitest";
import { allocateCounts, REQUEST_TYPES, RequestCounter, readCounts } from "./request-counts.js";

describe("request counts", () => {
  it("counts each request type in its cell and sums the ones that change the kernel", () => {
    const buffer = allocateCounts();
    const counter = new RequestCounter(buffer);
    for (const type of ["getLinkDump", "getLinkDump", "newLink", "setLink", "delAddr", "getRouteDump", "newRoute"]) counter.add(type);
    const { requests, writes } = readCounts(buffer);
    expect(requests).toMatchObject({ getLinkDump: 2, newLink: 1, setLink: 1, delAddr: 1, getRouteDump: 1, newRoute: 1, getAddrDump: 0 });
    expect(writes).toBe(4);
    expect(Object.keys(requests)).toEqual([...REQUEST_TYPES]);
  });

  it("is shared: a second counter on the same cells (another worker) adds to the same totals", () => {
    const buffer = allocateCounts();
    new RequestCounter(buffer).add("delLink");
    new RequestCounter(buffer).add("delLink");
    expect(readCounts(buffer).requests.delLink).toBe(2);
  });
});
