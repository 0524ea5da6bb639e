/**
 * The shape of plain data that crosses into workers: objects with known
 * fields only, told apart by `kind`. Field paths name where a value sits
 * ("actions[2].link.spec.veth.peer.ns.name"), so an error points at it.
 */
import { ValidationError } from "../errors.js";

/** Checks `value` and returns it as its validated type; errors name `field`. */
export type Parser<T> = (field: string, value: unknown) => T;

/** The path of a member: `at("actions[0]", "link")` is "actions[0].link"; at the top it is the key alone. */
export const at = (field: string, key: string): string => (field === "" ? key : `${field}.${key}`);

/** The path of an array element. */
export const item = (field: string, index: number): string => `${field}[${index}]`;

/** What a field is called in an error when it is the whole input. */
const subject = (field: string) => field || "value";

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
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new ValidationError(at(field, key), `is not a field here (expected ${keys.join(", ")})`);
  }
  return value as Record<string, unknown>;
}

/** An array, each element parsed with `parse`. */
export function list<T>(field: string, value: unknown, parse: Parser<T>): T[] {
  if (!Array.isArray(value)) throw new ValidationError(subject(field), "must be an array");
  // Array.from visits holes too, which map would skip and leave in the result.
  return Array.from(value, (element, i) => parse(item(field, i), element));
}

/** `parse` on `r[key]` when it is present: the result, or nothing. */
export function optional<K extends string, T>(
  field: string,
  r: Record<string, unknown>,
  key: K,
  parse: Parser<T>,
): { [P in K]?: T } | undefined {
  return r[key] === undefined ? undefined : ({ [key]: parse(at(field, key), r[key]) } as { [P in K]?: T });
}

/** A parser per `kind`: the one place each kind's rules live, used by its constructor and by the worker. */
export function byKind<T>(what: string, table: Readonly<Record<string, Parser<T>>>): Parser<T> {
  return (field, value) => {
    const kind = typeof value === "object" && value !== null ? (value as { kind?: unknown }).kind : undefined;
    const parse = typeof kind === "string" && Object.hasOwn(table, kind) ? table[kind] : undefined;
    if (parse) return parse(field, value);
    if (typeof value !== "object" || value === null || Array.isArray(value)) record(field, value, []);
    throw new ValidationError(at(field, "kind"), `${JSON.stringify(kind)} is not a ${what} kind (${Object.keys(table).join(", ")})`);
  };
}

/** A kind with no fields: `{ kind }` and nothing else. */
export function bare<const K extends string>(kind: K): Parser<{ kind: K }> {
  return (field, value) => {
    record(field, value, ["kind"]);
    return { kind };
  };
}
