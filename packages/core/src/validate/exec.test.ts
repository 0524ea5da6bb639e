import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { exec } from "../actions/ns-actions.js";
import { ValidationError } from "../errors.js";
import { nsAction } from "./actions.js";

/** The options an exec action carries. */
const optionsOf = (action: ReturnType<typeof exec>) => (action as Extract<typeof action, { kind: "exec" }>).options;

describe("exec's options and port", () => {
  it("keep what is given; no timeout and no maxBuffer unless given (the worker applies 16 MiB)", () => {
    expect(optionsOf(exec(["true"]))).toEqual({});
    expect(optionsOf(exec(["true"], { env: { A: "1" }, cwd: "/tmp", input: "x", timeoutMs: 5, maxBuffer: 10 }))).toEqual({
      env: { A: "1" },
      cwd: "/tmp",
      input: "x",
      timeoutMs: 5,
      maxBuffer: 10,
    });
  });

  it("name the field at fault", () => {
    expect(() => exec(["true"], { maxBuffer: 0 })).toThrow(ValidationError);
    expect(() => exec(["true"], { maxBuffer: 0 })).toThrow(/options\.maxBuffer/);
    expect(() => exec(["true"], { maxBuffer: 1.5 })).toThrow(/options\.maxBuffer/);
  });

  it("a port must be a MessagePort, as spawn sends it; the worker's check lets it through", () => {
    const { port1, port2 } = new MessageChannel();
    try {
      expect(nsAction("", { kind: "exec", argv: ["cat"], options: {}, port: port2 })).toMatchObject({ port: port2 });
      expect(() => nsAction("", { kind: "exec", argv: ["cat"], options: {}, port: { postMessage() {} } })).toThrow(/port/);
    } finally {
      port1.close();
    }
  });

  it("group is true or false; not with stdio inherit (the terminal's foreground group); a control port is a MessagePort", () => {
    expect(optionsOf(exec(["true"], { group: true }))).toEqual({ group: true });
    expect(() => exec(["true"], { group: "yes" as unknown as boolean })).toThrow(/options\.group/);
    expect(nsAction("", { kind: "exec", argv: ["cat"], options: { group: true }, stdio: "pipe" })).toMatchObject({ stdio: "pipe" });
    expect(() => nsAction("", { kind: "exec", argv: ["cat"], options: { group: true }, stdio: "inherit" })).toThrow(/options\.group/);
    expect(nsAction("", { kind: "exec", argv: ["cat"], options: { group: false }, stdio: "inherit" })).toMatchObject({ stdio: "inherit" });
    const { port1, port2 } = new MessageChannel();
    try {
      expect(nsAction("", { kind: "exec", argv: ["cat"], options: {}, control: port2 })).toMatchObject({ control: port2 });
      expect(() => nsAction("", { kind: "exec", argv: ["cat"], options: {}, control: {} })).toThrow(/control/);
    } finally {
      port1.close();
    }
  });
});
