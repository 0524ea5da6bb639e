import type { IncomingMessage } from "node:http";
import { ValidationError } from "@neslink/core";
import { HttpError } from "./http-error.js";

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

/** The request's JSON body: 415 unless it says application/json (with no content coding), 413 past `limit` bytes, 400 if it does not parse. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new HttpError("ERR_UNSUPPORTED_MEDIA_TYPE", "the body must be JSON, sent as Content-Type: application/json");
  }
  // Content codings are not decoded: a compressed body would only be reported as JSON that does not parse.
  const coding = (req.headers["content-encoding"] ?? "").trim().toLowerCase();
  if (coding !== "" && coding !== "identity") {
    throw new HttpError("ERR_UNSUPPORTED_MEDIA_TYPE", `Content-Encoding ${coding} is not supported: send the body uncompressed`);
  }
  if (Number(req.headers["content-length"] ?? 0) > limit) throw tooLarge(limit);
  const raw = (await collect(req, limit)).toString("utf8");
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError("body", "is not valid JSON");
  }
}
