import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTokenFile, tokenFileRefusal } from "./token-file.js";

const dir = mkdtempSync(join(tmpdir(), "neslink-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = "0123456789abcdef0123";
const me = process.geteuid?.() ?? 0;

describe("--token-file, held to what ssh asks of a private key", () => {
  it("reads one only its owner, the server's user, can read or write", () => {
    const file = join(dir, "mine");
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    expect(readTokenFile(file)).toBe(TOKEN);
    chmodSync(file, 0o400);
    expect(readTokenFile(file)).toBe(TOKEN);
  });

  it("refuses one group or others may read or write, naming it and saying chmod 600", () => {
    const file = join(dir, "open");
    for (const mode of [0o644, 0o640, 0o620, 0o604, 0o602]) {
      writeFileSync(file, TOKEN, { mode });
      chmodSync(file, mode);
      expect(() => readTokenFile(file)).toThrow(
        `--token-file: ${file} is open to group or others (mode ${mode.toString(8).padStart(4, "0")}); the token gives root` +
          ` control of the network (and exec with --allow-exec): chmod 600 ${file}`,
      );
    }
  });

  it("refuses a symlink, naming it: the file itself is to be given", () => {
    const file = join(dir, "target");
    writeFileSync(file, TOKEN, { mode: 0o600 });
    const link = join(dir, "link");
    symlinkSync(file, link);
    expect(() => readTokenFile(link)).toThrow(`--token-file: ${link} is a symlink; give the file itself (mode 600)`);
  });

  it("refuses one owned by another user: whoever owns it chooses the token", () => {
    expect(tokenFileRefusal("/x/token", { uid: me + 1, mode: 0o100600 }, me)).toBe(
      `is owned by uid ${me + 1}, not by the server's user (uid ${me}): chown ${me} /x/token && chmod 600 /x/token`,
    );
    expect(tokenFileRefusal("/x/token", { uid: me, mode: 0o100600 }, me)).toBeUndefined();
  });
});
