import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ActionError,
  AlreadyExistsError,
  ERROR_CODES,
  type ErrorJSON,
  errorFromJSON,
  HIDDEN_CHARACTERS,
  KindUnsupportedError,
  NamespaceEnterError,
  NeslinkError,
  NetlinkError,
  NotFoundError,
  rootCause,
  shown,
  SystemCallError,
  toErrorJSON,
  typedError,
  ValidationError,
} from "./errors.js";
import { TopologyError } from "./topology/problems.js";

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

  it("name the limit an EMFILE or ENFILE means is reached", () => {
    expect(new SystemCallError("socket", 24).message).toBe(
      "socket failed: EMFILE: the process's limit on open descriptors (RLIMIT_NOFILE, `ulimit -n`) is reached",
    );
    // fs.watch: inotify_init1 says EMFILE for its own limit too.
    expect(new SystemCallError("watch", 24, "/run/netns").message).toContain(
      "RLIMIT_NOFILE, `ulimit -n`) or the user's on inotify instances",
    );
    expect(new SystemCallError("open", 23, "/x").message).toBe(
      "open failed: ENFILE (/x): the system's limit on open files (fs.file-max) is reached",
    );
    // Node's own failed call, made typed, says it too.
    const fsError = Object.assign(new Error("EMFILE: too many open files, open '/x'"), {
      errno: -24,
      code: "EMFILE",
      syscall: "open",
      path: "/x",
    });
    expect(typedError(fsError)).toMatchObject({
      name: "SystemCallError",
      code: "EMFILE",
      message: expect.stringContaining("RLIMIT_NOFILE"),
    });
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
      code: "ERR_LINK_NOT_FOUND",
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

  it("turn a thrown object into its JSON, and never throw themselves (what custom code throws is flattened on its worker)", () => {
    const unknown = (message: string) => ({ name: "Error", code: "ERR_UNKNOWN", message });
    expect(toErrorJSON({ code: "ERR_FAKE", message: "fake" })).toEqual(unknown('{"code":"ERR_FAKE","message":"fake"}'));
    // String() throws for these: no prototype, or a toString that throws.
    expect(toErrorJSON(Object.create(null))).toEqual(unknown("{}"));
    const evil = {
      toJSON() {
        throw new Error("evil");
      },
      toString() {
        throw new Error("evil");
      },
    };
    expect(toErrorJSON(evil)).toEqual(unknown("(object)"));
    const trap = () => {
      throw new Error("trap");
    };
    const trapped = new Proxy({}, { get: trap, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    expect(toErrorJSON(trapped)).toEqual(unknown("(object that could not be read)"));
    expect(toErrorJSON(undefined)).toEqual(unknown("undefined"));
    expect(toErrorJSON(5n)).toEqual(unknown("5"));
  });

  it("keep what a Node socket or resolver error was about", () => {
    const inUse = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:7470"), {
      errno: -98,
      code: "EADDRINUSE",
      syscall: "listen",
      address: "127.0.0.1",
      port: 7470,
    });
    expect(toErrorJSON(inUse)).toMatchObject({ code: "EADDRINUSE", message: "listen failed: EADDRINUSE (127.0.0.1:7470)" });
    const v6 = Object.assign(new Error("x"), { errno: -99, code: "EADDRNOTAVAIL", syscall: "listen", address: "::2", port: 80 });
    expect(toErrorJSON(v6).message).toBe("listen failed: EADDRNOTAVAIL ([::2]:80)");
    const unix = Object.assign(new Error("listen EACCES"), {
      code: "EACCES",
      errno: -13,
      syscall: "listen",
      address: "/x/a.sock",
      port: -1,
    });
    expect(toErrorJSON(unix).message).toBe("listen failed: EACCES (/x/a.sock)");
    // libuv's resolver errors are no OS errno: Node's code and message are the ones that say what happened.
    const unresolved = Object.assign(new Error("getaddrinfo ENOTFOUND no-such-host.invalid"), {
      errno: -3008,
      code: "ENOTFOUND",
      syscall: "getaddrinfo",
      hostname: "no-such-host.invalid",
    });
    expect(toErrorJSON(unresolved)).toEqual({ name: "Error", code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND no-such-host.invalid" });
  });

  it("lead with what happened: the cause's code on top, the action as context", () => {
    const err = new ActionError(0, "newNamed", true, new AlreadyExistsError("namespace", 'namespace "lab" already exists'));
    expect(err.code).toBe("ERR_NS_EXISTS");
    expect(err.message).toBe('namespace "lab" already exists (action #0: newNamed)');
    expect(rootCause(err)).toBe(err.cause);
    const kernel = new ActionError(3, "addAddr", true, new NetlinkError("RTM_NEWADDR", 17, null, null));
    expect(kernel.code).toBe("EEXIST");
    expect(kernel.message).toMatch(/^netlink RTM_NEWADDR failed: EEXIST \(action #3: addAddr\)$/);
    // Only a cause without a code of its own (user code's plain Error, Node's internal codes) leaves ERR_ACTION_FAILED.
    expect(new ActionError(1, "custom", true, new Error("boom")).code).toBe("ERR_ACTION_FAILED");
    expect(new ActionError(1, "custom", true, Object.assign(new Error("x"), { code: "ERR_MODULE_NOT_FOUND" })).code).toBe(
      "ERR_ACTION_FAILED",
    );
  });

  it("name both places of a failure inside na.link in one error, the kernel's error its cause", () => {
    const root = new NetlinkError("RTM_NEWLINK", 22, "MTU too small", null);
    const err = new ActionError(4, "set", false, root, 1);
    expect(err).toMatchObject({ code: "EINVAL", actionIndex: 4, linkActionIndex: 1, action: "set", returned: false });
    expect(err.cause).toBe(root);
    expect(rootCause(err)).toBe(root);
    expect(err.message).toBe(`${root.message} (action #4, link action #1: set)`);
    const provider = new ActionError(0, 'link provider (new bridge "br0")', true, root, -1);
    expect(provider.message).toBe(`${root.message} (action #0: link provider (new bridge "br0"))`);
    const back = errorFromJSON(JSON.parse(JSON.stringify(err.toJSON())));
    expect(back).toMatchObject({ code: "EINVAL", linkActionIndex: 1, message: err.message });
    expect((back as ActionError).cause).toBeInstanceOf(NetlinkError);
  });

  it("give what to delete that is not there, or a name taken, a code of its own, the kernel's refusal kept beneath across threads", () => {
    const codes = (["namespace", "link", "address", "route"] as const).map((what) => new NotFoundError(what, "x").code);
    expect(codes).toEqual(["ERR_NS_NOT_FOUND", "ERR_LINK_NOT_FOUND", "ERR_ADDR_NOT_FOUND", "ERR_IP_ROUTE_NOT_FOUND"]);
    const kernel = new NetlinkError("RTM_DELROUTE", 3, "FIB table does not exist", null);
    const err = new ActionError(0, "delRoute", true, new NotFoundError("route", "no route 10.9.9.0/24 to delete", { cause: kernel }));
    expect(err).toMatchObject({ code: "ERR_IP_ROUTE_NOT_FOUND", message: "no route 10.9.9.0/24 to delete (action #0: delRoute)" });
    const back = errorFromJSON(JSON.parse(JSON.stringify(err.toJSON())));
    expect(rootCause(back)).toBeInstanceOf(NotFoundError);
    expect((rootCause(back) as Error).cause).toMatchObject({ name: "NetlinkError", code: "ESRCH", errno: 3, extAck: kernel.extAck });
    const taken = new AlreadyExistsError("link", 'a link named "br0" already exists', {
      cause: new NetlinkError("RTM_NEWLINK", 17, null, null),
    });
    expect(toErrorJSON(taken)).toMatchObject({ code: "ERR_LINK_EXISTS", cause: { code: "EEXIST", errno: 17 } });
  });

  it("an error of a class errors.ts does not know (a topology's) is flattened again with every field it came with", () => {
    const err = new TopologyError([{ path: "nodes.a", message: "bad", line: 3, column: 5 }], "lab.yaml");
    const json = JSON.parse(JSON.stringify(err));
    expect(json).toMatchObject({ code: "ERR_TOPOLOGY_INVALID", problems: [{ path: "nodes.a", line: 3 }], source: "lab.yaml" });
    const back = errorFromJSON(json);
    expect(NeslinkError.isInstance(back)).toBe(true);
    expect(JSON.parse(JSON.stringify(back))).toEqual(json);
    // Wrapped, as a relay would send it on.
    const wrapped = { name: "NeslinkError", code: "ERR_UNKNOWN", message: "relayed", cause: json };
    expect(JSON.parse(JSON.stringify(errorFromJSON(wrapped)))).toEqual(wrapped);
  });

  it("rebuilds JSON from another process as a NeslinkError whatever its keys, its depth or its kind", () => {
    // JSON.parse makes "__proto__" an own key: assigned, it would have replaced the error's prototype.
    const proto = errorFromJSON(
      JSON.parse('{"name":"ValidationError","code":"ERR_INVALID_ARGUMENT","message":"m","field":"x","__proto__":{"p":1}}'),
    );
    expect(proto).toBeInstanceOf(ValidationError);
    expect((proto as unknown as { p?: unknown }).p).toBeUndefined();
    expect(JSON.parse(JSON.stringify(proto))).toMatchObject({ code: "ERR_INVALID_ARGUMENT", field: "x" });
    // A name that is Object.prototype's, not an error class's.
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const err = errorFromJSON({ name, code: "ERR_UNKNOWN", message: "m" });
      expect(NeslinkError.isInstance(err) && err instanceof NeslinkError, name).toBe(true);
      expect(JSON.parse(JSON.stringify(err))).toEqual({ name, code: "ERR_UNKNOWN", message: "m" });
    }
    // Deeper than the stack goes, as a peer's text can nest it.
    let deep: ErrorJSON = { name: "NotFoundError", code: "ERR_LINK_NOT_FOUND", message: "innermost" };
    for (let i = 0; i < 100_000; i++) deep = { name: "NeslinkError", code: "ERR_UNKNOWN", message: `level ${i}`, cause: deep };
    let at: unknown = errorFromJSON(deep);
    for (let i = 0; i < 100_000; i++) at = (at as Error).cause;
    expect(at).toBeInstanceOf(NotFoundError);
    // Not an object at all: null from a body, an array, a string.
    for (const odd of [null, undefined, [1], "boom", 7]) {
      const err = errorFromJSON(odd as unknown as ErrorJSON);
      expect(err).toBeInstanceOf(NeslinkError);
      expect(err).toMatchObject({ code: "ERR_UNKNOWN", message: expect.stringContaining("not an error's JSON") });
    }
    expect(errorFromJSON({ name: "ActionError", code: "E", message: "m", cause: "x" as unknown as ErrorJSON }).cause).toMatchObject({
      code: "ERR_UNKNOWN",
    });
  });

  it("rebuild an error with a string name, code and message, as ErrorJSON has them, whatever a peer sent", () => {
    const numbered = errorFromJSON({ name: "ValidationError", code: 5, message: { a: 1 } } as unknown as ErrorJSON);
    expect(numbered).toBeInstanceOf(ValidationError);
    expect(numbered).toMatchObject({ code: "ERR_UNKNOWN", message: '{"a":1} (its code was 5, not a string)' });
    const bare = errorFromJSON({ name: 7, cause: { code: null, message: 10n } } as unknown as ErrorJSON);
    expect(bare).toMatchObject({ name: "Error", code: "ERR_UNKNOWN", message: "" });
    expect(bare.cause).toMatchObject({ code: "ERR_UNKNOWN", message: "10 (its code was null, not a string)" });
    for (const err of [numbered, bare, bare.cause as NeslinkError]) {
      for (const key of ["name", "code", "message"] as const) expect(typeof err[key], key).toBe("string");
      // Flattened again (as an adapter sends it on), it is an ErrorJSON too.
      const json = toErrorJSON(err);
      for (const key of ["name", "code", "message"] as const) expect(typeof json[key], key).toBe("string");
    }
  });

  it("name a link kind the kernel lacks, and say why", () => {
    const err = new ActionError(
      -1,
      'link provider (new dummy "d0")',
      true,
      new KindUnsupportedError("dummy", new NetlinkError("RTM_NEWLINK (dummy)", 95, "Unknown device type", null)),
    );
    expect(err.code).toBe("ERR_KIND_UNSUPPORTED");
    expect(err.message).toMatch(
      /^this kernel has no "dummy" link type: its module is not built in or not loaded \(.*Unknown device type.*\) \(link provider \(new dummy "d0"\)\)$/,
    );
    expect(errorFromJSON(toErrorJSON(err)).cause).toBeInstanceOf(KindUnsupportedError);
  });

  it("a namespace that could not be entered carries its cause's code", () => {
    const err = new NamespaceEnterError("newNamed", true, new AlreadyExistsError("namespace", 'namespace "lab" already exists'));
    expect(err.code).toBe("ERR_NS_EXISTS");
    expect(err.message).toBe('namespace "lab" already exists (entering the namespace of provider "newNamed")');
    expect(new NamespaceEnterError("custom", true, "odd").code).toBe("ERR_NS_ENTER");
  });

  it("every code is documented in the README's Errors section", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Errors"));
    expect(section.length).toBeLessThan(readme.length);
    for (const code of ERROR_CODES) expect(section).toContain(`\`${code}\``);
  });
});

describe("shown", () => {
  it("shows a long value as its start and its size, never half a surrogate pair; a long message loses its middle", () => {
    expect(shown("eth0")).toBe('"eth0"');
    expect(shown(`${"a".repeat(63)}😀${"b".repeat(10)}`)).toBe(`"${"a".repeat(63)}"… (77 bytes)`);
    expect(shown(Array(100).fill(1))).toBe(`[${"1,".repeat(31)}1… (201 characters)`);
    const error = new ValidationError("name", `"${"x".repeat(100_000)}" is too long`);
    expect(error.message).toMatch(/^name: "x{511}… \(99246 characters cut\) …x{243}" is too long$/);
    expect(error.reason).toMatch(/" is too long$/);
  });
});

describe("HIDDEN_CHARACTERS", () => {
  it("is exactly the general categories Cc, Cf, Zl and Zp, over every code point", () => {
    const byCategory = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
    const differing: number[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      if (HIDDEN_CHARACTERS.test(s) !== byCategory.test(s)) differing.push(c);
    }
    expect(differing).toEqual([]);
  });
});
