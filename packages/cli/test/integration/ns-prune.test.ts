// `neslink ns prune` and `ns list` against stale and foreign entries of
// /run/netns, and prunes racing a lab's destroy. Run in a mount namespace of
// its own with a fresh tmpfs on /run/netns: the host's /run/netns is never
// touched.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";

const BIN = fileURLToPath(new URL("../../dist/bin.cjs", import.meta.url));
const prefix = uniquePrefix("np");

// A destroy that failed keeps its lab's lock files, in the host's /run.
afterAll(() => {
  for (const lab of ["a", "b"]) {
    rmSync(`/run/neslink/topologies/${prefix}${lab}`, { recursive: true, force: true });
    rmSync(`/run/neslink/topologies/${prefix}${lab}.lock`, { force: true });
  }
});

/** Runs `script` (sh) in a private mount namespace whose /run/netns is an empty tmpfs; "@@ label" lines split its output. */
function inPrivateNetnsDir(script: string): Record<string, string> {
  const r = spawnSync(
    "unshare",
    ["-m", "--propagation", "private", "sh", "-ec", `mkdir -p /run/netns; mount -t tmpfs ${prefix} /run/netns; ${script}`],
    { encoding: "utf8", timeout: 120_000, env: { ...process.env, NESLINK: `${process.execPath} ${BIN}`, P: prefix } },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const parts: Record<string, string> = {};
  for (const part of r.stdout.split("@@ ").slice(1)) {
    const nl = part.indexOf("\n");
    parts[part.slice(0, nl)] = part.slice(nl + 1);
  }
  return parts;
}

it("ns list shows only usable namespaces (what `ip netns exec` can enter); ns prune removes the stale entries and skips the rest", () => {
  // In /run/netns a killed creator leaves an empty file of its own mode: ip's 0, neslink's 0444, containerd's 0666
  // less the umask (cni-*), podman's 0600. None leaves an executable one.
  const script = "an empty file of mode 0755: no namespace creator leaves an executable one";
  const out = inPrivateNetnsDir(`
    $NESLINK --json ns add \${P}real > /dev/null
    (umask 333 && : > /run/netns/\${P}stale)
    (umask 022 && : > /run/netns/\${P}cni)
    (umask 077 && : > /run/netns/\${P}podman)
    (umask 022 && : > /run/netns/\${P}script && chmod 755 /run/netns/\${P}script)
    ln -s /etc/hostname /run/netns/\${P}link
    mkdir /run/netns/\${P}dir
    echo "@@ list"; $NESLINK --json ns list
    echo "@@ usable"; for n in $(ls /run/netns); do if ip netns exec "$n" true 2>/dev/null; then echo "$n"; fi; done
    echo "@@ prune"; $NESLINK --json ns prune
    echo "@@ left"; ls /run/netns
    echo "@@ text"; $NESLINK ns prune
    $NESLINK ns del \${P}real > /dev/null
    echo "@@ end"; ls /run/netns
  `);
  expect(JSON.parse(out.list as string)).toEqual([{ name: `${prefix}real` }]);
  expect(out.usable).toBe(`${prefix}real\n`);
  const pruned = JSON.parse(out.prune as string);
  // Each entry as `netns`, as destroy names the namespaces it removed.
  expect(pruned.removed.map((r: { netns: string }) => r.netns).sort()).toEqual([`${prefix}cni`, `${prefix}podman`, `${prefix}stale`]);
  expect(pruned.skipped).toEqual([
    { netns: `${prefix}dir`, reason: "a directory" },
    { netns: `${prefix}link`, reason: "a symbolic link" },
    { netns: `${prefix}script`, reason: script },
  ]);
  expect(out.left).toBe(`${prefix}dir\n${prefix}link\n${prefix}real\n${prefix}script\n`);
  expect(out.text).toBe(`skipped ${prefix}dir: a directory\nskipped ${prefix}link: a symbolic link\nskipped ${prefix}script: ${script}\n`);
  expect(out.end).toBe(`${prefix}dir\n${prefix}link\n${prefix}script\n`);
});

/** A star lab: a hub's bridge and `hosts` nodes, each joined to it by a veth. */
const star = (lab: string, hosts: number) =>
  [
    `name: ${lab}`,
    "nodes:",
    "  hub: { ipv6: false, bridges: [br0] }",
    ...Array.from({ length: hosts }, (_, i) => `  n${i}: { ipv6: false }`),
    "links:",
    ...Array.from({ length: hosts }, (_, i) => `  - endpoints: ["n${i}:eth0", { node: hub, interface: v${i}, master: br0 }]`),
  ].join("\n");

// Between a destroy's unmount of a node and its unlink, the node's entry is an empty file with nothing mounted on it,
// as a crash leaves one: a prune then removes it. The destroy had deleted that node: it failed (ERR_NS_NOT_FOUND),
// keeping the lab's lock files. Two prunes in a loop meet that moment most runs; core's named-race test meets it always.
it("ns prune racing a lab's destroy: the destroy succeeds, nothing of its lab is left, another lab is untouched", () => {
  // Its own files outside /run/netns: an empty one there (the destroy's output, not yet written) is the prune's.
  const out = inPrivateNetnsDir(`
    t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
    echo '${star(`${prefix}a`, 80)}' > $t/a.yaml
    echo '${star(`${prefix}b`, 20)}' > $t/b.yaml
    $NESLINK apply $t/a.yaml --yes > /dev/null
    $NESLINK apply $t/b.yaml --yes > /dev/null
    $NESLINK --json destroy \${P}a > $t/destroyed 2>&1 & destroy=$!
    prune() { while kill -0 $destroy 2>/dev/null; do $NESLINK --json ns prune > /dev/null; done; }
    prune & prune & wait %2 %3
    echo "@@ destroy"; wait $destroy && echo 0 || echo "$?: $(cat $t/destroyed)"
    echo "@@ left"; ls /run/netns | grep -v "^\${P}b-" || true
    echo "@@ locks"; ls /run/neslink/topologies | grep "^\${P}" || true
    echo "@@ b"; $NESLINK plan $t/b.yaml --detailed-exitcode > /dev/null && echo unchanged
    $NESLINK destroy \${P}b > /dev/null
    echo "@@ end"; ls /run/netns
  `);
  expect(out.destroy).toBe("0\n");
  expect(out.left).toBe("");
  expect(out.locks).toBe(`${prefix}b\n${prefix}b.lock\n`);
  expect(out.b).toBe("unchanged\n");
  expect(out.end).toBe("");
});
