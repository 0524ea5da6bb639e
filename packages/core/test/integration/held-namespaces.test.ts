/**
 * The test helper heldNamespaceInodes() (kernel.ts), which other tests trust
 * to say that nothing of this process keeps a namespace alive, sees a
 * descriptor on a network namespace however it was opened. It read only
 * links of the form net:[ino], what an open of /proc/PID/ns/net gives: one
 * opened by its /run/netns path (as a worker opens a named namespace, and
 * keeps it) reads as that path, and went unseen.
 */
import { closeSync, openSync } from "node:fs";
import { na, ns, nsDoOn, Pool } from "@neslink/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, heldNamespaceInodes, inodeOf, ip, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("hn");
const name = `${prefix}n`;
const path = `/run/netns/${name}`;

beforeAll(() => ip("netns", "add", name));
afterAll(() => cleanup(prefix));

describe("heldNamespaceInodes", () => {
  it("sees a descriptor opened by the namespace's /run/netns path, and not once it is closed", () => {
    const ino = inodeOf(path);
    const fd = openSync(path, "r");
    try {
      expect(heldNamespaceInodes()).toContain(ino);
    } finally {
      closeSync(fd);
    }
    expect(heldNamespaceInodes()).not.toContain(ino);
  });

  it("sees one opened as /proc/PID/ns/net", () => {
    const fd = openSync("/proc/self/ns/net", "r");
    try {
      expect(heldNamespaceInodes()).toContain(inodeOf("/proc/self/ns/net"));
    } finally {
      closeSync(fd);
    }
  });

  it("sees no namespace of another type", () => {
    const fd = openSync("/proc/self/ns/uts", "r");
    try {
      expect(heldNamespaceInodes()).not.toContain(inodeOf("/proc/self/ns/uts"));
    } finally {
      closeSync(fd);
    }
  });

  it("sees what a pool's worker holds on a named namespace it worked in, until the pool closes", async () => {
    const ino = inodeOf(path);
    const pool = new Pool({ size: 1 });
    try {
      await nsDoOn(pool, ns.name(name), na.links());
      expect(heldNamespaceInodes()).toContain(ino);
    } finally {
      await pool.close();
    }
    expect(heldNamespaceInodes()).not.toContain(ino);
  });
});
