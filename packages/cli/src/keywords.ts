/**
 * iproute2's grammar after the command words: keywords, most followed by a
 * value (`mtu 1400 master br0 up`). Each command declares its keywords; an
 * unknown, repeated or valueless one is a usage error naming it.
 */
import { ValidationError } from "@neslink/core/errors";

/** A keyword's shape: "value" takes the next word; "flag" stands alone (`up`). */
export type KeywordSpec = Readonly<Record<string, "value" | "flag">>;

export type Keywords = Partial<Record<string, string | true>>;

export function keywords(words: readonly string[], spec: KeywordSpec, where: string): Keywords {
  const found: Keywords = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const shape = spec[word];
    if (shape === undefined) {
      const known = Object.keys(spec);
      const hint = known.length === 0 ? "it takes none" : `expected one of: ${known.join(", ")}`;
      throw new ValidationError(word, `is not a keyword of "neslink ${where}" (${hint})`);
    }
    if (found[word] !== undefined) throw new ValidationError(word, "is given twice");
    if (shape === "flag") {
      found[word] = true;
      continue;
    }
    const value = words[++i];
    if (value === undefined) throw new ValidationError(word, "needs a value");
    found[word] = value;
  }
  return found;
}

/**
 * A whole number as iproute2 reads one (strtoul's base 0): decimal, hexadecimal after 0x (`table 0x64`, `group 0xff`),
 * octal after a 0 (`table 010` is table 8 to ip: read as 10, the same words would act on another table).
 */
export const WHOLE_NUMBER = /^(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i;

/** A WHOLE_NUMBER's value: Number() reads decimal and 0x, not a leading 0's octal. */
const numberOf = (text: string) => (/^0[0-7]/.test(text) ? Number.parseInt(text, 8) : Number(text));

/** A keyword's value as a whole number, or undefined when absent (its range is core's to check). */
export function integerOf(found: Keywords, word: string): number | undefined {
  const value = found[word];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !WHOLE_NUMBER.test(value))
    throw new ValidationError(word, `must be a whole number, not "${String(value)}"`);
  const n = numberOf(value);
  // Past 2^53 a double rounds: core's range error would name the rounded number, not the one typed.
  if (!Number.isSafeInteger(n)) throw new ValidationError(word, `${value} is out of range`);
  return n;
}

/** A keyword's value as a string, or undefined when absent. */
export function stringOf(found: Keywords, word: string): string | undefined {
  const value = found[word];
  return typeof value === "string" ? value : undefined;
}

/** The object without its undefined properties: core's validation refuses a key given as undefined. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
