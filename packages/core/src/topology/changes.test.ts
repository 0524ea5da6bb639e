import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type Change, describeChange } from "./changes.js";

const update = (set: Record<string, unknown>, from: Record<string, unknown>) =>
  ({ op: "update", object: "link", kind: "veth", node: "h1", netns: "lab-h1", name: "eth0", set, from }) as Change;

describe("describeChange of a link's fields", () => {
  it("gives a live link's old value, and none for a link the same apply creates (not null)", () => {
    expect(describeChange(update({ up: true, mtu: 9000 }, { up: false, mtu: 1500 }))).toBe(
      "~ link veth h1:eth0 (up false -> true, mtu 1500 -> 9000)",
    );
    expect(describeChange(update({ master: "br0" }, { master: null }))).toBe('~ link veth h1:eth0 (master null -> "br0")');
    // link-plan's `from` for a link not there yet: its fields are undefined.
    expect(describeChange(update({ up: true }, { up: undefined }))).toBe("~ link veth h1:eth0 (up true)");
  });
});

describe("describeChange of a link: its object, then its kind", () => {
  const at = { node: "a", netns: "lab-a" };
  it("says `link` for every kind, the kind after it, and nothing for a kind the kernel does not name", () => {
    const lines = (
      [
        { op: "create", object: "link", kind: "bridge", ...at, name: "br0", up: true },
        {
          op: "create",
          object: "link",
          kind: "veth",
          ...at,
          name: "e0",
          up: true,
          peer: { node: "b", netns: "lab-b", name: "e1", up: true },
        },
        { op: "create", object: "link", kind: "vxlan", ...at, name: "vx0", vxlan: { id: 100, remote: "192.0.2.1" } },
        {
          op: "create",
          object: "link",
          kind: "vxlan",
          ...at,
          name: "vx1",
          vxlan: { id: 7, local: "192.0.2.2", group: "239.1.1.1", port: 4790, parent: "eth0" },
        },
        { op: "create", object: "link", kind: "macvlan", ...at, name: "mv0", macvlan: { parent: "eth0", mode: "bridge" } },
        { op: "delete", object: "link", kind: "vxlan", ...at, name: "vx0", reason: "id 100 -> 200" },
        { op: "delete", object: "link", kind: null, ...at, name: "nic0" },
        { op: "delete", object: "link", kind: "macvlan", node: "", netns: "", name: "mv0" },
        { op: "update", object: "link", kind: null, ...at, name: "lo", set: { up: true }, from: { up: false } },
      ] as Change[]
    ).map(describeChange);
    expect(lines).toEqual([
      "+ link bridge a:br0",
      "+ link veth a:e0 <-> b:e1",
      "+ link vxlan a:vx0 (id 100 remote 192.0.2.1)",
      "+ link vxlan a:vx1 on host link eth0 (id 7 local 192.0.2.2 group 239.1.1.1 port 4790)",
      "+ link macvlan a:mv0 on host link eth0 (bridge)",
      "- link vxlan a:vx0 (id 100 -> 200)",
      "- link a:nic0",
      "- link macvlan mv0 in the host namespace (left by an apply cut short)",
      "~ link a:lo (up false -> true)",
    ]);
  });

  it("names the other objects by ip's words, a route as route add's --json gives it", () => {
    const route = (fields: object) => ({ to: "default", family: "inet", via: null, dev: null, metric: null, table: "main", ...fields });
    const lines = (
      [
        { op: "create", object: "netns", ...at },
        { op: "delete", object: "address", ...at, dev: "e0", cidr: "10.0.0.1/24" },
        { op: "create", object: "route", ...at, route: route({ via: "10.0.0.254" }) },
        { op: "delete", object: "route", ...at, route: route({ to: "10.9.0.5", dev: "e0", metric: 7, table: "100" }) },
      ] as Change[]
    ).map(describeChange);
    expect(lines).toEqual([
      "+ netns lab-a (node a)",
      "- address 10.0.0.1/24 on a:e0",
      "+ route default via 10.0.0.254 in a",
      "- route 10.9.0.5 dev e0 metric 7 table 100 in a",
    ]);
  });
});

describe("describeChange of a command", () => {
  it("quotes each word a shell would split or expand, so the line reads as the argv it is", () => {
    const exec = (argv: string[]) => ({ op: "create", object: "exec", node: "a", netns: "lab-a", argv }) as Change;
    expect(describeChange(exec(["sh", "-c", "echo hello from $(hostname) in a"]))).toBe(
      "+ exec in a: sh -c 'echo hello from $(hostname) in a'",
    );
    expect(describeChange(exec(["/bin/sh", "-c", "echo it's"]))).toBe(`+ exec in a: /bin/sh -c 'echo it'\\''s'`);
    expect(describeChange(exec(["ping", "-c1", "10.0.0.1", "fd00::1", "a=b,c@d%e+f"]))).toBe(
      "+ exec in a: ping -c1 10.0.0.1 fd00::1 a=b,c@d%e+f",
    );
    expect(describeChange(exec(["printf", ""]))).toBe("+ exec in a: printf ''");
    const process = { name: "web", argv: ["python3", "-m", "http.server", "--bind", "::"], env: {} };
    expect(describeChange({ op: "create", object: "process", node: "a", netns: "lab-a", process } as Change)).toBe(
      "+ process a:web (python3 -m http.server --bind ::)",
    );
    // A program restarted for its environment alone: the plan says what it is now.
    const withEnv = { ...process, env: { PORT: "8080", GREETING: "hello there" } };
    expect(describeChange({ op: "create", object: "process", node: "a", netns: "lab-a", process: withEnv } as Change)).toBe(
      "+ process a:web (PORT=8080 GREETING='hello there' python3 -m http.server --bind ::)",
    );
  });
});

describe("describeChange of a command with a newline or a control character", () => {
  it("keeps it on one line, as bash's $'...' writes it, which reads back as the argv it is", () => {
    const argv = ["sh", "-c", "echo a\necho 'b'\tc \\ \u001b[2J\u200b\u{e0001}", "it's"];
    const line = describeChange({ op: "create", object: "exec", node: "a", netns: "lab-a", argv } as Change);
    expect(line).toBe(`+ exec in a: sh -c $'echo a\\necho \\'b\\'\\tc \\\\ \\x1b[2J\\u200b\\U000e0001' 'it'\\''s'`);
    const typed = line.slice("+ exec in a: ".length);
    expect(execFileSync("bash", ["-c", `printf '%s\\0' ${typed}`], { encoding: "utf8" })).toBe(`${argv.join("\0")}\0`);
  });
});

describe("describeChange of a sysctl", () => {
  it("shows the numbers of a sysctl of several as compared, one blank apart: the kernel reads them back tab-separated", () => {
    const sysctl = (from: string | null, to: string) =>
      ({ op: "update", object: "sysctl", node: "a", netns: "lab-a", name: "net.ipv4.ip_local_port_range", from, to }) as Change;
    expect(describeChange(sysctl("32768\t60999", "1024  65000"))).toBe(
      "~ sysctl net.ipv4.ip_local_port_range in a: 32768 60999 -> 1024 65000",
    );
  });

  it("gives no before value where there is none to read (a node or link not made yet): no made-up `(unset)`", () => {
    const fresh = { op: "update", object: "sysctl", node: "a", netns: "lab-a", name: "net.ipv4.ip_forward", from: null, to: "1" } as Change;
    expect(describeChange(fresh)).toBe("~ sysctl net.ipv4.ip_forward in a: set to 1");
  });
});
