import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { destroy } from "./destroy.js";
import type { Topology } from "./model.js";

/** destroy of a hand-built topology: refused before any lock, read or pool, naming the field it reads. */
async function refusal(given: unknown): Promise<ValidationError> {
  const err = await destroy(given as Topology).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe("destroy checks what it reads of a given topology", () => {
  it("names the lab's name, a node's entry name and its interfaces", async () => {
    expect((await refusal(null)).field).toBe("topology");
    expect((await refusal([])).field).toBe("topology");
    expect((await refusal({ name: "Not A Lab", nodes: [] })).field).toBe("topology.name");
    expect((await refusal({ name: "lab", nodes: {} })).field).toBe("topology.nodes");
    // A file's shape, as a program writing its labs as data builds it, is pointed to topology.load, which reads it.
    expect((await refusal({ name: "lab", nodes: { a: {} } })).message).toContain("give the object to topology.load first");
    const node = (netns: unknown, interfaces: unknown = []) => ({
      name: "lab",
      nodes: [
        { netns: "lab-a", interfaces: [] },
        { netns, interfaces },
      ],
    });
    expect((await refusal(node("../../etc"))).field).toBe("topology.nodes[1].netns");
    expect((await refusal(node(42))).field).toBe("topology.nodes[1].netns");
    expect((await refusal(node("lab-b", "eth0"))).field).toBe("topology.nodes[1].interfaces");
  });

  it("refuses a topology whose getter or Proxy trap throws, as apply does, with a ValidationError", async () => {
    const getter = await refusal({
      get name() {
        throw new Error("boom");
      },
      nodes: [],
    });
    expect(getter.field).toBe("topology");
    expect(getter.message).toContain("boom");
    const trap = new Proxy(
      { name: "lab", nodes: [] },
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect((await refusal(trap)).field).toBe("topology");
    const node = new Proxy(
      { netns: "lab-a", interfaces: [] },
      {
        get() {
          throw new Error("node trap");
        },
      },
    );
    expect((await refusal({ name: "lab", nodes: [node] })).field).toBe("topology.nodes[0]");
  });
});
