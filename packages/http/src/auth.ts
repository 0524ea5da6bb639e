import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ValidationError } from "@neslink/core";
import { HttpError } from "./http-error.js";

const MIN_TOKEN_LENGTH = 16;
/** What a client can send after "Bearer ": one line of visible ASCII. */
const SENDABLE = /^[\x21-\x7e]+$/;

/**
 * Refuses a token no client could present, naming `field` (where it came
 * from): the server would start and answer every request 401. A base64 token
 * wrapped over two lines (`head -c 64 /dev/urandom | base64`) is the usual one.
 */
export function checkToken(token: unknown, field: string): asserts token is string {
  if (typeof token !== "string") throw new ValidationError(field, `is required: at least ${MIN_TOKEN_LENGTH} characters`);
  // Given, but too short: "is required" would read as if it had not been.
  if (token.length < MIN_TOKEN_LENGTH)
    throw new ValidationError(field, `must be at least ${MIN_TOKEN_LENGTH} characters, not ${token.length}`);
  if (!SENDABLE.test(token)) {
    throw new ValidationError(field, 'must be one line of visible ASCII characters, without spaces, as it is sent after "Bearer "');
  }
}

// Comparing digests keeps the comparison constant-time even when the lengths differ.
const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * A check of the Authorization header against the server's bearer token; throws ERR_UNAUTHORIZED. Two of them are
 * refused (ERR_INVALID_ARGUMENT, 400), as a JSON key given twice is: node:http keeps the first, a proxy in front may
 * have checked the other.
 */
export function bearer(token: string): (request: Pick<IncomingMessage, "headers" | "headersDistinct">) => void {
  const expected = digest(token);
  return ({ headers, headersDistinct }) => {
    const count = headersDistinct.authorization?.length ?? 0;
    if (count > 1) throw new ValidationError("authorization", `the header is given ${count} times; send one`);
    const given = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? "")?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new HttpError("ERR_UNAUTHORIZED", "a valid bearer token is required", { "www-authenticate": 'Bearer realm="neslink"' });
    }
  };
}
