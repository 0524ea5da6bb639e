/** Error codes to HTTP statuses: the one table, for core's codes and this adapter's own. */
import { type ErrorCode, toErrorJSON } from "@neslink/core";

export const STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  ERR_INVALID_ARGUMENT: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_EXEC_DISABLED: 403,
  ERR_NS_NOT_FOUND: 404,
  ERR_LINK_NOT_FOUND: 404,
  ERR_ADDR_NOT_FOUND: 404,
  ERR_IP_ROUTE_NOT_FOUND: 404,
  ERR_ROUTE_NOT_FOUND: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_NS_EXISTS: 409,
  ERR_LINK_EXISTS: 409,
  ERR_NOT_A_NAMESPACE: 409,
  ERR_NS_DIR_BUSY: 409,
  EEXIST: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_TOPOLOGY_INVALID: 400,
  ERR_TOPOLOGY_CONFLICT: 409,
  ERR_TOPOLOGY_LOCKED: 409,
  ERR_TOPOLOGY_PLAN_CHANGED: 409,
  ERR_TOO_MANY_CONNECTIONS: 503,
  ERR_SHUTTING_DOWN: 503,
  ERR_TIMEOUT: 504,
  // The request was fine; this kernel cannot do it.
  ERR_KIND_UNSUPPORTED: 501,
  // Exec: the program is not there (or not runnable), or it wrote more than an answer may carry.
  ENOENT: 404,
  EACCES: 403,
  ERR_EXEC_MAX_BUFFER: 422,
};

/** The status for any thrown value, by its code (core's errors carry what went wrong on top); unknown codes are 500. */
export function statusOf(err: unknown): number {
  return STATUS_BY_CODE[toErrorJSON(err).code as ErrorCode] ?? 500;
}
