/** What core's published JSON Schemas of the shapes (SHAPE_SCHEMAS, the OpenAPI document's) say of a value --json printed. */
import { type Schema, Validator } from "@cfworker/json-schema";
import { SHAPE_SCHEMAS } from "@neslink/core";

/** Where `value` breaks the schema of shape `name`, one line each: none when it conforms. */
export function schemaErrors(name: keyof typeof SHAPE_SCHEMAS, value: unknown): string[] {
  const validator = new Validator(SHAPE_SCHEMAS[name] as Schema, "2020-12", false);
  return validator.validate(value).errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}
