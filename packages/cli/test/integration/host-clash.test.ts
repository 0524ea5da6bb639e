/**
 * A lab's vxlan of the id and port of a vxlan made by hand in the host: `neslink plan` and `apply` refuse the file
 * at FILE:LINE:COLUMN of the vxlan's id, naming the host's vxlan, with exit 3 (a refused file) and nothing made,
 * where apply made the lab's namespaces and veth and failed part-way on the kernel's EEXIST.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, ip, netnsList, uniquePrefix } from "../../../core/test/integration/kernel.js";
import { neslink } from "./run.js";

const prefix = uniquePrefix("t26t");
const lab = `${prefix}l`;
const vxlan = `${prefix}vx`;
const dir = mkdtempSync(`${tmpdir()}/${prefix}-`);
const file = `${dir}/lab.yaml`;

beforeAll(() => {
  ip("link", "add", vxlan, "type", "vxlan", "id", "4244", "dstport", "4789");
  const lines = ["nodes:", "  a:", "    interfaces:", "      vx0: { kind: vxlan, id: 4244, port: 4789, remote: 192.0.2.1 }", "  b: {}"];
  writeFileSync(file, [`name: ${lab}`, ...lines, "links:", "  - endpoints: [a:eth0, b:eth0]", ""].join("\n"));
});
afterAll(() => {
  cleanup(prefix);
  rmSync(dir, { recursive: true, force: true });
});

it.each([["plan"], ["apply", "--yes"]])("%s refuses the file at the vxlan's id, exit 3, nothing made", (...args) => {
  const r = neslink(...args, file);
  expect(r.status).toBe(3);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe(
    [
      `neslink: ERR_TOPOLOGY_INVALID: 1 problem in ${file}:`,
      `  ${file}:5:31: nodes.a.interfaces.vx0.id: host link "${vxlan}" is a vxlan of the same id 4244 and port 4789: the kernel keeps one vxlan of an id, port and address family in the namespace that makes a lab's vxlans (the host's), and refuses this one (EEXIST); give another id or port, or delete "${vxlan}"`,
      "",
    ].join("\n"),
  );
  expect(netnsList(lab)).toEqual([]);
});
