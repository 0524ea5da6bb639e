/** Request bodies: their schemas (checked by validate, published in the OpenAPI document) and types. */
import type { Schema } from "./schema.js";

/** NAME_MAX: the longest file name, in bytes, the entry's file system takes (core's namespace name rule). */
const NAME_MAX = 255;

/**
 * A namespace's name. JSON Schema counts characters, and the limit is in
 * bytes of UTF-8: maxLength is only a bound (a character is one byte at
 * least), x-maxBytes the limit, which validate keeps too.
 */
export const namespaceName = {
  type: "string",
  minLength: 1,
  maxLength: NAME_MAX,
  "x-maxBytes": NAME_MAX,
  description: `File name under /run/netns: at most ${NAME_MAX} bytes of UTF-8 (NAME_MAX; x-maxBytes), so ${NAME_MAX} characters only if all are ASCII; no '/', whitespace or control characters, not '.' or '..'.`,
} as const satisfies Schema;

export const createNamespaceBody = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: { name: namespaceName },
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
