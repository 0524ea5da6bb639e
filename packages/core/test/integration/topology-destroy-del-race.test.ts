// A lab's destroy racing a delete of one of its nodes (`neslink ns del`), in
// a loop: exactly one of them says it deleted the node's namespace, and the
// destroy does not fail. Both said so: the destroy's deletion, its unmount
// beaten, removed the file the delete had emptied (or, later, took that file
// for a leftover entry of the lab and said it cleaned it up); and the destroy
// failed with ERR_NS_NOT_FOUND when the delete had removed the file first.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, expect, it } from "vitest";
import { cleanup, netnsList, uniquePrefix } from "./kernel.js";

const lab = uniquePrefix("dd");
const node = `${lab}-a`;
const SCRIPT = fileURLToPath(new URL("../fixtures/named-del-lines.mjs", import.meta.url));
const ROUNDS = 200;
/** The delete starts 0 to SPREAD - 1 ms after the destroy, round by round: each side wins some. */
const SPREAD = 25;

afterAll(async () => {
  await topology.destroy(lab).catch(() => undefined);
  cleanup(lab);
  await closeDefaultPool();
});

/** What the destroy said of the node: it deleted it, it cleaned up its empty entry, nothing, or its failure's code. */
function destroySaid(outcome: PromiseSettledResult<topology.DestroyResult>): string {
  if (outcome.status === "rejected") return `failed: ${(outcome.reason as { code?: string }).code}`;
  if (outcome.value.removed.some((r) => r.netns === node)) return "removed";
  return outcome.value.leftovers.entries.some((e) => e.netns === node) ? "entry" : "nothing";
}

it(`a destroy and an ns del of its node, ${ROUNDS} times: exactly one says it deleted it, and the destroy succeeds`, async () => {
  const child = spawn(process.execPath, [SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string;
  try {
    expect(await next()).toBe("ready");
    const seen = new Map<string, number>();
    const wrong: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await topology.apply(topology.load(`name: ${lab}\nnodes:\n  a: {}\n`));
      const destroying = topology.destroy(lab);
      await sleep(round % SPREAD);
      child.stdin.write(`${node}\n`);
      const [destroyed, deleted] = await Promise.allSettled([destroying, next()]);
      const said = `destroy: ${destroySaid(destroyed)}, del: ${deleted.status === "fulfilled" ? deleted.value : "?"}`;
      seen.set(said, (seen.get(said) ?? 0) + 1);
      const one = said === "destroy: removed, del: ERR_NS_NOT_FOUND" || said === "destroy: nothing, del: ok";
      if (!one) wrong.push(`round ${round}: ${said}`);
      // Nothing of the node is left, whoever deleted it.
      expect(netnsList(node)).toEqual([]);
    }
    expect(wrong, JSON.stringify(Object.fromEntries(seen))).toEqual([]);
    // The race was run: each side won some rounds.
    expect([...seen.keys()].sort()).toEqual(["destroy: nothing, del: ok", "destroy: removed, del: ERR_NS_NOT_FOUND"]);
  } finally {
    child.kill("SIGKILL");
  }
}, 300_000);
