import { describe, expect, it } from "vitest";
import { boundedLines } from "./lines.js";

async function linesOf(chunks: (string | Buffer)[], maxBytes?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of boundedLines(
    (async function* () {
      yield* chunks;
    })(),
    maxBytes,
  ))
    out.push(line);
  return out;
}

describe("boundedLines", () => {
  it("splits as readline does: \\n, \\r\\n (across chunks too) and a lone \\r; a last line without a break", async () => {
    expect(await linesOf(["a\nb\r\nc\rd"])).toEqual(["a", "b", "c", "d"]);
    expect(await linesOf(["a\r", "\nb\n"])).toEqual(["a", "b"]);
    expect(await linesOf(["a\r", "\r", "b\n", "\n"])).toEqual(["a", "", "b", ""]);
    expect(await linesOf(["ab", "c\n"])).toEqual(["abc"]);
  });

  it("decodes UTF-8 split between chunks", async () => {
    const bytes = Buffer.from("é\n");
    expect(await linesOf([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(["é"]);
  });

  it("refuses a line past maxBytes, naming it, whether it ends in its chunk or goes on", async () => {
    await expect(linesOf(["ok\n", "12345\n"], 4)).rejects.toThrow("line 2: is longer than 4 bytes");
    await expect(linesOf(["ok\n123", "45"], 4)).rejects.toThrow("line 2: is longer than 4 bytes");
    expect(await linesOf(["1234\n"], 4)).toEqual(["1234"]);
  });
});
