/**
 * A node's `exec` entry that fails is told with its place in the file
 * (FILE:LINE:COLUMN), as every other refused change is: the entry itself, also
 * where the file gives the same command twice and the second fails. The node
 * is left not ready (its loopback's mark, read with iproute2).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { closeDefaultPool, topology } from "@neslink/core";
import { afterAll, afterEach, beforeEach, expect, it } from "vitest";
import { cleanup, ipJson, uniquePrefix } from "./kernel.js";

let prefix: string;
let dir: string;

beforeEach(() => {
  prefix = uniquePrefix("zl3");
  dir = mkdtempSync(`${tmpdir()}/${prefix}-`);
});

afterEach(async () => {
  try {
    await topology.destroy(prefix);
  } finally {
    cleanup(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(() => closeDefaultPool());

const alias = (netns: string) => ipJson<{ ifalias?: string }[]>("-n", netns, "link", "show", "lo")[0]?.ifalias;

/** The apply's error message, for a lab whose node `a` runs `exec` (YAML lines, each a list entry). */
async function failureOf(exec: string[]): Promise<{ file: string; message: string }> {
  const file = `${dir}/lab.yaml`;
  writeFileSync(file, [`name: ${prefix}`, "nodes:", "  a:", "    exec:", ...exec.map((e) => `      - ${e}`), ""].join("\n"));
  const err = await topology.apply(topology.load(file)).then(
    () => new Error("the apply succeeded"),
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(topology.TopologyApplyError);
  expect(alias(`${prefix}-a`)).toBe(`neslink:${prefix}:a`);
  return { file, message: err.message };
}

it("names the failed entry's line", async () => {
  const { file, message } = await failureOf(["echo one", '{ command: "echo boom >&2; exit 3", timeout: 10 }']);
  expect(message.split("\n")).toContain(
    `  + exec in a: /bin/sh -c 'echo boom >&2; exit 3' (${file}:6:9): running /bin/sh -c 'echo boom >&2; exit 3': exited with status 3: "boom"`,
  );
});

it("names the second of two equal entries when it is the one that fails", async () => {
  // Succeeds the first time it runs in this test, fails after.
  const once = `if [ -e ${dir}/ran ]; then echo again >&2; exit 4; fi; touch ${dir}/ran`;
  const { file, message } = await failureOf(["echo one", `"${once}"`, `"${once}"`]);
  expect(message.split("\n")).toContain(
    `  + exec in a: /bin/sh -c '${once}' (${file}:7:9): running /bin/sh -c '${once}': exited with status 4: "again"`,
  );
});
