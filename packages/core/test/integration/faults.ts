/**
 * Running one of core's calls in a process of its own whose netlink requests (its workers' too) are changed as
 * `faults` says (see test/fixtures/netlink-faults.mjs): the kernel's replies to cases this machine cannot make.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ErrorJSON } from "@neslink/core";

const CORE = new URL("../../dist/index.js", import.meta.url).href;
const HOOK = fileURLToPath(new URL("../fixtures/netlink-faults.mjs", import.meta.url));
const CALL = fileURLToPath(new URL("../fixtures/core-call.mjs", import.meta.url));

export interface Faults {
  refuse?: { indexes?: number[]; groups?: number[] };
  vanish?: { netns: string; name: string; once: string };
}

/** The call's result, or its error as toErrorJSON gives it (with a TopologyApplyError's failures and done). */
export function underFaults<R>(
  call: "apply" | "destroy" | "bridges",
  arg: unknown,
  faults: Faults,
): { result?: R; error?: ErrorJSON & Record<string, unknown> } {
  const r = spawnSync(process.execPath, ["--import", HOOK, CALL, CORE, call, JSON.stringify(arg)], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NESLINK_FAULTS: JSON.stringify(faults) },
  });
  if (r.status !== 0 || r.stdout === "") throw new Error(`${call} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
