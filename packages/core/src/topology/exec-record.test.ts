import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { readRecord, writeRecord } from "./exec-record.js";

const dir = mkdtempSync(`${tmpdir()}/neslink-exec-record-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A lab's directory of its own, and where its record goes. */
const fresh = () => {
  const lab = `${dir}/lab${n++}`;
  mkdirSync(lab);
  return { lab, path: `${lab}/.exec-record.json` };
};

const record = new Map([
  ["a", [["/bin/sh", "-c", "echo a"]]],
  ["constructor", []],
]);

describe("the record of which exec commands ran", () => {
  it("is read back as written; a missing one is undefined", () => {
    const { path } = fresh();
    expect(readRecord(path)).toBeUndefined();
    writeRecord(path, record);
    expect(readRecord(path)).toEqual(record);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
  });

  it("one that is not of the shape it writes is taken as missing", () => {
    for (const text of [
      "",
      "{",
      "null",
      "[]",
      '{"version":2,"nodes":{}}',
      '{"version":1,"nodes":{"a":[[]]}}',
      '{"version":1,"nodes":{"a":[[1]]}}',
    ]) {
      const { path } = fresh();
      writeFileSync(path, text);
      expect(readRecord(path), text).toBeUndefined();
    }
  });

  it("a symlink in its place is neither followed when read nor written through: it is replaced", () => {
    const { lab, path } = fresh();
    const target = `${lab}/target`;
    writeFileSync(target, JSON.stringify({ version: 1, nodes: {} }));
    symlinkSync(target, path);
    expect(readRecord(path)).toBeUndefined();
    writeRecord(path, record);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe('{"version":1,"nodes":{}}');
    expect(readRecord(path)).toEqual(record);
  });

  it("a FIFO in its place is not waited on: read as missing, and replaced", () => {
    const { path } = fresh();
    execFileSync("mkfifo", [path]);
    expect(readRecord(path)).toBeUndefined();
    writeRecord(path, record);
    expect(lstatSync(path).isFile()).toBe(true);
  });

  it("a lab directory that is a symlink is not written through, and nothing is left of the attempt", () => {
    const { lab } = fresh();
    const elsewhere = `${lab}-elsewhere`;
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, `${lab}/link`);
    expect(() => writeRecord(`${lab}/link/.exec-record.json`, record)).toThrow(
      expect.objectContaining({
        code: "ENOTDIR",
        message: expect.stringContaining("cannot write the record of the exec commands that ran"),
      }),
    );
    expect(existsSync(`${elsewhere}/.exec-record.json`)).toBe(false);
    expect(execFileSync("ls", ["-A", elsewhere], { encoding: "utf8" })).toBe("");
  });
});
