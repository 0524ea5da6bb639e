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

describe("what sits on a link is named by the link (dev)", () => {
  const links = fixture("link/dump-lo-bridge-veth");
  const linkMsg = links.find((m) => m.kind === "link" && m.link.name !== "lo") as Message & { kind: "link" };
  const { index, name } = linkMsg.link;
  const addrMsg = fixture("addr/dump-ipv4-ipv6").find((m) => m.kind === "address") as Message & { kind: "address" };
  const onIt = { ...addrMsg, address: { ...addrMsg.address, index } };
  const routeMsg = fixture("route/dump-ipv4").find((m) => m.kind === "route") as Message & { kind: "route" };

  it("as the state has it when the event comes; null for a link it never had, or no link", () => {
    expect(eventOf(stateOf(links), "t", onIt)).toMatchObject({ type: "address", action: "new", dev: name });
    expect(eventOf(emptyState(), "t", onIt)).toMatchObject({ type: "address", dev: null });
    const noLink = { ...routeMsg, route: { ...routeMsg.route, oifIndex: null } };
    expect(eventOf(stateOf(links), "t", noLink)).toMatchObject({ type: "route", dev: null });
  });

  it("by the name its link had once that link has left the state (departed)", () => {
    const state = stateOf([...links, onIt]);
    const deleted = eventOf(state, "t", { ...linkMsg, name: "RTM_DELLINK" });
    if (deleted) applyEvent(state, deleted);
    const departed = new Map([[index, name]]);
    expect(eventOf(state, "t", { ...onIt, name: "RTM_DELADDR" }, departed)).toMatchObject({ action: "deleted", dev: name });
    // The kernel's silent removals are found by a diff, after the link went.
    expect(diffStates("t", state, emptyState(), departed)).toEqual([
      expect.objectContaining({ type: "address", action: "deleted", dev: name }),
      ...[...state.links.values()].map(() => expect.objectContaining({ type: "link", action: "deleted" })),
    ]);
    expect(diffStates("t", state, emptyState())).toContainEqual(expect.objectContaining({ type: "address", dev: null }));
  });

  it("in a diff: what is added by the names after, what is deleted by the names before", () => {
    const renamed = { ...linkMsg, link: { ...linkMsg.link, name: "renamed0" } };
    const before = stateOf([...links, onIt]);
    const after = stateOf([...links.map((m) => (m === linkMsg ? renamed : m))]);
    expect(diffStates("t", before, after)).toContainEqual(expect.objectContaining({ type: "address", action: "deleted", dev: name }));
    expect(diffStates("t", after, stateOf([renamed, onIt]))).toContainEqual(
      expect.objectContaining({ type: "address", action: "new", dev: "renamed0" }),
    );
  });
});
