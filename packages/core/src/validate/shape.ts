/**
 * The shape of plain data that crosses into workers: objects with known
 * fields only, told apart by `kind`. Field paths name where a value sits
 * ("actions[2].link.spec.veth.peer.ns.name"), so an error points at it.
 */
import { NeslinkError, shown, ValidationError } from "../errors.js";

/** Checks `value` and returns it as its validated type; errors name `field`. */
export type Parser<T> = (field: string, value: unknown) => T;

/** The path of a member: `at("actions[0]", "link")` is "actions[0].link"; at the top it is the key alone. */
export const at = (field: string, key: string): string => (field === "" ? key : `${field}.${key}`);

/** The path of an array element. */
export const item = (field: string, index: number): string => `${field}[${index}]`;

/** What a field is called in an error when it is the whole input. */
const subject = (field: string) => field || "value";

/** Empty and frozen: for-in over it meets only what Array.prototype and Object.prototype give every object. */
const NOTHING_OWN: readonly unknown[] = Object.freeze([]);

/**
 * Refuses every input while all objects inherit an enumerable field: prototype
 * pollution (`Object.prototype.env = ...`, by a merge of untrusted data
 * elsewhere in the process). An absent field of any input would read as it: a
 * veth's peer made in another namespace, a program started with its
 * environment. One for-in over nothing, ~10 ns: cheap enough for every object
 * read. (A field defined non-enumerable is not seen, nor made by such merges.)
 */
export function refuseInheritedFields(): void {
  for (const key in NOTHING_OWN) {
    const owner = Object.hasOwn(Array.prototype, key) ? "Array.prototype" : "Object.prototype";
    throw new ValidationError(
      `${owner}.${key}`,
      "is inherited by every object (prototype pollution: code in this process set it); neslink would read it as a field of its input wherever that field is absent, so it refuses all input until it is deleted",
    );
  }
}

/**
 * A plain object whose own keys are all in `keys`: anything else is junk a
 * hand-built object carried in, refused rather than ignored.
 */
export function record(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(
      subject(field),
      `must be an object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
    );
  }
  refuseInheritedFields();
  // for-in with hasOwn, not Object.keys: no array made per object on this path, which every task takes.
  for (const key in value) {
    if (Object.hasOwn(value, key) && !keys.includes(key)) {
      throw new ValidationError(at(field, key), `is not a field here (expected ${keys.join(", ")})`);
    }
  }
  return value as Record<string, unknown>;
}

/** An array, each element parsed with `parse`. */
export function list<T>(field: string, value: unknown, parse: Parser<T>): T[] {
  if (!Array.isArray(value)) throw new ValidationError(subject(field), "must be an array");
  // Every index, holes too (map and forEach would skip them and leave them in the result).
  const parsed = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) parsed[i] = parse(item(field, i), value[i]);
  return parsed;
}

/** A parser per optional field of T. */
export type FieldParsers<T> = { readonly [K in keyof T]?: Parser<Exclude<T[K], undefined>> };

/**
 * Sets on `into` each field of `r` (checked by `record`) that `parsers` has a
 * parser for, parsed; an undefined field counts as absent. Returns `into`.
 * It walks the fields present, usually few, and the tables are built once,
 * so a check makes one object and no closures.
 */
export function fields<T extends object>(field: string, r: Record<string, unknown>, parsers: FieldParsers<T>, into: T): T {
  for (const key in r) {
    const value = r[key];
    if (value === undefined || !Object.hasOwn(parsers, key)) continue;
    (into as Record<string, unknown>)[key] = (parsers[key as keyof T] as Parser<unknown>)(at(field, key), value);
  }
  return into;
}

/** What a getter or a Proxy trap of a value threw, as a ValidationError naming the value; neslink's own errors as they are. */
export function readError(field: string, err: unknown): unknown {
  if (NeslinkError.isInstance(err)) return err;
  return new ValidationError(subject(field), `could not be read: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * An options object of the public API as `record` checks it, read once into
 * a copy of its fields: a getter or Proxy trap that throws is a
 * ValidationError naming `field` (readError), and one that would answer
 * differently a second time is not asked again. Not for the worker's checks,
 * which get plain data.
 */
export function readFields(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  try {
    const r = record(field, value, keys);
    const copy: Record<string, unknown> = {};
    for (const key of keys) {
      const v = r[key];
      if (v !== undefined) copy[key] = v;
    }
    return copy;
  } catch (err) {
    throw readError(field, err);
  }
}

/** What `read` returns; what a getter or Proxy trap of the caller's value threw in it, as a ValidationError naming `field`. */
export function readingAs<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw readError(field, err);
  }
}

/** A parser per `kind`: the one place each kind's rules live, used by its constructor and by the worker. */
export function byKind<T>(what: string, table: Readonly<Record<string, Parser<T>>>): Parser<T> {
  const parseKind: Parser<T> = (field, value) => {
    const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : undefined;
    const parse = typeof kind === "string" && Object.hasOwn(table, kind) ? table[kind] : undefined;
    if (parse) return parse(field, value);
    if (typeof value !== "object" || value === null || Array.isArray(value)) record(field, value, []);
    throw new ValidationError(at(field, "kind"), `${shown(kind)} is not a ${what} kind (${Object.keys(table).join(", ")})`);
  };
  return (field, value) => {
    try {
      return parseKind(field, value);
    } catch (err) {
      throw readError(field, err);
    }
  };
}

/** A kind with no fields: `{ kind }` and nothing else. */
export function bare<const K extends string>(kind: K): Parser<{ kind: K }> {
  return (field, value) => {
    record(field, value, ["kind"]);
    return { kind };
  };
}
