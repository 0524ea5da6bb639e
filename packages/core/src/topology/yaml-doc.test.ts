import { describe, expect, it } from "vitest";
import { LineCounter, visit } from "yaml";
import { composeDocument, inlineAliases } from "./yaml-doc.js";

const parsed = (text: string) => {
  const { doc } = composeDocument(text, new LineCounter());
  if (doc === undefined) throw new Error("no document");
  return doc;
};

describe("inlineAliases", () => {
  it("leaves no alias for doc.toJS to look up (the yaml package walks the document from its start for each one)", () => {
    const doc = parsed("a: &x { k: [1, 2] }\nb: *x\nc: [*x, { d: *x }]\ne: &y f\n*y : 3\n");
    expect(inlineAliases(doc)).toBeUndefined();
    let aliases = 0;
    visit(doc, {
      Alias: () => {
        aliases++;
      },
    });
    expect(aliases).toBe(0);
    expect(doc.toJS({ maxAliasCount: -1 })).toEqual({
      a: { k: [1, 2] },
      b: { k: [1, 2] },
      c: [{ k: [1, 2] }, { d: { k: [1, 2] } }],
      e: "f",
      f: 3,
    });
  });

  it("says what is wrong at the alias", () => {
    const doc = parsed("a: [1]\nb: *nope\n");
    expect(inlineAliases(doc)).toEqual({ message: "*nope: no anchor &nope comes before it", offset: 10 });
  });
});
