/** Error codes to HTTP statuses: the one table, for core's codes and this adapter's own. */
import { type ErrorJSON, toErrorJSON } from "@neslink/core";

export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ERR_INVALID_ARGUMENT: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_EXEC_DISABLED: 403,
  ERR_NS_NOT_FOUND: 404,
  ERR_LINK_NOT_FOUND: 404,
  ERR_ROUTE_NOT_FOUND: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  EEXIST: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
};

/**
 * The status for any thrown value. Core wraps what fails inside a namespace
 * (ActionError, NamespaceEnterError) around the real reason, so the first code
 * along the cause chain that the table knows decides; unknown ones are 500.
 */
export function statusOf(err: unknown): number {
  for (let e: ErrorJSON | undefined = toErrorJSON(err); e; e = e.cause) {
    const status = STATUS_BY_CODE[e.code];
    if (status !== undefined) return status;
  }
  return 500;
}
