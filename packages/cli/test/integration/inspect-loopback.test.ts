/**
 * inspect's table and a node's loopback: every node has one, up with the
 * kernel's own addresses, so a row for each would only repeat itself; but a
 * loopback the lab's file gives addresses, or one that holds others (added by
 * hand) or is down, is something to see. --json has every loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { json, neslink } from "./run.js";

const lab = uniquePrefix("zn2");
const dir = mkdtempSync(`${tmpdir()}/neslink-zn2-lo-`);
const file = `${dir}/${lab}.yaml`;

/** `a` gives its loopback an address; `b` and `c` leave theirs as the kernel makes it. */
writeFileSync(file, `name: ${lab}\nnodes:\n  a: { addresses: { lo: [10.77.0.1/32] } }\n  b: {}\n  c: {}\n`);

/** The loopback's addresses in `node`'s namespace, as iproute2 reads them. */
const loAddresses = (node: string) =>
  ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>("-n", `${lab}-${node}`, "addr", "show", "dev", "lo").flatMap((l) =>
    l.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
  );

/** The nodes whose loopback has a row in `neslink inspect ARG`'s table. */
function loRows(arg: string): string[] {
  const r = neslink("inspect", arg);
  expect(r.status).toBe(0);
  return r.stdout.split("\n").flatMap((line) => new RegExp(`^${lab} +(\\w+) +${lab}-\\w+ +running +lo +`).exec(line)?.[1] ?? []);
}

beforeAll(() => {
  expect(json("apply", file, "--yes").status).toBe(0);
});

afterAll(() => {
  try {
    neslink("destroy", lab, "--yes");
  } finally {
    cleanup(`${lab}-`);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("inspect's table shows a node's loopback", () => {
  it("that the file gives addresses or that holds more than the kernel's own, not the others", () => {
    expect(loAddresses("a")).toContain("10.77.0.1/32");
    expect(loRows(file)).toEqual(["a"]);
    expect(loRows(lab)).toEqual(["a"]);

    // Added by hand: seen by name and by file alike.
    ip("-n", `${lab}-c`, "addr", "add", "10.78.0.1/32", "dev", "lo");
    expect(loAddresses("c")).toContain("10.78.0.1/32");
    expect(loRows(lab)).toEqual(["a", "c"]);
    expect(loRows(file)).toEqual(["a", "c"]);

    // Taken away by hand: the file still says it (and the drift what apply would add), the name alone does not.
    ip("-n", `${lab}-a`, "addr", "del", "10.77.0.1/32", "dev", "lo");
    expect(loAddresses("a")).not.toContain("10.77.0.1/32");
    expect(loRows(file)).toEqual(["a", "c"]);
    expect(loRows(lab)).toEqual(["c"]);
  });

  it("that is down", () => {
    ip("-n", `${lab}-b`, "link", "set", "lo", "down");
    expect(ipJson<{ flags: string[] }[]>("-n", `${lab}-b`, "link", "show", "lo")[0]?.flags).not.toContain("UP");
    expect(loRows(lab)).toContain("b");
  });

  it("and --json has every node's loopback, with its addresses", () => {
    const [inspected] = json("inspect", lab).body as { nodes: { name: string; links: { name: string; addresses: string[] }[] }[] }[];
    for (const node of ["a", "b", "c"])
      expect(
        inspected?.nodes
          .find((n) => n.name === node)
          ?.links.find((l) => l.name === "lo")
          ?.addresses.sort(),
      ).toEqual(loAddresses(node).sort());
  });
});
