/**
 * Names and aliases neslink did not make come from the kernel as anyone set
 * them, escape sequences included: `ip link add $'\e[2J'` works, as does
 * `ip netns add` of such a name. The built bin prints them escaped (\x1b,
 * \u{202e}), with its table still aligned; --json gives the true strings,
 * with the characters a terminal would obey escaped in the JSON text.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, FAIL_AFTER_MS, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { BIN, json, neslink } from "./run.js";

const prefix = uniquePrefix("hn");
const ns = `${prefix}a`;
/** A namespace name with an escape (clear the screen) and a C1 control (CSI on some terminals). */
const oddNs = `${prefix}\u001b[2J\u009b`;
/** A link named with an escape sequence (red), its peer with a right-to-left override. */
const red = "r\u001b[31m";
const rtl = "p\u202ex";
/** An alias that would retitle an xterm and ring its bell. */
const title = "t\u001b]0;pwned\u0007";
/** What a terminal obeys or hides: C0 but newline and tab, DEL, C1, bidi and zero-width controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what must not be printed
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]/u;

const ip = (...args: string[]) => execFileSync("ip", args, { encoding: "utf8" });

beforeAll(() => {
  ip("netns", "add", ns);
  ip("netns", "add", oddNs);
  ip("-n", ns, "link", "add", red, "type", "veth", "peer", "name", rtl);
  ip("-n", ns, "link", "set", red, "alias", title);
});

afterAll(() => cleanup(prefix));

it("link list writes kernel names escaped, in aligned columns; --json gives them whole", () => {
  const r = neslink("link", "list", "-n", ns);
  expect(r.status).toBe(0);
  expect(r.stdout).not.toMatch(RAW);
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines.find((l) => l.includes("veth") && l.includes("r\\x1b[31m"))).toBeDefined();
  expect(lines.find((l) => l.includes("p\\u{202e}x"))).toBeDefined();
  // Columns measured on the escaped text: KIND starts at one offset on every line.
  expect(new Set(lines.map((l) => l.indexOf(l.includes("KIND") ? "KIND" : l.includes("veth") ? "veth" : "-  ")))).toHaveLength(1);

  const raw = execFileSync(process.execPath, [BIN, "--json", "link", "list", "-n", ns], { encoding: "utf8" });
  expect(raw).not.toMatch(RAW);
  const links = JSON.parse(raw) as { name: string; alias: string | null }[];
  expect(links.map((l) => l.name).sort()).toEqual(["lo", rtl, red].sort());
  expect(links.find((l) => l.name === red)?.alias).toBe(title);
});

it("ns list escapes a namespace's name; --json keeps it", () => {
  const list = neslink("ns", "list");
  expect(list.status).toBe(0);
  expect(list.stdout).not.toMatch(RAW);
  expect(list.stdout.split("\n")).toContain(`${prefix}\\x1b[2J\\x9b`);
  const { status, body } = json("ns", "list");
  expect(status).toBe(0);
  expect((body as { name: string }[]).map((n) => n.name)).toContain(oddNs);
});

it("monitor writes a link's name escaped as text; as JSON lines, its name and alias whole", async () => {
  for (const asJson of [false, true]) {
    const child = spawn(process.execPath, [BIN, ...(asJson ? ["--json"] : []), "monitor", "link", "-n", ns], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    try {
      // Changed until the listener, which starts as the process does, has seen a change.
      for (let i = 0, end = Date.now() + FAIL_AFTER_MS; !out.includes("\n") && Date.now() < end; i++) {
        ip("-n", ns, "link", "set", red, i % 2 === 0 ? "up" : "down");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      child.kill("SIGINT");
      await once(child, "exit");
    }
    expect(out).toContain("\n");
    expect(out).not.toMatch(RAW);
    if (asJson) expect(JSON.parse(out.split("\n")[0] as string).link).toMatchObject({ name: red, alias: title });
    else expect(out).toContain("link changed r\\x1b[31m ");
  }
});

/** A namespace is a file: its name may hold a newline and a tab, which would print as lines and columns of their own. */
const forging = `${prefix}n\n${prefix}forged\tx`;
/** An alias may hold a newline too (IFLA_IFALIAS is any bytes). */
const twoLines = `a\n${prefix}b`;

it("a newline or tab in a namespace's name or a link's alias prints escaped: it cannot forge a line or a column", () => {
  ip("netns", "add", forging);
  ip("-n", ns, "link", "set", "lo", "alias", twoLines);
  const list = neslink("ns", "list");
  expect(list.status).toBe(0);
  expect(list.stdout.split("\n")).toContain(`${prefix}n\\x0a${prefix}forged\\x09x`);
  expect(list.stdout.split("\n").filter((l) => l.startsWith(`${prefix}forged`))).toEqual([]);
  expect((json("ns", "list").body as { name: string }[]).map((n) => n.name)).toContain(forging);
  const shown = neslink("link", "show", "lo", "-n", ns);
  expect(shown.stdout).toContain(`a\\x0a${prefix}b`);
  expect(shown.stdout.split("\n").filter((l) => l.startsWith(`${prefix}b`))).toEqual([]);
});
