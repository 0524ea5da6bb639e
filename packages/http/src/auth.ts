import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "./http-error.js";

// Comparing digests keeps the comparison constant-time even when the lengths differ.
const digest = (text: string) => createHash("sha256").update(text).digest();

/** A check of the Authorization header against the server's bearer token; throws ERR_UNAUTHORIZED. */
export function bearer(token: string): (headers: IncomingHttpHeaders) => void {
  const expected = digest(token);
  return (headers) => {
    const given = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? "")?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new HttpError("ERR_UNAUTHORIZED", "a valid bearer token is required", { "www-authenticate": 'Bearer realm="neslink"' });
    }
  };
}
