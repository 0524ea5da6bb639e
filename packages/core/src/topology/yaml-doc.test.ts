import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
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

describe("composeDocument", () => {
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc") as () => void;
  const heldAfter = (make: () => unknown) => {
    collect();
    const before = process.memoryUsage().heapUsed;
    const held = make();
    collect();
    const after = process.memoryUsage().heapUsed;
    return { held, bytes: after - before };
  };

  it("reads JSON's strings at the cost of their text, not ~40 bytes a character (15 MB of them took 580 MB)", () => {
    const strings = Array.from({ length: 4000 }, (_, i) => `"${i} ${"x".repeat(1000)}"`);
    const text = `{"name": "x", "nodes": {"a": {"exec": [${strings.join(", ")}]}}}`;
    const { held, bytes } = heldAfter(() => parsed(text));
    // 4 MB of text: the document holds each string and its node (5 MB), not 128 MB of one-character pieces.
    expect(bytes).toBeLessThan(4 * text.length);
    // The same values, at the same places, as the double-quoted strings they are.
    const exec = (held as ReturnType<typeof parsed>).getIn(["nodes", "a", "exec"]) as { items: { value: string; range: number[] }[] };
    expect(exec.items.map((s) => `"${s.value}"`)).toEqual(strings);
    expect(exec.items.map((s) => text.slice(s.range[0], s.range[1]))).toEqual(strings);
  });

  it("reads one with JSON's escapes at the cost of its text too (one of 1 MiB cost 29 MB), each value and what follows in its place", () => {
    const escaped = `"${String.raw`a\tb\u00e9\"c\/`.repeat(60_000)}"`;
    const text = `{"a": [${escaped}, "x\\/y"],\n  "b": 1}\n`;
    const { held, bytes } = heldAfter(() => parsed(text));
    expect(bytes).toBeLessThan(4 * text.length);
    const doc = held as ReturnType<typeof parsed>;
    expect(doc.toJS()).toEqual({ a: [JSON.parse(escaped), "x/y"], b: 1 });
    const a = doc.get("a") as { items: { range: number[] }[] };
    expect(a.items.map((s) => s.range[0])).toEqual([text.indexOf(escaped), text.indexOf('"x')]);
    const b = (doc.contents as { items: { key: { range: number[] } }[] }).items[1]?.key;
    expect(b?.range[0]).toBe(text.indexOf('"b"'));
  });

  it("reads a double-quoted string that means something else single-quoted as double-quoted", () => {
    const doc = parsed(`a: ["it's", "tab\\there", "folded\n  line", "", "'", "back\\\\slash", "a\\nb", "\\x41\\e", "\\"\t'", "\\"'\\t'"]`);
    expect(doc.toJS()).toEqual({
      a: ["it's", "tab\there", "folded line", "", "'", "back\\slash", "a\nb", "A\u001b", "\"\t'", "\"'\t'"],
    });
  });
});
