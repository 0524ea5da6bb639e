import { describe, expect, it } from "vitest";
import { describeChange } from "./changes.js";
import { execChanges, forgetRemade, recordedBefore } from "./exec-plan.js";
import type { LiveNamespace } from "./live.js";
import { liveRead } from "./live.fixture.js";
import { load } from "./load.js";
import type { TopologyNode } from "./model.js";
import { diff } from "./plan.js";

const lab = (exec: unknown[]) => load({ name: "ep", nodes: { constructor: { exec } } });
const node = (exec: unknown[]) => lab(exec).nodes[0] as TopologyNode;
const live = (ready: boolean | undefined): LiveNamespace => ({
  netns: "ep-constructor",
  state: ready === undefined ? "missing" : "owned",
  ...(ready !== undefined && { owner: { topology: "ep", node: "constructor", ready } }),
  links: [],
  addresses: [],
  routes: [],
  sysctls: {},
  processes: [],
});
const sh = (line: string) => ["/bin/sh", "-c", line];
const plan = (exec: unknown[], ready: boolean | undefined, ran: string[][] | undefined) =>
  execChanges(node(exec), live(ready), ran).map(describeChange);

describe("a node's exec commands in a plan", () => {
  it("a node made now runs them all, whatever the record says (it is of a namespace that is gone)", () => {
    expect(plan(["echo a", "echo b"], undefined, [sh("echo a")])).toEqual([
      "+ exec in constructor: /bin/sh -c 'echo a'",
      "+ exec in constructor: /bin/sh -c 'echo b'",
    ]);
  });

  it("a node not yet ready runs those the record lacks (the failed one and those after it), as not added; all without a record", () => {
    expect(plan(["echo a", "echo b", "echo c"], false, [sh("echo a")])).toEqual([
      "+ exec in constructor: /bin/sh -c 'echo b'",
      "+ exec in constructor: /bin/sh -c 'echo c'",
    ]);
    expect(plan(["echo a"], false, [])).toEqual(["+ exec in constructor: /bin/sh -c 'echo a'"]);
    expect(plan(["echo a", "echo b"], false, undefined)).toEqual([
      "+ exec in constructor: /bin/sh -c 'echo a'",
      "+ exec in constructor: /bin/sh -c 'echo b'",
    ]);
    expect(plan(["echo b"], false, [sh("echo a")])).toEqual([
      "- exec in constructor: /bin/sh -c 'echo a' (gone from the file: forgotten; nothing it did is undone)",
      "+ exec in constructor: /bin/sh -c 'echo b'",
    ]);
  });

  it("an existing node runs only the entries the record lacks, in the file's order; reordered or retimed, nothing", () => {
    expect(plan(["echo a", { command: "echo b", timeout: 5 }], true, [sh("echo b"), sh("echo a")])).toEqual([]);
    expect(plan(["echo z", "echo a", "echo b"], true, [sh("echo a")])).toEqual([
      "+ exec in constructor: /bin/sh -c 'echo z' (added since the node's commands ran)",
      "+ exec in constructor: /bin/sh -c 'echo b' (added since the node's commands ran)",
    ]);
  });

  it("a changed entry runs as a new one, the old one forgotten; one removed is forgotten, nothing undone", () => {
    expect(plan(["echo a2"], true, [sh("echo a")])).toEqual([
      "- exec in constructor: /bin/sh -c 'echo a' (gone from the file: forgotten; nothing it did is undone)",
      "+ exec in constructor: /bin/sh -c 'echo a2' (added since the node's commands ran)",
    ]);
    expect(execChanges(node([]), live(true), [sh("echo a")])).toMatchObject([{ op: "delete", object: "exec", argv: sh("echo a") }]);
  });

  it("the same command twice is two entries", () => {
    expect(plan(["echo a", "echo a"], true, [sh("echo a")])).toEqual([
      "+ exec in constructor: /bin/sh -c 'echo a' (added since the node's commands ran)",
    ]);
    expect(plan(["echo a"], true, [sh("echo a"), sh("echo a")])).toEqual([
      "- exec in constructor: /bin/sh -c 'echo a' (gone from the file: forgotten; nothing it did is undone)",
    ]);
  });

  it("without a record, an existing node's commands are said taken as run, and none runs", () => {
    const changes = execChanges(node(["echo a"]), live(true), undefined);
    expect(changes).toMatchObject([{ op: "update", object: "exec", argv: sh("echo a"), timeoutMs: 120_000 }]);
    expect(changes.map(describeChange)).toEqual([
      "~ exec in constructor: /bin/sh -c 'echo a' (no record of which commands ran: taken as run, not run)",
    ]);
    expect(plan([], true, undefined)).toEqual([]);
  });

  it("diff reads the node's list from the record by name, never from an object's prototype", () => {
    const t = lab(["echo a"]);
    const lives = new Map([["constructor", live(true)]]);
    expect(diff(t, liveRead(lives, { record: new Map() })).map((c) => c.op)).toEqual(["update"]);
    expect(diff(t, liveRead(lives, { record: new Map([["constructor", [sh("echo a")]]]) }))).toEqual([]);
  });
});

describe("what the record holds before an apply's commands run", () => {
  const n = node(["echo a", "echo b", "echo a"]);
  it("a node's entries that are not run now: none when all run, all when taken as run, the others when some are added", () => {
    expect(recordedBefore(n, n.exec)).toEqual([]);
    expect(recordedBefore(n, [])).toEqual([sh("echo a"), sh("echo b"), sh("echo a")]);
    expect(recordedBefore(n, [{ argv: sh("echo a") }])).toEqual([sh("echo b"), sh("echo a")]);
  });
});

describe("the record before a node's namespace is made again", () => {
  const made = { op: "create", object: "netns", node: "a", netns: "ep-a" } as const;
  it("forgets what ran in the nodes whose namespace is made, the same record when there is nothing to forget", () => {
    const record = new Map([
      ["a", [sh("echo a")]],
      ["b", [sh("echo b")]],
    ]);
    expect(forgetRemade(record, [made])).toEqual(
      new Map([
        ["a", []],
        ["b", [sh("echo b")]],
      ]),
    );
    expect(record.get("a")).toEqual([sh("echo a")]);
    expect(forgetRemade(record, [{ ...made, node: "b", op: "delete" }])).toBe(record);
    expect(forgetRemade(new Map([["a", []]]), [made])).toEqual(new Map([["a", []]]));
    expect(forgetRemade(undefined, [made])).toBeUndefined();
  });
});
