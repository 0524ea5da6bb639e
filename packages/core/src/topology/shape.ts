/**
 * Checking a parsed file against the topology JSON Schema. The schema is the
 * file the build generates from schema.ts (its one definition), read at first
 * use; the validator is @cfworker/json-schema, a small standards validator
 * that reports every error with its location. Both are loaded on first use
 * only, so importing core costs nothing for them (TypeBox itself, ~700
 * modules and ~190 ms to import, is used at build time and for types only).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { OutputUnit, Validator } from "@cfworker/json-schema";
import { ValidationError } from "../errors.js";
import { pointerToPath } from "./problems.js";

const SCHEMA_FILE = new URL("../../topology.schema.json", import.meta.url);

let validator: Validator | undefined;
let schema: Record<string, unknown> | undefined;

/** The shipped topology.schema.json, parsed. */
export function topologySchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
  return schema;
}

function check(): Validator {
  if (!validator) {
    const { Validator } = createRequire(import.meta.url)("@cfworker/json-schema") as typeof import("@cfworker/json-schema");
    validator = new Validator(topologySchema() as never, "2020-12", false);
  }
  return validator;
}

/** One thing wrong with a value's shape, at `path`. */
export interface ShapeError {
  path: (string | number)[];
  message: string;
}

/** The schema node at a `#/a/b` keyword location. */
function schemaAt(location: string): Record<string, unknown> | undefined {
  let node: unknown = topologySchema();
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

/** What is wrong with `value`'s shape: each problem once, at the value at fault. Empty when it matches. */
export function shapeErrors(value: unknown): ShapeError[] {
  const { valid, errors } = check().validate(value);
  if (valid) return [];
  // A union reports each branch's complaint; only the union's own is kept, with its description.
  const unions = errors.filter((e) => e.keyword === "anyOf");
  const out: ShapeError[] = [];
  for (const e of errors) {
    if (SUMMARIES.has(e.keyword)) continue;
    const inUnion = unions.some((u) => u !== e && e.keywordLocation.startsWith(`${u.keywordLocation}/`));
    if (inUnion) continue;
    const path = locationOf(e);
    const owner = schemaAt(parentOf(e.keywordLocation));
    switch (e.keyword) {
      case "additionalProperties": {
        const key = /^Property "(.*)" does not match/.exec(e.error)?.[1] ?? "";
        const patterns = Object.keys((owner?.patternProperties as object | undefined) ?? {});
        out.push({
          path: [...path, key],
          message: patterns.length > 0 ? `is not a valid key here (must match ${patterns.join(" or ")})` : "is not a known field",
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
        out.push({ path, message: `must be ${/Expected "(.*)"/.exec(e.error)?.[1] ?? owner?.type}` });
        break;
      case "const":
        out.push({ path, message: `must be ${JSON.stringify(owner?.const)}` });
        break;
      default:
        out.push({ path, message: e.error.replace(/\.$/, "") });
    }
  }
  return out;
}

/** A lab's name as the file format defines it (the schema's own pattern), for names given on their own (destroy, inspect). */
export function labName(field: string, value: unknown): string {
  const { pattern, description } = (topologySchema().properties as Record<string, { pattern: string; description: string }>).name as {
    pattern: string;
    description: string;
  };
  if (typeof value !== "string" || !new RegExp(pattern).test(value)) {
    throw new ValidationError(field, `${JSON.stringify(value)} is not a lab's name (${description.replace(/\.$/, "")})`);
  }
  return value;
}
