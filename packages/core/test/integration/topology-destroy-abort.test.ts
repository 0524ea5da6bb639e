/**
 * destroy's `signal` and `onProgress`: its one event comes before its first change (every node still there, its
 * program still running, as `ip netns` and /proc say), and a signal aborted by then, or an onProgress that throws,
 * leaves the lab whole: no namespace gone, its program running, its lock free for the next destroy.
 */
import { existsSync } from "node:fs";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ipJson, netnsList, uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("dab");

afterAll(async () => {
  cleanup(prefix);
  await closeDefaultPool();
});

const labText = (name: string) =>
  `name: ${name}\nnodes:\n  a:\n    processes: ["sleep 600"]\n  b: {}\nlinks:\n  - endpoints: ["a:eth0", "b:eth0"]\n`;

/** The lab as ip sees it: its namespaces, and a's links. */
const seen = (name: string) => ({
  namespaces: netnsList(`${name}-`).sort(),
  links: ipJson<{ ifname: string }[]>("-n", `${name}-a`, "link", "show").map((l) => l.ifname),
});

/** Its program's phase, as inspect reads it. */
const programPhase = async (name: string) => (await topology.inspect(name)).nodes.find((n) => n.name === "a")?.processes[0]?.phase;

describe("destroy's signal and onProgress", () => {
  it("its event comes before the first change; aborted by then, nothing of the lab is changed", async () => {
    const name = `${prefix}s`;
    const lab = topology.load(labText(name));
    await topology.apply(lab);
    const whole = seen(name);
    expect(whole).toEqual({ namespaces: [`${name}-a`, `${name}-b`], links: ["lo", "eth0"] });
    expect(await programPhase(name)).toBe("running");

    const controller = new AbortController();
    const atEvent: unknown[] = [];
    const aborted = topology.destroy(name, {
      signal: controller.signal,
      onProgress: (event) => atEvent.push({ event, ...seen(name) }),
    });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(atEvent).toEqual([]);
    expect(seen(name)).toEqual(whole);
    expect(await programPhase(name)).toBe("running");

    // Not aborted: the event once, with the lab still whole; then all of it goes.
    const result = await topology.destroy(name, { onProgress: (event) => atEvent.push({ event, ...seen(name) }) });
    expect(atEvent).toEqual([{ event: { type: "phase", phase: "remove" }, ...whole }]);
    expect(result.removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(netnsList(`${name}-`)).toEqual([]);
  });

  it("aborted at its event (after it, before the first removal), it runs on to its end: no window stops it unchanged", async () => {
    const name = `${prefix}p`;
    await topology.apply(topology.load(labText(name)));
    const controller = new AbortController();
    // The CLI takes the event as the point past which the destroy ends what it starts: a signal heard after it must
    // not stop it with nothing removed (said "partly destroyed" then, of a lab left whole).
    const result = await topology.destroy(name, { signal: controller.signal, onProgress: () => controller.abort() });
    expect(controller.signal.aborted).toBe(true);
    expect(result.removed.map((r) => r.node).sort()).toEqual(["a", "b"]);
    expect(netnsList(`${name}-`)).toEqual([]);
  });

  it("aborted before any change, a destroy of a name with no record leaves no lock file, held by no one, behind", async () => {
    const name = `${prefix}n`;
    const lockFile = `/run/neslink/topologies/${name}.lock`;
    await expect(topology.destroy(name, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ERR_ABORTED" });
    // It was left, and taken for a lab: destroy's confirmation asked about a lab that had nothing.
    expect(existsSync(lockFile)).toBe(false);
    expect(await topology.labKnown(name)).toBe(false);
  });

  it("an onProgress that throws stops it before any change, with its error", async () => {
    const name = `${prefix}t`;
    await topology.apply(topology.load(labText(name)));
    const whole = seen(name);
    const refused = topology.destroy(name, {
      onProgress: () => {
        throw new Error("not now");
      },
    });
    await expect(refused).rejects.toThrow("not now");
    expect(seen(name)).toEqual(whole);
    expect(await programPhase(name)).toBe("running");
    await topology.destroy(name);
    expect(netnsList(`${name}-`)).toEqual([]);
  });

  it("refuses options of the wrong type before anything", async () => {
    await expect(topology.destroy(`${prefix}x`, { signal: "now" as unknown as AbortSignal })).rejects.toMatchObject({
      code: "ERR_INVALID_ARGUMENT",
      field: "options.signal",
    });
  });
});
