/**
 * ns.createNamed in a mount dir removed since an earlier create of the same
 * process (`rm -r /run/netns`, a cleanup): the dir is made again, as a shared
 * mount point, where the thread remembered it as prepared and failed with
 * ENOENT. A dir of this file's own: /run/netns is never removed.
 */
import { ns, nsDo } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, linksAt, uniquePrefix } from "./kernel.js";
import { mountPointsUnder, privateMountDir, removeMountDir } from "./mount-dir.js";

const prefix = uniquePrefix("nd");
const dir = privateMountDir(prefix);

afterAll(() => {
  removeMountDir(dir);
  cleanup(prefix);
});

it("creates a namespace in its dir after the dir was removed, again and again", async () => {
  for (const round of [1, 2, 3]) {
    const name = `${prefix}n${round}`;
    await nsDo(ns.createNamed(name, dir));
    expect(linksAt(`${dir}/${name}`)).toEqual(["lo"]);
    expect(mountPointsUnder(dir)).toEqual([dir, `${dir}/${name}`]);
    removeMountDir(dir);
  }
});
