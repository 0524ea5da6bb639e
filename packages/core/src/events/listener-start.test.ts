import { describe, expect, it } from "vitest";
import { PoolError, SystemCallError } from "../errors.js";
import { listenerError } from "./listener-start.js";

describe("listenerError", () => {
  it("makes a thread whose event loop could not be made (ERR_WORKER_INIT_FAILED) a SystemCallError naming the limit", () => {
    const err = Object.assign(new Error("Worker initialization failure: EMFILE"), { code: "ERR_WORKER_INIT_FAILED" });
    const typed = listenerError(err);
    expect(typed).toBeInstanceOf(SystemCallError);
    expect(typed).toMatchObject({ code: "EMFILE", errno: 24, message: expect.stringContaining("RLIMIT_NOFILE") });
    expect(typed.message).toContain("the watch's listener thread could not start");
  });

  it("keeps the errno of a file of its code that could not be opened", () => {
    const path = "/x/events/listener.js";
    const err = Object.assign(new Error(`EMFILE: too many open files, open '${path}'`), {
      errno: -24,
      code: "EMFILE",
      syscall: "open",
      path,
    });
    expect(listenerError(err)).toMatchObject({
      name: "SystemCallError",
      code: "EMFILE",
      syscall: "open",
      message: expect.stringContaining(path),
    });
  });

  it("makes anything else a PoolError", () => {
    const typed = listenerError(new Error("boom"));
    expect(typed).toBeInstanceOf(PoolError);
    expect(typed.message).toBe("the watch's listener thread failed: boom");
  });
});
