import { describe, expect, it } from "vitest";
import {
  ActionError,
  errorFromJSON,
  NeslinkError,
  NetlinkError,
  NotFoundError,
  SystemCallError,
  toErrorJSON,
  ValidationError,
} from "./errors.js";

describe("errors", () => {
  it("carry Node's { errno, code, syscall } shape", () => {
    const err = new SystemCallError("setns", 1);
    expect(err).toMatchObject({ errno: 1, code: "EPERM", syscall: "setns" });
    expect(err.message).toBe("setns failed: EPERM: needs CAP_SYS_ADMIN");
    // A bridge's port limit: Linux-only, missing from os.constants.errno.
    expect(new SystemCallError("netlink RTM_NEWLINK", 54).code).toBe("EXFULL");
  });

  it("say which capability an EPERM means is missing", () => {
    for (const syscall of ["setns", "unshare", "mount", "umount2"]) {
      expect(new SystemCallError(syscall, 1, "x").message).toBe(`${syscall} failed: EPERM (x): needs CAP_SYS_ADMIN`);
    }
    expect(new NetlinkError("RTM_NEWLINK", 1, null, null).message).toBe("netlink RTM_NEWLINK failed: EPERM: needs CAP_NET_ADMIN");
    // Other calls and other errnos get no guess.
    expect(new SystemCallError("open", 1, "/x").message).toBe("open failed: EPERM (/x)");
    expect(new SystemCallError("setns", 22).message).toBe("setns failed: EINVAL");
  });

  it("keep the kernel's extended-ACK text", () => {
    const err = new NetlinkError("RTM_NEWLINK", 95, "Unknown device type", null);
    expect(err.code).toBe("EOPNOTSUPP");
    expect(err.message).toContain("Unknown device type");
  });

  it("cross threads as JSON and come back as the same classes", () => {
    const original = new ActionError(2, "getLink", false, new NotFoundError("link", 'no link with name "x"'));
    const json = JSON.parse(JSON.stringify(toErrorJSON(original)));
    const back = errorFromJSON(json);
    expect(back).toBeInstanceOf(ActionError);
    expect(back).toBeInstanceOf(NeslinkError);
    expect(back).toMatchObject({
      code: "ERR_ACTION_FAILED",
      actionIndex: 2,
      action: "getLink",
      returned: false,
      message: original.message,
    });
    expect((back as ActionError).cause).toBeInstanceOf(NotFoundError);
    expect(((back as ActionError).cause as NotFoundError).code).toBe("ERR_LINK_NOT_FOUND");

    const v = errorFromJSON(toErrorJSON(new ValidationError("mac", "bad")));
    expect(v).toBeInstanceOf(ValidationError);
    expect((v as ValidationError).field).toBe("mac");
    expect(v.stack).toBeTypeOf("string");
  });

  it("are recognised across copies of the package by a registered symbol", () => {
    const foreign = Object.create({ [Symbol.for("@neslink/core/error")]: true });
    expect(NeslinkError.isInstance(foreign)).toBe(true);
    expect(NeslinkError.isInstance(new Error("x"))).toBe(false);
  });

  it("turn anything thrown into plain data", () => {
    expect(toErrorJSON("boom")).toEqual({ name: "Error", code: "ERR_UNKNOWN", message: "boom" });
    expect(toErrorJSON(Object.assign(new Error("x"), { code: "ENOENT" })).code).toBe("ENOENT");
    const fsError = Object.assign(new Error("EEXIST: file already exists"), { errno: -17, code: "EEXIST", syscall: "open", path: "/x" });
    expect(errorFromJSON(toErrorJSON(fsError))).toMatchObject({ name: "SystemCallError", errno: 17, code: "EEXIST", syscall: "open" });
  });
});
