import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { readOwnLabFile } from "./lab-file.js";
import { formatNsRecord, parseNsRecord } from "./ns-record.js";

const BOOT = "1cc6f454-b03e-40eb-9850-eae5e8cee39a";
const record = {
  namespaces: new Map([
    ["lab-a", { node: "a", id: "4096", hostBound: false }],
    ["lab-b", { node: "b", id: "18446744073709551615", hostBound: true }],
  ]),
  entries: ["lab-a", "lab-b", "other-c"],
};

describe("the record of a lab's namespaces", () => {
  it("is read back as written", () => {
    expect(parseNsRecord(formatNsRecord(record, BOOT), BOOT)).toEqual(record);
  });

  it("one of another boot is taken as missing: its ids mean nothing now", () => {
    expect(parseNsRecord(formatNsRecord(record, BOOT), "00000000-0000-0000-0000-000000000000")).toBeUndefined();
  });

  it("one that is not of the shape it writes is taken as missing", () => {
    const of = (namespaces: unknown, extra: object = {}) => JSON.stringify({ version: 1, boot: BOOT, namespaces, ...extra });
    for (const text of [
      "",
      "{",
      "null",
      "[]",
      of({}, { version: 2 }),
      of([]),
      of(null),
      of({ x: null }),
      of({ x: { node: "a", id: 4096, hostBound: false } }),
      of({ x: { node: "a", id: "0", hostBound: false } }),
      of({ x: { node: "a", id: "-1", hostBound: false } }),
      of({ x: { node: "a", id: "18446744073709551616", hostBound: false } }),
      of({ x: { node: "a", id: "1e3", hostBound: false } }),
      of({ x: { node: "a", id: "4096" } }),
      of({ x: { id: "4096", hostBound: false } }),
      of({}, { entries: "lab-a" }),
      of({}, { entries: [1] }),
      of({}, { entries: [null] }),
    ]) {
      expect(parseNsRecord(text, BOOT), text).toBeUndefined();
    }
    // One written before records listed entries: none.
    expect(parseNsRecord(of({}), BOOT)).toEqual({ namespaces: new Map(), entries: [] });
  });
});

describe.runIf(process.geteuid?.() === 0)("a lab file is read only if no one else could have written it", () => {
  const dir = mkdtempSync(`${tmpdir()}/neslink-lab-file-`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => {
    const lab = `${dir}/lab${n++}`;
    mkdirSync(lab, { mode: 0o700 });
    const path = `${lab}/file`;
    writeFileSync(path, "text", { mode: 0o600 });
    return { lab, path };
  };

  it("this user's, writable by no one else: read", () => {
    expect(readOwnLabFile(fresh().path, 100)).toBe("text");
  });

  it("writable by others, another user's, in a directory others may write to, a symlink, too large: not read", () => {
    const writable = fresh();
    chmodSync(writable.path, 0o622);
    const others = fresh();
    chownSync(others.path, 65534, 65534);
    const openDir = fresh();
    chmodSync(openDir.lab, 0o777);
    const link = fresh();
    symlinkSync(link.path, `${link.lab}/link`);
    for (const path of [writable.path, others.path, openDir.path, `${link.lab}/link`, `${dir}/missing/file`])
      expect(readOwnLabFile(path, 100), path).toBeUndefined();
    expect(readOwnLabFile(fresh().path, 3)).toBeUndefined();
  });
});
