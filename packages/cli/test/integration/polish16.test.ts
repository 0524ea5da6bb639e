/** First-hour rough edges of the built bin, polished: an empty alias clears; the README's --json shapes are what it prints. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ip, ipJson, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const prefix = uniquePrefix("pl16");
const ns = `${prefix}a`;

beforeAll(() => {
  ip("netns", "add", ns);
  ip("-n", ns, "link", "add", "br0", "type", "bridge");
});
afterAll(() => cleanup(prefix));

describe("link set alias", () => {
  it('"" clears the alias, as ip link set NAME alias "" does', () => {
    const alias = () => ipJson<{ ifalias?: string }[]>("-n", ns, "link", "show", "br0")[0]?.ifalias;
    expect(neslink("link", "set", "br0", "alias", "uplink", "-n", ns).status).toBe(0);
    expect(alias()).toBe("uplink");
    const r = neslink("--json", "link", "set", "br0", "alias", "", "-n", ns);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).alias).toBeNull();
    expect(alias()).toBeUndefined();
  });
});

/** The top-level keys of each `{ ... }` written at the top level of `text` (a README cell): `{ a, b?: [{ c }] }` gives [a, b]. */
function shapesIn(text: string): string[][] {
  const shapes: string[][] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" && depth++ === 0) start = i + 1;
    if (c === "}" && --depth === 0) {
      const body = text.slice(start, i);
      // Commas at the body's own level only: those inside [..] or {..} belong to a field's value.
      const keys: string[] = [];
      let level = 0;
      let from = 0;
      for (let j = 0; j <= body.length; j++) {
        const d = body[j];
        if (d === "[" || d === "{") level++;
        if (d === "]" || d === "}") level--;
        if ((d === "," && level === 0) || j === body.length) {
          // "key?": a field there for some values alone (a vxlan's options on a link).
          keys.push((/^\s*(\w+\??)/.exec(body.slice(from, j))?.[1] ?? "") as string);
          from = j + 1;
        }
      }
      shapes.push(keys);
    }
  }
  return shapes;
}

/** The commands a README row's first cell names: `link list` / `link show`, `addr add/del` (addr add, addr del). */
function commandsIn(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].flatMap(([, label]) => {
    const [group, words] = /^(\w+) (.+)$/.exec(label as string)?.slice(1) ?? [label, ""];
    return (words as string).split("/").map((w) => `${group} ${w}`);
  });
}

describe("packages/cli/README.md's --json shapes", () => {
  it("of the ns, link, addr and route commands are what they print", () => {
    const other = `${prefix}n`;
    // In an order that works: each command's --json output, by the name the README gives it.
    const runs: [string, string[]][] = [
      ["ns add", ["ns", "add", other]],
      ["link add", ["link", "add", "bridge", "br1", "-n", ns]],
      ["link set", ["link", "set", "br1", "up", "-n", ns]],
      ["link show", ["link", "show", "br1", "-n", ns]],
      ["link list", ["link", "list", "-n", ns]],
      ["addr add", ["addr", "add", "10.61.0.1/24", "dev", "br1", "-n", ns]],
      ["addr list", ["addr", "list", "-n", ns]],
      ["route add", ["route", "add", "10.62.0.0/16", "via", "10.61.0.2", "-n", ns]],
      ["route list", ["route", "list", "-n", ns]],
      ["route replace", ["route", "replace", "10.62.0.0/16", "via", "10.61.0.3", "metric", "5", "-n", ns]],
      ["route del", ["route", "del", "10.62.0.0/16", "-n", ns]],
      ["addr del", ["addr", "del", "10.61.0.1/24", "dev", "br1", "-n", ns]],
      ["link del", ["link", "del", "br1", "-n", ns]],
      ["ns del", ["ns", "del", other]],
    ];
    const printed = new Map<string, string[]>();
    for (const [label, argv] of runs) {
      const r = neslink("--json", ...argv);
      expect(r, label).toMatchObject({ status: 0, stderr: "" });
      const body = JSON.parse(r.stdout);
      printed.set(label, Object.keys(Array.isArray(body) ? body[0] : body));
    }
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const checked = new Set<string>();
    for (const [, first, second] of readme.matchAll(/^\| (.+?) \| (.+) \|$/gm)) {
      const labels = commandsIn(first as string).filter((l) => printed.has(l));
      for (const label of labels) {
        const got = printed.get(label) as string[];
        for (const keys of shapesIn(second as string)) {
          const expected = keys.filter((k) => !k.endsWith("?") || got.includes(k.slice(0, -1))).map((k) => k.replace(/\?$/, ""));
          expect([label, expected]).toEqual([label, got]);
        }
        checked.add(label);
      }
    }
    expect([...checked].sort()).toEqual([...printed.keys()].sort());
  });
});
