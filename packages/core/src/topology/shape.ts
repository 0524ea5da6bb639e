/**
 * Checking a parsed file against the topology JSON Schema. The schema is the
 * file the build generates from schema.ts (its one definition), read at first
 * use; the validator is @cfworker/json-schema, a small standards validator
 * that reports every error with its location. Both are loaded on first use
 * only, so importing core costs nothing for them (TypeBox itself, ~700
 * modules and ~190 ms to import, is used at build time and for types only).
 */
import { readFileSync } from "node:fs";
import type { Validator } from "@cfworker/json-schema";
import { shown, ValidationError } from "../errors.js";
import { TOPOLOGY_SCHEMA_FILE } from "../files/own.js";
import { type ShapeError, schemaErrors, validatorFor } from "../validate/json-schema.js";

export type { ShapeError } from "../validate/json-schema.js";

let validator: Validator | undefined;
let schema: Record<string, unknown> | undefined;

/** The shipped topology.schema.json, parsed. */
export function topologySchema(): Record<string, unknown> {
  schema ??= JSON.parse(readFileSync(TOPOLOGY_SCHEMA_FILE, "utf8")) as Record<string, unknown>;
  return schema;
}

/** What is wrong with a topology file's shape: each problem once, at the value at fault. Empty when it matches. */
export function shapeErrors(value: unknown): ShapeError[] {
  validator ??= validatorFor(topologySchema());
  return schemaErrors(topologySchema(), validator, value);
}

/** A lab's name as the file format defines it (the schema's own pattern), for names given on their own (destroy, inspect). */
export function labName(field: string, value: unknown): string {
  const { pattern, description } = (topologySchema().properties as Record<string, { pattern: string; description: string }>).name as {
    pattern: string;
    description: string;
  };
  if (typeof value !== "string" || !new RegExp(pattern).test(value)) {
    throw new ValidationError(field, `${shown(value)} is not a lab's name (${description.replace(/\.$/, "")})`);
  }
  return value;
}
