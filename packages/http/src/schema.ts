/**
 * The small subset of JSON Schema that request bodies use. The same objects
 * are the OpenAPI document's request schemas and what `validate` checks, so
 * the two cannot drift.
 */
import { ValidationError } from "@neslink/core";

export type Schema =
  | {
      readonly type: "string";
      readonly minLength?: number;
      readonly maxLength?: number;
      /** Bytes of UTF-8, where a limit is in bytes (a file name's): JSON Schema has no keyword for it. */
      readonly "x-maxBytes"?: number;
      readonly description?: string;
    }
  | {
      readonly type: "array";
      readonly items: Schema;
      readonly minItems?: number;
      readonly maxItems?: number;
      readonly description?: string;
    }
  | {
      readonly type: "object";
      readonly properties: Readonly<Record<string, Schema>>;
      readonly required: readonly string[];
      readonly additionalProperties: false;
      readonly description?: string;
    };

/** `1 item`, `2 items`. */
const counted = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

function between(field: string, count: number, min: number | undefined, max: number | undefined, unit: string): void {
  if (min !== undefined && count < min) throw new ValidationError(field, `must have at least ${counted(min, unit)}`);
  if (max !== undefined && count > max) throw new ValidationError(field, `must have at most ${counted(max, unit)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks `value` against `schema` and returns it; a ValidationError names the
 * field at fault ("name", "argv[2]"), or "body" for the body as a whole.
 */
export function validate(schema: Schema, value: unknown, path = ""): unknown {
  const field = path || "body";
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") throw new ValidationError(field, "must be a string");
      // JSON Schema counts characters (code points), not UTF-16 units.
      between(field, [...value].length, schema.minLength, schema.maxLength, "character");
      if (schema["x-maxBytes"] !== undefined) between(field, Buffer.byteLength(value), undefined, schema["x-maxBytes"], "UTF-8 byte");
      return value;
    case "array":
      if (!Array.isArray(value)) throw new ValidationError(field, "must be an array");
      between(field, value.length, schema.minItems, schema.maxItems, "item");
      for (const [i, item] of value.entries()) validate(schema.items, item, `${field}[${i}]`);
      return value;
    case "object": {
      if (!isPlainObject(value)) throw new ValidationError(field, "must be a JSON object");
      const at = (key: string) => (path ? `${path}.${key}` : key);
      // Own keys only: `in` and a plain lookup would find Object.prototype's members ("constructor", "__proto__").
      // An unknown field first: a misspelt one (`nmae`) is the mistake, not the field it leaves missing.
      const known = Object.keys(schema.properties);
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(schema.properties, key))
          throw new ValidationError(at(key), `is not a known field (known here: ${known.join(", ")})`);
      }
      for (const key of schema.required) if (!Object.hasOwn(value, key)) throw new ValidationError(at(key), "is required");
      for (const [key, item] of Object.entries(value)) validate(schema.properties[key] as Schema, item, at(key));
      return value;
    }
  }
}
