import { TopologyError, topology } from "@neslink/core";
import { expect } from "vitest";

/**
 * The problems load finds in a lab of two nodes (a, b) joined a:e0 - b:e0, with `a` given `node`, a's end `end` and the
 * link `link`'s fields.
 */
export function problemsWith(node: object, end: object = {}, link: object = {}): { path: string; message: string }[] {
  const file = {
    name: "k",
    nodes: { a: node, b: {} },
    links: [{ endpoints: [{ node: "a", interface: "e0", ...end }, "b:e0"], ...link }],
  };
  try {
    topology.load(file);
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return (err as TopologyError).problems.map(({ path, message }) => ({ path, message }));
  }
  return [];
}
