import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { directoryRefusal } from "./token-directories.js";
import { descriptorRefusal, ownDescriptor, readTokenDescriptor, readTokenFile, readTokenStream, tokenFileRefusal } from "./token-file.js";

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

/** A FIFO of mode 600 holding `text`, its writer gone, and a path to it: read, it gives `text` and then its end. */
function filledFifo(name: string, text: string): { path: string; readEnd: number; close(): void } {
  const path = join(dir, name);
  execFileSync("mkfifo", ["-m", "600", path]);
  const readEnd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY);
  writeSync(writer, `${text}\n`);
  closeSync(writer);
  return { path, readEnd, close: () => closeSync(readEnd) };
}

describe("--token-file, checked on what it opened", () => {
  it("never reads a symlink's target, even one swapped in for the file between its checks", async () => {
    const race = mkdtempSync(join(dir, "race-"));
    const target = join(race, "target");
    writeFileSync(target, "LINKED-0123456789abcdef", { mode: 0o600 });
    const path = join(race, "token");
    writeFileSync(path, TOKEN, { mode: 0o600 });
    // Puts a symlink and the file in the token's place by turns, as fast as it can.
    const swap = `const fs = require("fs"); const [target, path, dir, token] = process.argv.slice(1);
      for (;;) { fs.symlinkSync(target, dir + "/l"); fs.renameSync(dir + "/l", path);
        fs.writeFileSync(dir + "/f", token, { mode: 0o600 }); fs.renameSync(dir + "/f", path); }`;
    const swapper = spawn(process.execPath, ["-e", swap, target, path, race, TOKEN], { stdio: "ignore" });
    const read = new Map<string, number>();
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const end = Date.now() + 2000; Date.now() < end; ) {
        let got: string;
        try {
          got = readTokenFile(path);
        } catch (err) {
          got = (err as Error).message.replace(path, "PATH");
        }
        read.set(got, (read.get(got) ?? 0) + 1);
      }
    } finally {
      // Gone before the directory is removed: it would put files back in it.
      const gone = new Promise((resolve) => swapper.once("exit", resolve));
      swapper.kill("SIGKILL");
      await gone;
    }
    // Checked on the path, then opened (or the other way round), the target was read now and then.
    expect([...read.keys()].sort()).toEqual(
      [TOKEN, "--token-file: PATH is a symlink; give the file itself (mode 600)", "--token-file: cannot open PATH: no such file"]
        .filter((seen) => read.has(seen))
        .sort(),
    );
    expect(read.get(TOKEN)).toBeGreaterThan(0);
  });

  it("refuses a FIFO by path at once, one written to too, pointing to --token-file -", () => {
    const fifo = filledFifo("fifo", TOKEN);
    try {
      expect(() => readTokenFile(fifo.path)).toThrow(
        `--token-file: ${fifo.path} is a pipe, not a regular file; give it as standard input: neslink-http --token-file - < ${fifo.path}`,
      );
    } finally {
      fifo.close();
    }
  });

  it("takes a path of one of its own descriptors (bash's <(...) gives /dev/fd/N) as that descriptor, another's as a path", () => {
    expect(ownDescriptor("/dev/fd/63")).toBe(63);
    expect(ownDescriptor("/dev/stdin")).toBe(0);
    expect(ownDescriptor("/proc/self/fd/5")).toBe(5);
    expect(ownDescriptor("/proc/thread-self/fd/7")).toBe(7);
    expect(ownDescriptor(`/proc/${process.pid}/fd/9`)).toBe(9);
    expect(ownDescriptor("/proc/1/fd/9", 2)).toBeUndefined();
    expect(ownDescriptor("/dev/fd/")).toBeUndefined();
    expect(ownDescriptor("/dev/fd/3/x")).toBeUndefined();
    expect(ownDescriptor("dev/fd/3")).toBeUndefined();
  });

  it("reads the token from a pipe's descriptor until its writer is done; refuses one others may read", async () => {
    // The stream read on the descriptor closes it when done (fifo.close() would close another's, reused).
    const fifo = filledFifo("fd-fifo", TOKEN);
    await expect(readTokenDescriptor(fifo.readEnd, `/dev/fd/${fifo.readEnd}`)).resolves.toBe(TOKEN);
    const file = join(dir, "fd-open");
    writeFileSync(file, TOKEN, { mode: 0o644 });
    chmodSync(file, 0o644);
    const opened = openSync(file, constants.O_RDONLY);
    try {
      await expect(readTokenDescriptor(opened, `/dev/fd/${opened}`)).rejects.toThrow(
        `--token-file: /dev/fd/${opened} (descriptor ${opened}) is open to group or others (mode 0644)`,
      );
      chmodSync(file, 0o600);
      await expect(readTokenDescriptor(opened, `/dev/fd/${opened}`)).resolves.toBe(TOKEN);
    } finally {
      closeSync(opened);
    }
  });

  it("names an empty path as such, not as a file it cannot open", () => {
    expect(() => readTokenFile("")).toThrow("--token-file: is empty: give the token file's path, or - for standard input");
  });

  it("leaves no descriptor open, whether it reads the file or refuses it", () => {
    const open = () => readdirSync("/proc/self/fd").length;
    const file = join(dir, "counted");
    writeFileSync(file, TOKEN, { mode: 0o600 });
    const before = open();
    for (let i = 0; i < 20; i++) {
      expect(readTokenFile(file)).toBe(TOKEN);
      chmodSync(file, 0o644);
      expect(() => readTokenFile(file)).toThrow("is open to group or others");
      expect(() => readTokenFile(dir)).toThrow("is not a regular file");
      chmodSync(file, 0o600);
    }
    expect(open()).toBe(before);
  });

  it("says a file is empty, or holds only whitespace; drops whitespace around the token", () => {
    const file = join(dir, "blank");
    writeFileSync(file, "", { mode: 0o600 });
    expect(() => readTokenFile(file)).toThrow(`--token-file: ${file} is empty: it should hold the token, one line of visible characters`);
    writeFileSync(file, " \n\t\r\n");
    expect(() => readTokenFile(file)).toThrow(`--token-file: ${file} holds only whitespace: it should hold the token`);
    writeFileSync(file, ` ${TOKEN}\r\n\n`);
    expect(readTokenFile(file)).toBe(TOKEN);
    writeFileSync(file, "x".repeat(4097));
    expect(() => readTokenFile(file)).toThrow(`--token-file: ${file} is larger than 4096 bytes`);
  });
});

describe("--token-file's directories, held to what ssh's StrictModes asks", () => {
  const place = (name: string, mode: number, uid = me) => {
    const at = join(dir, name);
    mkdirSync(at);
    chmodSync(at, mode);
    chownSync(at, uid, 0);
    writeFileSync(join(at, "token"), TOKEN, { mode: 0o600 });
    return at;
  };

  it("refuses a file in a directory others may write to, unless sticky, or owned by another user, naming it", () => {
    const open = place("open-dir", 0o777);
    expect(() => readTokenFile(join(open, "token"))).toThrow(
      `--token-file: ${open}/token: its directory ${open} is writable by group or others without the sticky bit (mode 0777),` +
        ` who may put another file in the token's place; keep the token where only ${me === 0 ? "root" : `root or uid ${me}`} can change the` +
        " directories on its way (as ssh asks of a key's)",
    );
    const group = place("group", 0o770);
    expect(() => readTokenFile(join(group, "token"))).toThrow(`its directory ${group} is writable by group or others`);
    const theirs = place("theirs", 0o700, 65534);
    expect(() => readTokenFile(join(theirs, "token"))).toThrow(
      `its directory ${theirs} is owned by uid 65534, neither root nor the server's user (uid ${me}), who may put`,
    );
    // The way it is: a file under another user's directory, however deep, is theirs to replace.
    mkdirSync(join(theirs, "sub"), { mode: 0o700 });
    writeFileSync(join(theirs, "sub", "token"), TOKEN, { mode: 0o600 });
    expect(() => readTokenFile(join(theirs, "sub", "token"))).toThrow(`its directory ${theirs} is owned by uid 65534`);
  });

  it("reads one in a sticky directory (as /tmp), or one only root or the user can change", () => {
    expect(readTokenFile(join(place("sticky", 0o1777), "token"))).toBe(TOKEN);
    expect(readTokenFile(join(place("shared", 0o755), "token"))).toBe(TOKEN);
    expect(directoryRefusal({ uid: 0, mode: 0o40755 }, me + 1)).toBeUndefined();
    expect(directoryRefusal({ uid: me + 1, mode: 0o41777 }, me)).toMatch(/^is owned by uid/);
  });

  it("checks the directories a symlink on the way leads through, and the one holding the symlink", () => {
    const open = place("open-behind", 0o777);
    const safe = place("safe-ahead", 0o700);
    const toOpen = join(dir, "to-open");
    symlinkSync(open, toOpen);
    expect(() => readTokenFile(join(toOpen, "token"))).toThrow(`${toOpen}/token: its directory ${open} is writable`);
    symlinkSync(safe, join(open, "to-safe"));
    expect(() => readTokenFile(join(open, "to-safe", "token"))).toThrow(`its directory ${open} is writable`);
    symlinkSync("../safe-ahead", join(safe, "self"));
    // '..' taken out of a directory looks no name up in it: the parent of where a symlink led, as the kernel walks.
    expect(readTokenFile(`${toOpen}/../safe-ahead/self/token`)).toBe(TOKEN);
    expect(readTokenFile(`${open}/../safe-ahead/token`)).toBe(TOKEN);
  });
});

describe("--token-file -", () => {
  it("reads the token from a stream until it ends, dropping the newline", async () => {
    const input = new PassThrough();
    input.write("0123456789");
    setTimeout(() => input.end("abcdef0123\n"), 20);
    expect(await readTokenStream(input, 1000)).toBe(TOKEN);
  });

  it("refuses a stream that does not end in time, is too large, or holds no token", async () => {
    const open = new PassThrough();
    open.write(TOKEN);
    await expect(readTokenStream(open, 50)).rejects.toThrow(
      "--token-file: cannot read standard input: its writer did not finish within 0.05 s",
    );
    expect(open.destroyed).toBe(true);
    await expect(readTokenStream(new PassThrough().end("x".repeat(5000)), 1000)).rejects.toThrow(
      "--token-file: standard input is larger than 4096 bytes",
    );
    await expect(readTokenStream(new PassThrough().end(" \n"), 1000)).rejects.toThrow("--token-file: standard input holds only whitespace");
  });

  it("takes a pipe, a socket or a private file as standard input; not one others may read, a terminal or /dev/null", () => {
    const fifo = filledFifo("stdin-fifo", TOKEN);
    const file = join(dir, "stdin-file");
    writeFileSync(file, TOKEN, { mode: 0o644 });
    chmodSync(file, 0o644);
    const devNull = openSync("/dev/null", constants.O_RDONLY);
    const opened = openSync(file, constants.O_RDONLY);
    try {
      expect(descriptorRefusal(fifo.readEnd)).toBeUndefined();
      expect(descriptorRefusal(opened)).toBe(
        "is open to group or others (mode 0644); the token gives root control of the network (and exec with --allow-exec):" +
          " chmod 600 the file or FIFO given",
      );
      expect(descriptorRefusal(devNull)).toBe(
        "is neither a pipe nor a file; pipe the token in: pass show neslink | neslink-http --token-file -",
      );
    } finally {
      fifo.close();
      closeSync(devNull);
      closeSync(opened);
    }
  });
});
