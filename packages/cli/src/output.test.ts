import { ActionError, AlreadyExistsError, NotFoundError, SystemCallError, ValidationError } from "@neslink/core/errors";
import { describe, expect, it } from "vitest";
import { toLinkJSON } from "@neslink/core/shapes";
import { linkTable } from "./commands/run/link-list.js";
import { errorText, exitCodeOf, fields, jsonLine, printable, privilegeHint, procHint, shownName, table, toJson } from "./output.js";

describe("table", () => {
  it("aligns columns, shows missing values as '-' and leaves no trailing blanks", () => {
    expect(
      table(
        [
          ["1", "lo", null],
          ["12", "veth-long", ""],
        ],
        ["IDX", "NAME", "KIND"],
      ),
    ).toBe("IDX  NAME       KIND\n1    lo         -\n12   veth-long  -\n");
  });

  it("prints a record as aligned key/value lines", () => {
    expect(fields({ name: "lo", mtu: 65536, alias: null })).toBe("name   lo\nmtu    65536\nalias  -\n");
  });
});

describe("printable", () => {
  // A link named by someone else may hold what a terminal obeys: an escape sequence, a C1 CSI, a bidi override.
  const hostile = "a\u001b[2Jb\u009bc\u007f\u202ed\u200be\rf";

  it("writes controls, zero-width and bidi characters out as escapes, and keeps newlines, tabs and other text", () => {
    expect(printable(hostile)).toBe("a\\x1b[2Jb\\x9bc\\x7f\\u{202e}d\\u{200b}e\\x0df");
    expect(printable("é 日本\tx\n")).toBe("é 日本\tx\n");
    // Idempotent: text printed once prints the same again (a shell line's output goes through main twice).
    expect(printable(printable(hostile))).toBe(printable(hostile));
  });

  it("lines up a table on the escaped text", () => {
    expect(
      table([
        ["\u001b", "x"],
        ["ab", "y"],
      ]),
    ).toBe("\\x1b  x\nab    y\n");
  });

  it("escapes in JSON what JSON.stringify leaves raw, and the JSON still reads back as the same value", () => {
    const value = { name: hostile, list: [hostile] };
    for (const text of [toJson(value), jsonLine(value)]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what must not be printed
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/u);
      expect(JSON.parse(text)).toEqual(value);
    }
    expect(jsonLine(value).split("\n")).toHaveLength(2);
    // A character outside the BMP (a tag character) is escaped as its two UTF-16 units, and reads back the same.
    const tagged = { name: "a\u{e0041}\u00ad\u2028b" };
    expect(toJson(tagged)).toBe('{\n  "name": "a\\udb40\\udc41\\u00ad\\u2028b"\n}\n');
    expect(JSON.parse(toJson(tagged))).toEqual(tagged);
  });
});

describe("procHint", () => {
  const missing = Object.assign(new Error("ENOENT: open failed: ENOENT (/proc/self/status)"), { code: "ENOENT" });
  it("follows an ENOENT on a /proc file when /proc is not mounted, and nothing else", () => {
    expect(procHint(missing, () => false)).toMatch(/^neslink: \/proc is not mounted here.*mount -t proc proc \/proc\)\.\n$/);
    expect(procHint(missing, () => true)).toBe("");
    expect(procHint(Object.assign(new Error("ENOENT: /run/netns/x"), { code: "ENOENT" }), () => false)).toBe("");
  });
});

describe("privilegeHint", () => {
  it("follows a refusal for want of privilege with sudo, only for a process that is not root", () => {
    const eperm = new SystemCallError("setns", 1, "needs CAP_SYS_ADMIN");
    const eacces = new SystemCallError("mkdir", 13, "/run/neslink/topologies");
    expect(privilegeHint(eperm, true)).toMatch(/^neslink: .*need root .*sudo\.\n$/);
    expect(privilegeHint(new ActionError(0, "newNamed", true, eacces), true)).toMatch(/sudo/);
    expect(privilegeHint(eperm, false)).toBe("");
    expect(privilegeHint(eperm, undefined)).toBe("");
    expect(privilegeHint(new NotFoundError("namespace", "no namespace at /run/netns/x"), true)).toBe("");
  });
});

describe("linkTable", () => {
  it("shows one row per link", () => {
    const lo = {
      index: 1,
      name: "lo",
      flags: 0x49,
      up: true,
      mtu: 65536,
      mac: "00:00:00:00:00:00",
      operstate: "unknown" as const,
      kind: null,
      masterIndex: null,
      alias: null,
      group: 0,
      linkNetnsid: null,
      parentIndex: null,
    };
    expect(linkTable([toLinkJSON(lo)]).split("\n")).toEqual([
      "INDEX  NAME  KIND  ADMIN  OPER     MTU    MAC",
      "1      lo    -     UP     UNKNOWN  65536  00:00:00:00:00:00",
      "",
    ]);
  });
});

describe("errors", () => {
  it("prints { error } as JSON with --json, else one line naming the code", () => {
    const err = new ValidationError("name", "must be a non-empty string");
    expect(JSON.parse(errorText(err, true))).toEqual({
      error: { name: "ValidationError", code: "ERR_INVALID_ARGUMENT", message: "name: must be a non-empty string", field: "name" },
    });
    expect(errorText(err, false)).toBe("neslink: ERR_INVALID_ARGUMENT: name: must be a non-empty string\n");
    expect(errorText(new Error("boom"), false)).toBe("neslink: ERR_UNKNOWN: boom\n");
  });

  it("leads with what went wrong, then where", () => {
    const err = new ActionError(0, "newNamed", true, new AlreadyExistsError("namespace", 'namespace "lab" already exists'));
    expect(errorText(err, false)).toBe('neslink: ERR_NS_EXISTS: namespace "lab" already exists (action #0: newNamed)\n');
    expect(JSON.parse(errorText(err, true)).error).toMatchObject({
      code: "ERR_NS_EXISTS",
      actionIndex: 0,
      cause: { code: "ERR_NS_EXISTS" },
    });
    expect(exitCodeOf(new ActionError(1, "set", true, new ValidationError("changes.up", "must be true or false")))).toBe(2);
  });

  it("exits 2 for usage errors and 1 for everything else", () => {
    expect(exitCodeOf(new ValidationError("x", "bad"))).toBe(2);
    expect(exitCodeOf(new NotFoundError("namespace", "gone"))).toBe(1);
    expect(exitCodeOf(new Error("boom"))).toBe(1);
  });

  it("ends JSON with a newline", () => {
    expect(toJson([1])).toBe("[\n  1\n]\n");
  });
});

describe("plain text", () => {
  it("is returned as it is, and text one hidden character away from plain is still escaped", () => {
    const plain = Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)).join("");
    expect(shownName(plain)).toBe(plain);
    expect(printable(`${plain}\n\t`)).toBe(`${plain}\n\t`);
    expect(jsonLine({ plain })).toBe(`${JSON.stringify({ plain })}\n`);
    // Each of C0, DEL, a C1 control and a format character, alone in otherwise plain text.
    for (const c of ["\u0000", "\u001f", "\u007f", "\u0085", "\u200b"]) {
      expect(shownName(`a${c}b`)).not.toBe(`a${c}b`);
      expect(printable(`a${c}b`)).not.toBe(`a${c}b`);
      expect(jsonLine(`a${c}b`)).not.toContain(c);
    }
  });
});

describe("shownName", () => {
  it("escapes a name's newlines and tabs as well, so that it stays one line and one column", () => {
    expect(shownName("a\nb\tc\u001b")).toBe("a\\x0ab\\x09c\\x1b");
    // The Arabic letter mark: a bidi control, like U+202E.
    expect(shownName("a\u061cb")).toBe("a\\u{061c}b");
    // The soft hyphen prints as nothing, the line separator breaks the line in some terminals.
    expect(shownName("a\u00adb\u2028c")).toBe("a\\xadb\\u{2028}c");
    expect(table([["a\nb", "x"]])).toBe("a\\x0ab  x\n");
    expect(printable(shownName("a\nb"))).toBe("a\\x0ab");
  });
});
