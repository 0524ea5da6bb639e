/** Request bodies: their schemas (checked by validate, published in the OpenAPI document) and types. */
import type { Schema } from "./schema.js";

export const createNamespaceBody = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: {
      type: "string",
      minLength: 1,
      maxLength: 255,
      description: "File name under /run/netns: no '/', whitespace or control characters, not '.' or '..'.",
    },
  },
} as const satisfies Schema;

export interface CreateNamespaceBody {
  name: string;
}

export const execBody = {
  type: "object",
  required: ["argv"],
  additionalProperties: false,
  properties: {
    argv: {
      type: "array",
      minItems: 1,
      maxItems: 4096,
      items: { type: "string", minLength: 1 },
      description: "The program (looked up in PATH) and its arguments. No shell is involved.",
    },
  },
} as const satisfies Schema;

export interface ExecBody {
  argv: string[];
}
