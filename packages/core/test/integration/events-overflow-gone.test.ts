/**
 * A namespace's end under an overflow. The kernel says a namespace is
 * destroyed with an RTM_DELNSID in ours, which a full receive queue drops like
 * any notification. A watch must still say `gone` (and a watch of a list end):
 * waiting for a namespace's end (watchGone, topology destroy, `monitor -n`)
 * would otherwise wait for ever.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { ns, watch } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { watchProcess } from "./held-listener.js";
import { cleanup, ip, until, uniquePrefix } from "./kernel.js";
import { privateMountDir, removeMountDir } from "./mount-dir.js";
import { dropNamespace, inNamespace, makeNamespace, nsidAt, takeNsid } from "./private-namespaces.js";

const prefix = uniquePrefix("eo");
/** nsfs file handles (open_by_handle_at of a namespace), which tell a destroyed namespace from its nsid's next holder: Linux 6.18+. */
const [major = 0, minor = 0] = release().split(".").map(Number);
const nsfsHandles = major > 6 || (major === 6 && minor >= 18);
const flood = join(tmpdir(), `${prefix}.batch`);
const dir = privateMountDir(prefix);

afterAll(() => {
  rmSync(flood, { force: true });
  removeMountDir(dir);
  cleanup(prefix);
});

describe("watch under an overflow", () => {
  it("says `gone` for every namespace destroyed while its queue overflowed, and a list's watch ends", async () => {
    // Veth pairs by the hundred in a watched namespace: far more than a 4 KiB queue holds while the ends come.
    writeFileSync(flood, Array.from({ length: 400 }, (_, i) => `link add x${i} type veth peer name y${i}\n`).join(""));
    for (let round = 0; round < 5; round++) {
      const ending = Array.from({ length: 10 }, (_, i) => `${prefix}r${round}e${i}`);
      const busy = `${prefix}r${round}b`;
      for (const name of [...ending, busy]) ip("netns", "add", name);
      const stream = watch(
        [...ending, busy].map((name) => ns.name(name)),
        { groups: ["link"], receiveBuffer: 4096 },
      );
      const gone = new Set<string>();
      const reading = (async () => {
        for await (const e of stream) if (e.type === "gone") gone.add(e.netns);
      })();
      try {
        await stream.ready;
        const flooding = spawn("ip", ["-n", busy, "-batch", flood], { stdio: "ignore" });
        const flooded = new Promise((resolve) => flooding.once("exit", resolve));
        for (const name of ending) ip("netns", "del", name);
        await flooded;
        ip("netns", "del", busy);
        // Ends once every namespace is gone; a `gone` lost leaves it waiting.
        const timer = setTimeout(() => void stream.close(), 20_000);
        await reading;
        clearTimeout(timer);
        expect([...gone].sort(), `round ${round}`).toEqual([...ending, busy].sort());
      } finally {
        await stream.close();
        await reading;
      }
    }
  });

  it.runIf(nsfsHandles)(
    "says `gone` for a namespace destroyed while its queue overflowed, though its nsid names another one by then",
    async () => {
      mkdirSync(dir, { recursive: true });
      const [gone, busy, other] = ["g", "b", "o"].map((n) => `${dir}/${n}`) as [string, string, string];
      for (const path of [gone, busy, other]) makeNamespace(path);
      const watcher = await watchProcess([gone, busy], { groups: ["link"], receiveBuffer: 4096 });
      try {
        const nsid = nsidAt(gone);
        expect(nsid, "the watch gave it an nsid").toBeGreaterThanOrEqual(0);
        await watcher.hold();
        // Far more than a 4 KiB queue holds: the end of `gone` (its RTM_DELNSID) that follows is dropped.
        writeFileSync(flood, Array.from({ length: 20 }, (_, i) => `link add x${i} type veth peer name y${i}\n`).join(""));
        inNamespace(busy, "ip", "-batch", flood);
        dropNamespace(gone);
        // Its id given again once the kernel takes it back (destroying it), as the kernel gives the lowest free one.
        expect(takeNsid(other, nsid, 20_000), "its id is given to another").toBe(true);
        // Other namespaces with an nsid (other tests', anyone's) are heard too, and overflow so small a queue at any time:
        // only what follows the release counts.
        const before = watcher.events.length;
        watcher.release();
        // After the overflow every namespace is dumped again, `gone`'s end decided first (watched first), then `busy` synced.
        const since = () => watcher.events.slice(before);
        const resynced = () => since().some((e) => e.type === "resync" && e.netns === busy && e.reason === "overflow");
        expect(await until(() => resynced() && since().some((e) => e.type === "synced" && e.netns === busy), 20_000)).toBe(true);
        expect(watcher.events.filter((e) => e.type === "gone").map((e) => e.netns)).toEqual([gone]);
      } finally {
        watcher.end();
      }
    },
  );
});
