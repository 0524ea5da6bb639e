/**
 * What a file written for another reader meant, said with the mistake: YAML
 * 1.1's boolean words (yes, no, on, off, y, n), which YAML 1.2 and so this
 * loader read as text (a file written for PyYAML or Ansible means a boolean
 * by them); comments written as in JSONC, which YAML reads as part of a key;
 * a list written as a map or a single value, or a key left empty, which the
 * schema's bare "must be array" / "must be object" leaves to be guessed.
 */
import { SHOWN_CHARS, shown } from "../errors.js";
import type { ShapeError } from "./shape.js";

const WORDS = /^(y|yes|n|no|on|off|true|false)$/i;
const TRUE = /^(y|yes|on|true)$/i;

/** The word as a boolean, or undefined when `value` is not one of YAML 1.1's boolean words. */
export function yaml11Boolean(value: unknown): boolean | undefined {
  return typeof value === "string" && WORDS.test(value) ? TRUE.test(value) : undefined;
}

/** What to write instead of a YAML 1.1 boolean word, where `spelling` turns a boolean into the field's own spelling. */
export function yaml11Hint(word: string, spelling: (b: boolean) => string): string {
  return `"${word}" is text in YAML 1.2 (YAML 1.1 read it as a boolean): write ${spelling(yaml11Boolean(word) as boolean)}`;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const step of path) v = typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[step] : undefined;
  return v;
}

/** A shape error's message, with what was probably meant when the value at fault says so. */
export function withHint(root: unknown, { path, message }: ShapeError): string {
  const key = path[path.length - 1];
  if (typeof key === "string" && /^(\/\/|\/\*)/.test(key))
    return `${message}: JSON has no comments, and YAML reads this one as part of the key (YAML's comments start with #)`;
  // docker-compose files merge with `<<: *defaults`, a YAML 1.1 feature: YAML 1.2 reads it as a key like any other.
  if (key === "<<")
    return `${message}: "<<" merges only in YAML 1.1; this file is YAML 1.2, where it is a key like any other (write the fields out, or give the whole value as an alias: h2: *base)`;
  const value = valueAt(root, path);
  if (message === "must be boolean" && yaml11Boolean(value) !== undefined) return `${message}: ${yaml11Hint(value as string, String)}`;
  if (path.length === 4 && path[0] === "nodes" && path[2] === "sysctls" && typeof key === "string") {
    const hint = sysctlHint(key, value);
    if (hint !== undefined) return `${message}: ${hint}`;
  }
  const container = containerHint(message, typeof key === "string" ? key : undefined, value);
  return container === undefined ? message : `${message}: ${container}`;
}

/** How a key's own line is said: `eth0: []`, and of it empty, `"eth0:" with nothing after it`; a long key as any value is shown. */
function keyWords(key: string | undefined) {
  // A long key (a map's own: an interface's, a sysctl's) is shown as any value is: its start and its size.
  const long = key !== undefined && key.length > SHOWN_CHARS;
  const name = long ? shown(key) : key;
  return {
    written: (v: string) => (name === undefined ? v : `${name}: ${v}`),
    empty: name === undefined ? "it is empty (null)" : `it is empty (${long ? `${name}:` : `"${name}:"`} with nothing after it is null)`,
  };
}

/** How YAML writes what the schema wanted, by what was written instead: `key:` alone is null, `key: a` a single value. */
function containerHint(message: string, key: string | undefined, value: unknown): string | undefined {
  const { written, empty } = keyWords(key);
  if (message === "must be array") {
    if (value === null) return `${empty}; an empty list is ${written("[]")}`;
    if (typeof value === "object") return 'it is a map (key: value); a list has one "- item" line per item, or is written [a, b]';
    return `a list of one is written ${written(`[${shown(value)}]`)}`;
  }
  if (message === "must be object") {
    if (value === null) return `${empty}; one with nothing to set is ${written("{}")}`;
    if (Array.isArray(value)) return 'it is a list (- item); a map has one "key: value" line per entry, or is written { key: value }';
  }
  return undefined;
}

/** What a sysctl's value (nodes.NODE.sysctls.NAME) was written as instead of one value: a list, a map, nothing. */
function sysctlHint(key: string, value: unknown): string | undefined {
  const { written, empty } = keyWords(key);
  if (value === null) return empty;
  if (!Array.isArray(value)) return typeof value === "object" ? "it is a map (key: value)" : undefined;
  const [only] = value;
  return value.length === 1 && (typeof only !== "object" || only === null)
    ? `it is a list; a list's one value is written ${written(shown(only))}`
    : "it is a list (- item, or [a, b])";
}
