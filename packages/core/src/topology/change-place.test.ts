import { describe, expect, it } from "vitest";
import type { Change } from "./changes.js";
import { placeOf } from "./change-place.js";
import { routeToMake } from "./compare.js";
import { loadedFrom } from "./loaded.js";
import { load } from "./load.js";

const TEXT = [
  "name: lab",
  "nodes:",
  "  a:",
  "    sysctls: { net.ipv4.ip_forward: 1 }",
  "    interfaces: { vx0: { kind: vxlan, id: 5, remote: 192.0.2.1 } }",
  "    addresses: { e0: [10.0.1.1/24] }",
  "    routes:",
  "      - { to: 10.8.0.0/16, dev: e0 }",
  "      - { to: 10.9.0.0/16, via: 10.0.1.2 }",
  "  b: { exec: [echo one, { command: [/bin/false], timeout: 5 }, echo one] }",
  "links: [{ endpoints: [a:e0, b:e0] }]",
  "",
].join("\n");

describe("placeOf", () => {
  const lab = load(TEXT, { label: "lab.yaml" });
  const from = loadedFrom(lab);
  const at = { node: "a", netns: "lab-a" };
  const route = (i: number) => ({ op: "create", object: "route", ...at, route: routeToMake(lab.nodes[0]?.routes[i] as never) });

  it("names the line of the file's entry that asked for a change", () => {
    const changes = [
      route(1),
      { op: "update", object: "sysctl", ...at, name: "net.ipv4.ip_forward", from: null, to: "1" },
      { op: "create", object: "link", kind: "vxlan", ...at, name: "vx0" },
      { op: "create", object: "link", kind: "veth", ...at, name: "e0" },
      { op: "create", object: "address", ...at, dev: "e0", cidr: "10.0.1.1/24" },
    ] as unknown as Change[];
    expect(changes.map((c) => placeOf(lab, from, c))).toEqual([
      "lab.yaml:9:9",
      "lab.yaml:4:37",
      "lab.yaml:5:24",
      "lab.yaml:11:9",
      "lab.yaml:6:22",
    ]);
  });

  it("says nothing of a change no entry of the file asked for, or of a topology not loaded from text", () => {
    const gone = { op: "delete", object: "route", ...at, route: routeToMake({ to: "10.7.0.0/16", dev: "e0" }) } as unknown as Change;
    expect(placeOf(lab, from, gone)).toBeUndefined();
    expect(placeOf(lab, undefined, route(0) as unknown as Change)).toBeUndefined();
  });

  it("names the line of an exec entry, and of which one where the file gives its command twice", () => {
    const atB = { node: "b", netns: "lab-b" };
    const exec = (argv: string[]) => ({ op: "create", object: "exec", ...atB, argv, timeoutMs: 120_000 }) as unknown as Change;
    const echo = ["/bin/sh", "-c", "echo one"];
    const failing = exec(["/bin/false"]);
    expect(placeOf(lab, from, failing)).toBe("lab.yaml:10:25");
    // All three to run: each is its own entry, in the file's order.
    const all = [exec(echo), failing, exec(echo)];
    expect(all.map((c) => placeOf(lab, from, c, all))).toEqual(["lab.yaml:10:15", "lab.yaml:10:25", "lab.yaml:10:64"]);
    // The first "echo one" ran (the record matches the first of equal entries): the one to run is the second.
    const rest = [failing, exec(echo)];
    expect(placeOf(lab, from, rest[1] as Change, rest)).toBe("lab.yaml:10:64");
    // Which of two equal entries, only the plan tells.
    expect(placeOf(lab, from, exec(echo))).toBeUndefined();
  });
});
