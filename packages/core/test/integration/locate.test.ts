import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ip, uniquePrefix } from "./kernel.js";

// The lab's name is the prefix, so every namespace it makes (and the decoy) starts with it.
const lab = uniquePrefix("lo");
afterAll(async () => {
  await closeDefaultPool();
  cleanup(lab);
});

describe("topology.locateNode and runningLabs (the kernel's markers)", () => {
  it("finds a node under its default name, under a name its file gave, and never a namespace only named like it", async () => {
    await topology.apply(topology.load(`name: ${lab}\nnodes:\n  h1: {}\n  h2: { netns: ${lab}-elsewhere }\n`));
    // Named like node h3 of the lab, but not marked as it.
    ip("netns", "add", `${lab}-h3`);

    expect(await topology.locateNode(lab, "h1")).toBe(`${lab}-h1`);
    expect(await topology.locateNode(lab, "h2")).toBe(`${lab}-elsewhere`);
    await expect(topology.locateNode(lab, "h3")).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
    expect(await topology.runningLabs()).toContain(lab);

    await topology.destroy(lab);
    expect(await topology.runningLabs()).not.toContain(lab);
    await expect(topology.locateNode(lab, "h1")).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
  });
});
