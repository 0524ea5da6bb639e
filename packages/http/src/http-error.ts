import { type ErrorCode, NeslinkError } from "@neslink/core";

/**
 * A refusal by the HTTP layer itself (no token, exec disabled, body too big,
 * ...). Its code is mapped to a status in status.ts like any core code.
 */
export class HttpError extends NeslinkError {
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.headers = headers;
  }
}
