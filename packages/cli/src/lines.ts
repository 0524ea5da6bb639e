import { StringDecoder } from "node:string_decoder";
import { ValidationError } from "@neslink/core/errors";

/**
 * A line of `neslink shell` may be this long: far more than any command (Linux takes 128 KiB for one argument of a
 * program), far less than what would exhaust memory. readline has no bound: `shell -f /dev/zero`, or a stream with no
 * newline, grew one string until V8 refused it, and the process died with a stack trace.
 */
export const MAX_LINE_BYTES = 1 << 20;

const tooLong = (lineNo: number, maxBytes: number) =>
  new ValidationError(`line ${lineNo}`, `is longer than ${maxBytes} bytes: not a command (is the input a text file?)`);

/**
 * The lines of `input` as readline splits them (`\n`, `\r\n`, or a lone `\r`, UTF-8), each at most `maxBytes` bytes;
 * a longer one is a ValidationError naming its line, raised as soon as the limit is passed (the rest is not read).
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let line = "";
  let lineBytes = 0;
  let lineNo = 1;
  // A `\r` that ended a chunk: a `\n` starting the next one belongs to that same line break.
  let afterCr = false;
  for await (const chunk of input) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 && afterCr && i === 0) {
        start = 1;
        afterCr = false;
        continue;
      }
      if (c !== 10 && c !== 13) continue;
      const piece = text.slice(start, i);
      if (lineBytes + Buffer.byteLength(piece) > maxBytes) throw tooLong(lineNo, maxBytes);
      yield line + piece;
      line = "";
      lineBytes = 0;
      lineNo++;
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      afterCr = c === 13 && i === text.length - 1;
      start = i + 1;
    }
    if (start < text.length) afterCr = false;
    const rest = text.slice(start);
    lineBytes += Buffer.byteLength(rest);
    if (lineBytes > maxBytes) throw tooLong(lineNo, maxBytes);
    line += rest;
  }
  line += decoder.end();
  if (line !== "") yield line;
}
