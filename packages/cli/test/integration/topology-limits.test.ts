/**
 * plan through the built bin on small files that stand for a lot: what it costs stays bounded, measured in the child
 * (its peak memory and CPU time), not by a clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, expect, it } from "vitest";
import { cleanup, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { measured } from "./run.js";

// Also the labs' name: no namespace of it may appear.
const lab = uniquePrefix("tl");
const dir = mkdtempSync(`${tmpdir()}/${lab}-`);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanup(lab);
});

it("refuses a 122 KB file whose aliases stand for 200 MB at the alias past the bound, in little memory and time", () => {
  const file = `${dir}/amp.yaml`;
  const anchor = `      - &s ["echo", "${"e".repeat(100_000)}"]\n`;
  writeFileSync(file, `name: ${lab}\nnodes:\n  a:\n    exec:\n${anchor}${"      - *s\n".repeat(2000)}`);
  for (const json of [[], ["--json"]]) {
    // Before the bound: 1.2 GB, 10 s of CPU and 200 MB written (as much with --json).
    const r = measured(...json, "plan", file);
    expect(r.status).toBe(3);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(4096);
    expect(r.stdout + r.stderr).toContain(
      "*s: more than 33554432 bytes of text once the aliases (*name) are expanded: too large for a topology",
    );
    if (json.length === 0) expect(r.stderr).toContain(`${file}:340:9: (file): *s:`);
    // ~70 MB and ~1 s here.
    expect(r.maxRSS).toBeLessThan(250 * 1024);
    expect(r.cpuTime).toBeLessThan(4_000_000);
  }
}, 120_000);
