// `neslink ns prune` and `ns list` against stale and foreign entries of
// /run/netns. Run in a mount namespace of its own with a fresh tmpfs on
// /run/netns: the host's /run/netns is never touched.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { uniquePrefix } from "../../../core/test/integration/kernel.js";

const BIN = fileURLToPath(new URL("../../dist/bin.cjs", import.meta.url));
const prefix = uniquePrefix("np");

/** Runs `script` (sh) in a private mount namespace whose /run/netns is an empty tmpfs; "@@ label" lines split its output. */
function inPrivateNetnsDir(script: string): Record<string, string> {
  const r = spawnSync(
    "unshare",
    ["-m", "--propagation", "private", "sh", "-ec", `mkdir -p /run/netns; mount -t tmpfs ${prefix} /run/netns; ${script}`],
    { encoding: "utf8", timeout: 30_000, env: { ...process.env, NESLINK: `${process.execPath} ${BIN}`, P: prefix } },
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

it("ns list shows only usable namespaces (what `ip netns exec` can enter); ns prune removes the stale entry and skips the rest", () => {
  const out = inPrivateNetnsDir(`
    $NESLINK --json ns add \${P}real > /dev/null
    : > /run/netns/\${P}stale
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
  expect(JSON.parse(out.list as string)).toEqual([`${prefix}real`]);
  expect(out.usable).toBe(`${prefix}real\n`);
  expect(JSON.parse(out.prune as string)).toEqual({
    removed: [`${prefix}stale`],
    skipped: [
      { name: `${prefix}dir`, reason: "a directory" },
      { name: `${prefix}link`, reason: "a symbolic link" },
    ],
  });
  expect(out.left).toBe(`${prefix}dir\n${prefix}link\n${prefix}real\n`);
  expect(out.text).toBe(`skipped ${prefix}dir: a directory\nskipped ${prefix}link: a symbolic link\n`);
  expect(out.end).toBe(`${prefix}dir\n${prefix}link\n`);
});
