import { spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fdWriter } from "./fd-writer.js";

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A stream standing in for process.stdout: what it was given. */
function recorder() {
  const got: string[] = [];
  const emitter = Object.assign(new EventEmitter(), { write: (chunk: string | Uint8Array) => got.push(Buffer.from(chunk).toString()) });
  return { got, emitter, stream: () => emitter as never };
}

describe("fdWriter", () => {
  it("writes everything, across short writes", () => {
    const written: string[] = [];
    const { got, stream } = recorder();
    const write = fdWriter(1, stream, (_fd, buf, off) => {
      const n = Math.min(3, buf.length - off);
      written.push(Buffer.from(buf.subarray(off, off + n)).toString());
      return n;
    });
    write("hello world\n");
    expect(written.join("")).toBe("hello world\n");
    expect(got).toEqual([]);
  });

  it("EAGAIN: the rest, and all after, go to the stream, in order", () => {
    const { got, stream } = recorder();
    let calls = 0;
    const write = fdWriter(1, stream, (_fd, _buf, _off) => {
      calls++;
      if (calls === 1) return 4;
      throw errno("EAGAIN");
    });
    write("abcdefgh");
    write("ij");
    expect(got).toEqual(["efgh", "ij"]);
    expect(calls).toBe(2);
  });

  it("EIO from a terminal is its hang-up (left with SIGHUP, the rest dropped); from a file, an error kept for lost()", () => {
    const eio = () => {
      throw errno("EIO");
    };
    // A character device, as a terminal is: what fstat tells of the descriptor decides.
    const device = openSync("/dev/null", "w");
    const file = openSync(fileURLToPath(import.meta.url), "r");
    try {
      const signals: string[] = [];
      const write = fdWriter(device, recorder().stream, eio, (signal) => signals.push(signal));
      write("a");
      write("b");
      expect(signals).toEqual(["SIGHUP"]);
      expect(write.lost()).toBeUndefined();
      const toFile = fdWriter(file, recorder().stream, eio, (signal) => signals.push(signal));
      toFile("a");
      expect(toFile.lost()?.code).toBe("EIO");
      expect(signals).toEqual(["SIGHUP"]);
    } finally {
      closeSync(device);
      closeSync(file);
    }
  });

  it("EPIPE met by the stream after an EAGAIN: quiet (no unhandled 'error' event), the rest dropped", () => {
    const { got, emitter, stream } = recorder();
    let left = 0;
    const write = fdWriter(
      1,
      stream,
      () => {
        throw errno("EAGAIN");
      },
      () => left++,
    );
    write("a");
    expect(left).toBe(0);
    expect(() => emitter.emit("error", errno("EPIPE"))).not.toThrow();
    expect(left).toBe(1);
    write("b");
    expect(got).toEqual(["a"]);
  });

  it("bytes as they are, a character split across two writes included", () => {
    const written: Buffer[] = [];
    const write = fdWriter(1, recorder().stream, (_fd, buf, off) => {
      written.push(Buffer.from(buf.subarray(off)));
      return buf.length - off;
    });
    const euro = Buffer.from("€");
    write(euro.subarray(0, 1));
    write(euro.subarray(1));
    expect(Buffer.concat(written)).toEqual(euro);
  });

  it("drained(): at once while writes go straight to the descriptor; after an EAGAIN, once the stream has room", async () => {
    const { emitter, stream } = recorder();
    let full = false;
    const write = fdWriter(1, stream, (_fd, buf, off) => {
      if (full) throw errno("EAGAIN");
      return buf.length - off;
    });
    write("a");
    await write.drained();
    full = true;
    Object.assign(emitter, { writableNeedDrain: true });
    write("b");
    let settled = false;
    const waiting = write.drained().then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    Object.assign(emitter, { writableNeedDrain: false });
    emitter.emit("drain");
    await waiting;
    expect(settled).toBe(true);
  });

  it("unsent(): only while the stream holds text the reader has not taken", () => {
    const { emitter, stream } = recorder();
    const write = fdWriter(1, stream, () => {
      throw errno("EAGAIN");
    });
    expect(write.unsent()).toBe(false);
    write("a");
    Object.assign(emitter, { writableLength: 1 });
    expect(write.unsent()).toBe(true);
    Object.assign(emitter, { writableLength: 0 });
    expect(write.unsent()).toBe(false);
  });

  it("EPIPE: the rest is dropped, quietly; another error is kept for lost(), the rest dropped, not thrown", () => {
    const { got, stream } = recorder();
    let left = 0;
    const write = fdWriter(
      1,
      stream,
      () => {
        throw errno("EPIPE");
      },
      () => left++,
    );
    expect(left).toBe(0);
    write("a");
    write("b");
    // Told once, however much more is written to no one.
    expect(left).toBe(1);
    expect(got).toEqual([]);
    expect(write.lost()).toBeUndefined();
    let tries = 0;
    const full = fdWriter(1, stream, () => {
      tries++;
      throw errno("ENOSPC");
    });
    expect(full.lost()).toBeUndefined();
    // Thrown, it would end the command where it printed (an apply between two changes).
    expect(() => full("x")).not.toThrow();
    full("y");
    expect(full.lost()?.code).toBe("ENOSPC");
    expect(tries).toBe(1);
    expect(got).toEqual([]);
  });

  it("an error but EPIPE met by the stream after an EAGAIN: kept for lost() (no unhandled 'error' event), the rest dropped", () => {
    const { got, emitter, stream } = recorder();
    const write = fdWriter(1, stream, () => {
      throw errno("EAGAIN");
    });
    write("a");
    expect(() => emitter.emit("error", errno("ENOSPC"))).not.toThrow();
    write("b");
    expect(write.lost()?.code).toBe("ENOSPC");
    expect(write.unsent()).toBe(false);
    expect(got).toEqual(["a"]);
  });

  it("the reader's leaving is told once, whether the descriptor or the stream met it", () => {
    for (const first of ["EPIPE", "EAGAIN"]) {
      const { emitter, stream } = recorder();
      let told = 0;
      const write = fdWriter(
        1,
        stream,
        () => {
          throw errno(first);
        },
        () => told++,
      );
      write("a");
      if (first === "EAGAIN") emitter.emit("error", errno("EPIPE"));
      write("b");
      expect(told, first).toBe(1);
    }
  });

  it("pooled: everything, in order, on libuv's pool; drained() and unsent() follow it; EPIPE told once", async () => {
    const built = new URL("../dist/fd-writer.js", import.meta.url).href;
    const script = `import { fdWriter } from ${JSON.stringify(built)};
      const w = fdWriter(1, () => process.stdout, undefined, () => console.error("left"), true);
      for (let i = 0; i < 1000; i++) w(String(i).padStart(999, ".") + "\\n");
      w("");
      console.error(w.unsent(), w.onPool());
      await w.drained();
      console.error(w.unsent(), w.onPool());
      for (let i = 0; i < 1000; i++) w("x".repeat(999) + "\\n");`;
    const r = spawnSync(
      "bash",
      ["-c", `"$0" --input-type=module -e "$1" | { head -c 1000000 | md5sum; }; echo "\${PIPESTATUS[0]}"`, process.execPath, script],
      { encoding: "utf8" },
    );
    const expected = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(999, ".")}\n`).join("");
    const md5 = spawnSync("md5sum", { input: expected, encoding: "utf8" }).stdout;
    expect(r.stdout).toBe(`${md5}0\n`);
    expect(r.stderr).toBe("true true\nfalse false\nleft\n");
  });

  it("10 MB into a reader that leaves after one line (head -1): the writer stops, exit 0, nothing on stderr", () => {
    const built = new URL("../dist/fd-writer.js", import.meta.url).href;
    const script = `import { fdWriter } from ${JSON.stringify(built)}; const w = fdWriter(1, () => process.stdout); for (let i = 0; i < 10000; i++) w("x".repeat(999) + "\\n"); console.error("done");`;
    const r = spawnSync(
      "bash",
      ["-c", `"$0" --input-type=module -e "$1" | head -1 | wc -c; echo "\${PIPESTATUS[0]}"`, process.execPath, script],
      {
        encoding: "utf8",
      },
    );
    expect(r.stdout).toBe("1000\n0\n");
    expect(r.stderr).toBe("done\n");
  });

  it("the built bin's --help piped into head -1", () => {
    const bin = fileURLToPath(new URL("../dist/bin.cjs", import.meta.url));
    const r = spawnSync("bash", ["-c", `"$0" "$1" --help | head -1; echo "\${PIPESTATUS[0]}" >&2`, process.execPath, bin], {
      encoding: "utf8",
    });
    expect(r.stdout).toBe("Usage: neslink <command> [options]\n");
    expect(r.stderr).toBe("0\n");
  });
});
