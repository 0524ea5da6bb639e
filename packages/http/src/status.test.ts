import { ActionError, errorFromJSON, NamespaceEnterError, NotFoundError, SystemCallError, ValidationError } from "@neslink/core";
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

  it("looks through the errors core wraps around the real reason", () => {
    expect(statusOf(new ActionError(0, "deleteNamed", true, new NotFoundError("namespace", "gone")))).toBe(404);
    expect(statusOf(new NamespaceEnterError("could not enter", true, new NotFoundError("namespace", "gone")))).toBe(404);
    // As it arrives from a worker thread: a Node error flattened to JSON and rebuilt.
    const rebuilt = errorFromJSON({
      name: "ActionError",
      code: "ERR_ACTION_FAILED",
      message: "action #0 (newNamed) failed",
      cause: { name: "Error", code: "EEXIST", message: "EEXIST: file already exists" },
    });
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

  it("only holds client and not-found statuses", () => {
    for (const status of Object.values(STATUS_BY_CODE)) expect(status).toBeGreaterThanOrEqual(400);
    for (const status of Object.values(STATUS_BY_CODE)) expect(status).toBeLessThan(500);
  });
});
