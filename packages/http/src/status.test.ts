import {
  ActionError,
  ExecLimitError,
  errorFromJSON,
  KindUnsupportedError,
  NamespaceEnterError,
  NotFoundError,
  SystemCallError,
  toErrorJSON,
  ValidationError,
} from "@neslink/core";
import { describe, expect, it } from "vitest";
import { HttpError } from "./http-error.js";
import { STATUS_BY_CODE, statusOf } from "./status.js";

describe("statusOf", () => {
  it("maps core's codes", () => {
    expect(statusOf(new ValidationError("name", "bad"))).toBe(400);
    expect(statusOf(new NotFoundError("namespace", "gone"))).toBe(404);
    expect(statusOf(new NotFoundError("link", "gone"))).toBe(404);
    expect(statusOf(new SystemCallError("open", 17))).toBe(409);
    expect(statusOf(new SystemCallError("mount", 1))).toBe(500);
  });

  it("goes by the top-level code, which core's wrapping errors take from their cause", () => {
    expect(statusOf(new ActionError(0, "deleteNamed", true, new NotFoundError("namespace", "gone")))).toBe(404);
    expect(statusOf(new NamespaceEnterError("name", true, new NotFoundError("namespace", "gone")))).toBe(404);
    expect(
      statusOf(new ActionError(0, "link", true, new KindUnsupportedError("dummy", new SystemCallError("netlink RTM_NEWLINK", 95)))),
    ).toBe(501);
    // As it arrives from a worker thread: flattened to JSON and rebuilt.
    const rebuilt = errorFromJSON(toErrorJSON(new ActionError(0, "newNamed", true, new SystemCallError("open", 17))));
    expect(rebuilt.code).toBe("EEXIST");
    expect(statusOf(rebuilt)).toBe(409);
  });

  it("maps the adapter's own refusals from the same table", () => {
    expect(statusOf(new HttpError("ERR_UNAUTHORIZED", "no"))).toBe(401);
    expect(statusOf(new HttpError("ERR_EXEC_DISABLED", "no"))).toBe(403);
    expect(statusOf(new HttpError("ERR_BODY_TOO_LARGE", "no"))).toBe(413);
    expect(statusOf(new HttpError("ERR_UNSUPPORTED_MEDIA_TYPE", "no"))).toBe(415);
  });

  it("gives 500 for anything else", () => {
    expect(statusOf(new Error("boom"))).toBe(500);
    expect(statusOf("boom")).toBe(500);
    expect(statusOf(new ActionError(0, "exec", true, new Error("boom")))).toBe(500);
  });

  it("maps exec's failures: no such program 404, not runnable 403, too much output 422", () => {
    expect(statusOf(new ActionError(0, "exec", true, new SystemCallError("spawn", 2, "nope")))).toBe(404);
    expect(statusOf(new ActionError(0, "exec", true, new SystemCallError("spawn", 13, "/etc/passwd")))).toBe(403);
    expect(statusOf(new ActionError(0, "exec", true, new ExecLimitError("maxBuffer", "too much")))).toBe(422);
  });

  it("only holds client statuses, 501 for what this kernel lacks and 503 for a server that is full or stopping", () => {
    const { ERR_KIND_UNSUPPORTED, ERR_TOO_MANY_CONNECTIONS, ERR_SHUTTING_DOWN, ERR_TIMEOUT, ...rest } = STATUS_BY_CODE;
    expect(ERR_KIND_UNSUPPORTED).toBe(501);
    expect(ERR_TIMEOUT).toBe(504);
    expect([ERR_TOO_MANY_CONNECTIONS, ERR_SHUTTING_DOWN]).toEqual([503, 503]);
    for (const status of Object.values(rest)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });
});
