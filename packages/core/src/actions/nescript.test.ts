import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { expand } from "./nescript.js";

const refusal = (template: string, vars: Record<string, string | number> = {}) => {
  try {
    expand(template, vars);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("accepted");
};

describe("NEScript templates", () => {
  it("fill {{name}} and the Go seed's {{.Name}}, each value one quoted word", () => {
    expect(expand("sleep 3 && {{.Command}} address list", { Command: "ip" })).toBe("sleep 3 && 'ip' address list");
    expect(expand("{{ .A }}-{{a}}-{{ b }}", { A: "x y", a: "it's", b: 7 })).toBe("'x y'-'it'\\''s'-'7'");
  });

  it("refuse any other {{...}}, naming it, rather than pass it to the shell", () => {
    for (const tag of ["{{if .A}}", "{{.A.B}}", "{{}}", "{{ . }}", "{{- .A -}}", "{{.A | printf}}", "{{$x}}", "{{ a b }}"]) {
      const err = refusal(`echo ${tag}`, { A: "1", a: "1" });
      expect(err.field).toBe("script");
      expect(err.message).toContain(tag);
    }
    expect(refusal("echo {{.A").message).toMatch(/not closed/);
    expect(refusal("echo {{a}} {{", { a: "1" }).message).toMatch(/not closed/);
  });

  it("name a variable the script uses but is not given", () => {
    expect(refusal("{{.Missing}}").field).toBe("vars.Missing");
    // Only the variables' own keys: nothing inherited from Object.prototype.
    expect(refusal("{{constructor}}").field).toBe("vars.constructor");
    expect(refusal("{{a}}", { a: "x\0y" }).field).toBe("vars.a");
  });

  it("take vars only as an object of strings and numbers, naming what is not", () => {
    for (const vars of [null, "a=1", ["1"]]) expect(refusal("echo {{a}}", vars as never).field).toBe("vars");
    // Anything else would be quoted as what String() makes of it: "[object Object]", "true", "null", a toString's choice.
    for (const value of [{}, { toString: () => "x" }, true, null, Number.NaN, 1n]) {
      expect(refusal("echo {{a}}", { a: value } as never).field, String(value)).toBe("vars.a");
    }
  });

  it("quote what they refuse as every message does: its start and its size, not the whole", () => {
    const long = "x".repeat(200);
    const messages = [
      refusal(`echo {{ if ${long} }}`).message,
      refusal("echo {{a}}", { a: { [long]: 1 } } as never).message,
      refusal("echo {{a}}", long as never).message,
      refusal("echo {{a}}", { a: { toString: () => long, key: long } } as never).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain("x".repeat(65));
      expect(message).toMatch(/… \(\d+ (bytes|characters)\)/);
    }
  });
});
