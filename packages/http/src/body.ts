import type { IncomingMessage } from "node:http";
import { ValidationError } from "@neslink/core";
import { HttpError } from "./http-error.js";
import { refuseDuplicateKeys } from "./json-keys.js";

function tooLarge(limit: number): HttpError {
  // The rest of the body is not read: the connection must not be reused for another request.
  return new HttpError("ERR_BODY_TOO_LARGE", `the body is larger than ${limit} bytes`, { connection: "close" });
}

function collect(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the data is drained and dropped, so the reply can still be written.
      if (size > limit) reject(tooLarge(limit));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    // A body cut short (client gone, request timeout) settles too; after "end" this is a no-op.
    req.on("close", () => reject(new HttpError("ERR_BODY_INCOMPLETE", "the connection closed before the whole body arrived")));
  });
}

/** The charset a Content-Type names, lower-cased; undefined when it names none. */
function charsetOf(contentType: string): string | undefined {
  for (const param of contentType.split(";").slice(1)) {
    const [name, value] = param.split("=").map((s) => s.trim());
    if (name?.toLowerCase() === "charset") return value?.replace(/^"(.*)"$/, "$1").toLowerCase();
  }
  return undefined;
}

/**
 * The request's JSON body: 415 unless it says application/json in UTF-8 (JSON's only encoding, RFC 8259) with no
 * content coding, 413 past `limit` bytes, 400 if it is not UTF-8, does not parse or gives a key twice in one object.
 * A leading byte order mark is ignored, as RFC 8259 allows (some clients write one).
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const contentType = req.headers["content-type"] ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new HttpError("ERR_UNSUPPORTED_MEDIA_TYPE", "the body must be JSON, sent as Content-Type: application/json");
  }
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new HttpError("ERR_UNSUPPORTED_MEDIA_TYPE", `charset ${charset} is not supported: JSON is sent in UTF-8`);
  }
  // Content codings are not decoded: a compressed body would only be reported as JSON that does not parse.
  const coding = (req.headers["content-encoding"] ?? "").trim().toLowerCase();
  if (coding !== "" && coding !== "identity") {
    throw new HttpError("ERR_UNSUPPORTED_MEDIA_TYPE", `Content-Encoding ${coding} is not supported: send the body uncompressed`);
  }
  if (Number(req.headers["content-length"] ?? 0) > limit) throw tooLarge(limit);
  let raw: string;
  try {
    // Strict: a lossy decode would turn bad bytes into U+FFFD, and a name made of them into a namespace no one asked for.
    raw = new TextDecoder("utf-8", { fatal: true }).decode(await collect(req, limit));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new ValidationError("body", "is not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationError("body", "is not valid JSON");
  }
  refuseDuplicateKeys(raw);
  return value;
}
