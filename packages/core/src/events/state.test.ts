// The stream's state model on messages the kernel produced (the codec's fixtures; see their .json for provenance).
import { readFileSync } from "node:fs";
import { decodeMessages, type Message } from "@neslink/codec-wasm";
import { describe, expect, it } from "vitest";
import { applyEvent, diffStates, emptyState, eventOf, type NamespaceState, stateOf } from "./state.js";

const fixture = (name: string) =>
  decodeMessages(new Uint8Array(readFileSync(new URL(`../../../codec-wasm/fixtures/${name}.bin`, import.meta.url))));

/** Each message's event, applied in turn, as the listener does. */
function replay(state: NamespaceState, messages: readonly Message[]) {
  return messages.flatMap((msg) => {
    const event = eventOf(state, "t", msg);
    if (event) applyEvent(state, event);
    return event ? [event] : [];
  });
}

describe("eventOf", () => {
  it("tells a new neighbour from a changed one, and ends with its deletion", () => {
    const state = emptyState();
    const events = replay(state, fixture("neigh/events-new-change-del"));
    expect(events.map((e) => [e.type, e.action, e.type === "neighbour" && e.neighbour.mac])).toEqual([
      ["neighbour", "new", "02:00:00:00:00:04"],
      ["neighbour", "changed", "02:00:00:00:00:05"],
      ["neighbour", "changed", null],
      ["neighbour", "deleted", null],
    ]);
    expect(state.neighbours.size).toBe(0);
  });

  it("says nothing for a message that changes nothing, and names what changed in a link", () => {
    const dump = fixture("link/dump-lo-bridge-veth");
    const state = stateOf(dump);
    expect(replay(state, dump)).toEqual([]);
    const link = dump.find((m) => m.kind === "link" && m.link.name !== "lo") as Message & { kind: "link" };
    const renamed = { ...link, link: { ...link.link, name: "renamed0", mtu: 1280 } };
    expect(eventOf(state, "t", renamed)).toMatchObject({
      type: "link",
      action: "changed",
      changed: ["name", "mtu"],
      previous: { name: link.link.name },
    });
    // A deletion of something never seen is no event (the stream never said it existed).
    expect(eventOf(emptyState(), "t", { ...link, name: "RTM_DELLINK" })).toBeUndefined();
  });
});

describe("diffStates", () => {
  const before = stateOf([...fixture("link/dump-lo-bridge-veth"), ...fixture("addr/dump-ipv4-ipv6"), ...fixture("route/dump-ipv4")]);
  const after = stateOf([...fixture("link/dump-veth-peer-netns"), ...fixture("neigh/dump-permanent-stale")]);

  it("gives the events that take one state to the other", () => {
    const state = stateOf([...fixture("link/dump-lo-bridge-veth"), ...fixture("addr/dump-ipv4-ipv6"), ...fixture("route/dump-ipv4")]);
    const events = diffStates("t", state, after);
    for (const e of events) applyEvent(state, e);
    expect(state).toEqual(after);
    expect(diffStates("t", after, after)).toEqual([]);
  });

  it("deletes what sits on links before the links, and adds links before what sits on them", () => {
    const kinds = diffStates("t", before, emptyState()).map((e) => e.type);
    expect(kinds.indexOf("link")).toBeGreaterThan(kinds.lastIndexOf("address"));
    const added = diffStates("t", emptyState(), before).map((e) => e.type);
    expect(added.lastIndexOf("link")).toBeLessThan(added.indexOf("address"));
  });
});
