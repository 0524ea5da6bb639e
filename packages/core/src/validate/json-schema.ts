/**
 * Checking a value against a JSON Schema (2020-12), with each problem said
 * once, at the value at fault, in words a user reads. The validator is
 * @cfworker/json-schema, a small standards validator that reports every
 * error with its location; it is loaded on first use only.
 */
import { createRequire } from "node:module";
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
  const { Validator } = createRequire(import.meta.url)("@cfworker/json-schema") as typeof import("@cfworker/json-schema");
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

/** Whether a keyword location is inside one of `unions` (keyword locations of anyOf errors). */
function inUnion(location: string, unions: ReadonlySet<string>): boolean {
  for (let i = location.lastIndexOf("/"); i > 0; i = location.lastIndexOf("/", i - 1)) if (unions.has(location.slice(0, i))) return true;
  return false;
}

/** What is wrong with `value`'s shape by `schema`: each problem once, at the value at fault. Empty when it matches. */
export function schemaErrors(schema: Record<string, unknown>, validator: Validator, value: unknown): ShapeError[] {
  const { errors, all } = validated(schema, validator, value);
  if (errors.length === 0) return [];
  // A union reports each branch's complaint; only the union's own is kept, with its description. A set, not a scan of
  // every union per error: a file with 5,000 bad links took seconds.
  const unions = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.keywordLocation));
  const out: ShapeError[] = [];
  if (!all) out.push({ path: [], message: "has more mistakes than can be listed: the first is shown, fix it and check again" });
  for (const e of errors) {
    if (SUMMARIES.has(e.keyword) || inUnion(e.keywordLocation, unions)) continue;
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
      case "const":
        out.push({ path, message: `must be ${JSON.stringify(owner?.const)}` });
        break;
      default:
        out.push({ path, message: e.error.replace(/\.$/, "") });
    }
  }
  return out;
}
