/**
 * Duplicate keys in JSON text. JSON.parse keeps the last of a key given
 * twice, while a proxy or an audit log may read the first: the server would
 * act on another request than the one they saw. So a body that gives a key
 * twice in one object, at any depth, is refused instead of guessed.
 */
import { ValidationError } from "@neslink/core";

/** An object or array open at this point of the text, and where in it the scan is (the key or index of its current value). */
type Frame = { keys: Set<string>; at: string | undefined; expectKey: boolean } | { keys: undefined; at: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The adapter's field names, as `validate` writes them: `name`, `argv[2]`, `a.b`, `body[0]` for an array body. */
function fieldOf(frames: readonly Frame[]): string {
  let field = "";
  for (const { at } of frames) {
    if (typeof at === "number") field = `${field || "body"}[${at}]`;
    else field = field ? `${field}.${at}` : (at as string);
  }
  return field;
}

/**
 * Throws a ValidationError naming the field and the key if an object in `text` gives a key twice; keys are compared
 * as decoded (`"name"` and `"n\u0061me"` are one key). `text` must be JSON that JSON.parse accepted: only strings
 * and brackets are looked at. One pass over the text and one set lookup per key: linear in the body's size, so a
 * body of a hundred thousand keys costs no more than parsing it.
 */
export function refuseDuplicateKeys(text: string): void {
  const frames: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      const top = frames.at(-1);
      if (top?.keys === undefined || !top.expectKey) continue;
      // Only a key with an escape needs decoding: the rest are their text.
      const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      top.at = key;
      top.expectKey = false;
      if (top.keys.has(key)) throw new ValidationError(fieldOf(frames), `the key ${JSON.stringify(key)} is given twice in one object`);
      top.keys.add(key);
    } else if (c === 0x7b /* { */) frames.push({ keys: new Set(), at: undefined, expectKey: true });
    else if (c === 0x5b /* [ */) frames.push({ keys: undefined, at: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) frames.pop();
    else if (c === 0x2c /* , */) {
      const top = frames.at(-1) as Frame;
      if (top.keys === undefined) top.at++;
      else top.expectKey = true;
    }
  }
}
