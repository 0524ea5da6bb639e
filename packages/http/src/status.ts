/** Error codes to HTTP statuses: the one table, for core's codes and this adapter's own. */
import { rootCause, toErrorJSON } from "@neslink/core";

export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ERR_INVALID_ARGUMENT: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_EXEC_DISABLED: 403,
  ERR_NS_NOT_FOUND: 404,
  ERR_LINK_NOT_FOUND: 404,
  ERR_ROUTE_NOT_FOUND: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_NS_EXISTS: 409,
  ERR_LINK_EXISTS: 409,
  EEXIST: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
};

/** The status for any thrown value: that of core's root cause (what went wrong, not where); unknown codes are 500. */
export function statusOf(err: unknown): number {
  return STATUS_BY_CODE[toErrorJSON(rootCause(err)).code] ?? 500;
}
