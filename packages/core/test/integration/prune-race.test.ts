/**
 * pruneNamed() in /run/netns while ip makes and deletes namespaces there. ip
 * takes no lock: between making an entry and mounting on it, and between
 * unmounting and unlinking it, the entry looks stale. A prune that removed it
 * then failed ip's `netns add` or `netns del`, and a mount in between made the
 * prune itself throw a bare EBUSY. Run in a mount namespace of its own with a
 * fresh tmpfs on /run/netns: the host's is never touched.
 */
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { uniquePrefix } from "./kernel.js";

const prefix = uniquePrefix("pr");
const core = new URL("../../dist/index.js", import.meta.url).href;

it("prunes a leftover and never one ip is making or deleting: every ip call succeeds, and prune never throws", () => {
  const prune = `
    import { pruneNamed } from ${JSON.stringify(core)};
    import { existsSync } from "node:fs";
    const removed = new Set();
    let errors = 0;
    // Until the ip loop says it is done.
    while (!existsSync("/run/netns/.done")) {
      try { for (const { netns } of pruneNamed().removed) removed.add(netns); } catch (err) { errors++; console.error(String(err)); }
    }
    console.log(JSON.stringify({ removed: [...removed], errors }));`;
  const script = `
    mkdir -p /run/netns; mount -t tmpfs ${prefix} /run/netns
    (umask 777 && : > /run/netns/${prefix}left)
    ${JSON.stringify(process.execPath)} --input-type=module -e '${prune.replaceAll("'", "'\\''")}' > /tmp/${prefix}.prune &
    failures=0
    for i in $(seq 100); do
      ip netns add ${prefix}n$i || failures=$((failures+1))
      ip netns del ${prefix}n$i || failures=$((failures+1))
    done
    : > /run/netns/.done; chmod 755 /run/netns/.done
    wait
    echo "{\\"ipFailures\\": $failures, \\"prune\\": $(cat /tmp/${prefix}.prune)}"
    rm -f /tmp/${prefix}.prune`;
  const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-ec", script], { encoding: "utf8", timeout: 240_000 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout) as { ipFailures: number; prune: { removed: string[]; errors: number } };
  expect(out).toEqual({ ipFailures: 0, prune: { removed: [`${prefix}left`], errors: 0 } });
});
