/**
 * Checking a value against a JSON Schema (2020-12), with each problem said
 * once, at the value at fault, in words a user reads. The validator is
 * @cfworker/json-schema, a small standards validator that reports every
 * error with its location; it is loaded on first use only.
 */
import type { OutputUnit, Validator } from "@cfworker/json-schema";

/** A JSON pointer (`/links/3/endpoints`) as a path; array indexes become numbers. */
function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => {
      const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      return /^(0|[1-9]\d*)$/.test(part) ? Number(part) : part;
    });
}

/** One thing wrong with a value's shape, at `path`. */
export interface ShapeError {
  path: (string | number)[];
  message: string;
}

/** The schema node at a `#/a/b` keyword location. */
function schemaAt(root: Record<string, unknown>, location: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const part of pointerToPath(decodeURI(location.replace(/^#/, ""))))
    node = (node as Record<string | number, unknown> | undefined)?.[part];
  return node as Record<string, unknown> | undefined;
}

/** Lower-cases a description's first letter, so it reads after "must be". */
function asPhrase(description: unknown): string {
  if (typeof description !== "string") return "one of the allowed forms";
  return (description.charAt(0).toLowerCase() + description.slice(1)).replace(/\.$/, "");
}

const locationOf = (e: OutputUnit) => pointerToPath(e.instanceLocation.replace(/^#/, "").split("/").map(decodeURIComponent).join("/"));
const parentOf = (location: string) => location.slice(0, location.lastIndexOf("/"));
/** Errors that only say a child failed; the child's own error says what and where. */
const SUMMARIES = new Set(["properties", "patternProperties", "items", "prefixItems", "false", "$ref", "allOf"]);

/** A validator for `schema` (JSON Schema 2020-12); the validator library is loaded on first use. */
export function validatorFor(schema: Record<string, unknown>, firstErrorOnly = false): Validator {
  const { Validator } = process
    .getBuiltinModule("node:module")
    .createRequire(import.meta.url)("@cfworker/json-schema") as typeof import("@cfworker/json-schema");
  return new Validator(schema as never, "2020-12", firstErrorOnly);
}

const firstErrorValidators = new WeakMap<Record<string, unknown>, Validator>();

/**
 * The validator's errors, or only the first when there are too many to
 * collect: the library gathers a list's errors by spreading them into one
 * call's arguments, which overflows the stack past ~100,000 (a file whose
 * links are 150,000 numbers).
 */
function validated(schema: Record<string, unknown>, validator: Validator, value: unknown): { errors: OutputUnit[]; all: boolean } {
  try {
    return { errors: validator.validate(value).errors, all: true };
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    let first = firstErrorValidators.get(schema);
    if (first === undefined) {
      first = validatorFor(schema, true);
      firstErrorValidators.set(schema, first);
    }
    return { errors: first.validate(value).errors, all: false };
  }
}

type Schema = Record<string, unknown>;

const TYPE_TESTS: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  null: (v) => v === null,
};

/**
 * Whether `value` is of the form `branch` describes, by its type, and for an
 * object by the constants it gives (`kind: vxlan` is no macvlan): not whether
 * it is right, only which form it was meant to be.
 */
function admits(branch: Schema, value: unknown): boolean {
  if (Array.isArray(branch.anyOf)) return (branch.anyOf as Schema[]).some((b) => admits(b, value));
  if (branch.const !== undefined) return typeof branch.const === typeof value;
  const types = [branch.type ?? []].flat() as string[];
  if (types.length > 0 && !types.some((t) => TYPE_TESTS[t]?.(value))) return false;
  if (!TYPE_TESTS.object?.(value)) return true;
  const given = value as Record<string, unknown>;
  return Object.entries((branch.properties as Record<string, Schema> | undefined) ?? {}).every(
    ([key, property]) => property.const === undefined || !Object.hasOwn(given, key) || given[key] === property.const,
  );
}

/** The value at a JSON pointer of `root`, undefined where there is none. */
function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const part of path) node = typeof node === "object" && node !== null ? (node as Record<string | number, unknown>)[part] : undefined;
  return node;
}

/**
 * The failed unions (anyOf) of one validation, each at its instance: the
 * keyword location of the one branch the value can be meant as, where there
 * is exactly one; its errors then say what is wrong, and the union's own
 * (its description) is what is said of a value that fits none or several.
 * Indexed by keyword location, then instance location: a lookup per prefix,
 * not a scan of every union per error (a file with 5,000 bad links took
 * seconds).
 */
class Unions {
  readonly #at = new Map<string, Map<string, string | null>>();

  constructor(schema: Schema, errors: readonly OutputUnit[], value: unknown) {
    for (const e of errors) {
      if (e.keyword !== "anyOf") continue;
      const branches = (schemaAt(schema, e.keywordLocation) ?? []) as unknown as Schema[];
      const given = valueAt(value, locationOf(e));
      const fitting = branches.flatMap((b, i) => (admits(b, given) ? [i] : []));
      const byInstance = this.#at.get(e.keywordLocation) ?? new Map<string, string | null>();
      byInstance.set(e.instanceLocation, fitting.length === 1 ? `${e.keywordLocation}/${fitting[0]}/` : null);
      this.#at.set(e.keywordLocation, byInstance);
    }
  }

  /** The chosen branch of the union an anyOf error reports, if one fits. */
  chosen(e: OutputUnit): string | null | undefined {
    return this.#at.get(e.keywordLocation)?.get(e.instanceLocation);
  }

  /** Whether an error belongs to a branch of a union other than the one its value fits (or to a union none fits). */
  hides(e: OutputUnit): boolean {
    const location = e.keywordLocation;
    for (let i = location.indexOf("/anyOf/"); i >= 0; i = location.indexOf("/anyOf/", i + 1)) {
      const byInstance = this.#at.get(location.slice(0, i + "/anyOf".length));
      if (byInstance === undefined) continue;
      const branch = instancePrefixes(e.instanceLocation).find((instance) => byInstance.has(instance));
      if (branch === undefined) continue;
      const fits = byInstance.get(branch);
      if (fits === null || fits === undefined || !location.startsWith(fits)) return true;
    }
    return false;
  }
}

/** `#/a/b/c`, `#/a/b`, `#/a`, `#`: where a union above a value may sit. */
function instancePrefixes(instance: string): string[] {
  const out = [instance];
  for (let i = instance.lastIndexOf("/"); i > 0; i = instance.lastIndexOf("/", i - 1)) out.push(instance.slice(0, i));
  return out;
}

/** What is wrong with `value`'s shape by `schema`: each problem once, at the value at fault. Empty when it matches. */
export function schemaErrors(schema: Record<string, unknown>, validator: Validator, value: unknown): ShapeError[] {
  const { errors, all } = validated(schema, validator, value);
  if (errors.length === 0) return [];
  // A union reports each branch's complaint: only those of the branch the value fits are kept, or else the union's own.
  const unions = new Unions(schema, errors, value);
  const out: ShapeError[] = [];
  if (!all) out.push({ path: [], message: "has more mistakes than can be listed: the first is shown, fix it and check again" });
  for (const e of errors) {
    if (SUMMARIES.has(e.keyword) || unions.hides(e) || (e.keyword === "anyOf" && unions.chosen(e))) continue;
    const path = locationOf(e);
    const owner = schemaAt(schema, parentOf(e.keywordLocation));
    switch (e.keyword) {
      case "additionalProperties": {
        const key = /^Property "(.*)" does not match/.exec(e.error)?.[1] ?? "";
        const patterns = Object.keys((owner?.patternProperties as object | undefined) ?? {});
        // The fields that are known here: a misspelt one (`adresses`) is found among them at a glance.
        const known = Object.keys((owner?.properties as object | undefined) ?? {});
        out.push({
          path: [...path, key],
          message:
            patterns.length > 0
              ? `is not a valid key here (must match ${patterns.join(" or ")})`
              : `is not a known field${known.length > 0 ? ` (known here: ${known.join(", ")})` : ""}`,
        });
        break;
      }
      case "anyOf":
        out.push({ path, message: `must be ${asPhrase(owner?.description)}` });
        break;
      case "pattern":
        out.push({
          path,
          message: owner?.description !== undefined ? `must be ${asPhrase(owner.description)}` : `must match ${owner?.pattern}`,
        });
        break;
      case "required": {
        const key = /property "(.*)"/.exec(e.error)?.[1] ?? "";
        out.push({ path: [...path, key], message: "is required" });
        break;
      }
      case "type":
        // A nullable field's type is a list: ["string", "null"].
        out.push({ path, message: `must be ${[owner?.type ?? /Expected "(.*)"/.exec(e.error)?.[1]].flat().join(" or ")}` });
        break;
      case "minItems":
      case "maxItems": {
        // The library's "Array has too few items (1 < 2)": said with what the list is for, where the schema says.
        const count = /\((\d+) [<>] \d+\)/.exec(e.error)?.[1];
        const bound = e.keyword === "minItems" ? `needs at least ${owner?.minItems}` : `takes at most ${owner?.maxItems}`;
        const what = owner?.description === undefined ? "" : `: ${asPhrase(owner.description)}`;
        out.push({ path, message: `has ${count} item${count === "1" ? "" : "s"}, ${bound}${what}` });
        break;
      }
      case "minimum":
      case "maximum":
        out.push({ path, message: `must be ${e.keyword === "minimum" ? "at least" : "at most"} ${owner?.[e.keyword]}` });
        break;
      case "minLength": {
        const least = Number(owner?.minLength);
        out.push({ path, message: least === 1 ? "must not be empty" : `must be at least ${least} characters` });
        break;
      }
      case "const":
        out.push({ path, message: `must be ${JSON.stringify(owner?.const)}` });
        break;
      default:
        out.push({ path, message: e.error.replace(/\.$/, "") });
    }
  }
  return out;
}
