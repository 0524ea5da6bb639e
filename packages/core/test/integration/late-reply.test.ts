/**
 * A task aborted (or timed out) as its reply is on its way: the handles that
 * reply hands over (the namespace ns.create() made, na.handle()'s) are no
 * longer the worker's, and nobody will get them. Left open, each kept a
 * namespace alive for the process's life.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const core = new URL("../../dist/index.js", import.meta.url).href;
const FIXTURE = fileURLToPath(new URL("../fixtures/late-reply.mjs", import.meta.url));

it("closes the handles of a reply that came after its task was aborted: no namespace is kept alive", () => {
  const r = spawnSync(process.execPath, [FIXTURE, core, "5"], { encoding: "utf8", timeout: 60_000 });
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: "" });
  const out = JSON.parse(r.stdout) as { aborted: number; before: number; after: number };
  // Each round's reply was on its way: the abort found the task run (the worker was ended, the reply already sent).
  expect(out.aborted).toBe(5);
  expect(out.after).toBe(out.before);
});
