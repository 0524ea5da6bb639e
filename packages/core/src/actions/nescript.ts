/**
 * NEScript templates: `{{name}}`, or the Go seed's field form `{{.Name}}`,
 * replaced by a variable's value quoted as one shell word. Anything else in
 * `{{...}}` is refused: left in, it would reach the shell as text.
 */
import { everyHiddenCharacter, HIDDEN_CHARACTERS, shown, ValidationError } from "../errors.js";
import { readingAs } from "../validate/shape.js";

const TAG = /\{\{([\s\S]*?)\}\}/g;
const VARIABLE = /^\s*\.?([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** Shell-quotes a value so that a template variable is always one word, never code. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Words a shell reads as themselves: shown bare (Python's shlex.quote leaves the same ones). */
const PLAIN = /^[\w@%+=:,./-]+$/;

const C_ESCAPES: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\", "'": "\\'" };

/** A character as bash's $'...' writes it: \n, \x1b, \u200b, \U000e0001. */
function cEscape(c: string): string {
  const code = c.codePointAt(0) as number;
  if (C_ESCAPES[c] !== undefined) return C_ESCAPES[c];
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\U${code.toString(16).padStart(8, "0")}`;
}

/**
 * A word as a shell reads it: bare, or in '...'; one holding a newline, a
 * control or an invisible character in $'...' with that character escaped,
 * so that the command stays one line and shows every character it has.
 */
function shellWord(word: string): string {
  if (PLAIN.test(word)) return word;
  if (!HIDDEN_CHARACTERS.test(word)) return shellQuote(word);
  return `$'${word.replace(/[\\']/g, cEscape).replace(everyHiddenCharacter(), cEscape)}'`;
}

/** An argv as a shell would need it typed: a word with spaces, `$(...)` or quotes is quoted, so it reads as the one word it is. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(" ");
}

/** The template with each variable replaced; a ValidationError names a tag it cannot fill. */
export function expand(template: string, vars: Readonly<Record<string, string | number>>): string {
  if (typeof vars !== "object" || vars === null || Array.isArray(vars))
    throw new ValidationError("vars", `must be an object of strings and numbers, got ${Array.isArray(vars) ? "an array" : shown(vars)}`);
  const body = template.replace(TAG, (tag, inner: string) => {
    const key = VARIABLE.exec(inner)?.[1];
    if (key === undefined) throw new ValidationError("script", `${shown(tag)} is not a template variable ({{name}} or {{.Name}})`);
    const value: unknown = readingAs(`vars.${key}`, () => (Object.hasOwn(vars, key) ? vars[key] : undefined));
    if (value === undefined) throw new ValidationError(`vars.${key}`, "is used by the script but not given");
    // Anything else would be quoted as whatever String() makes of it ("[object Object]", "null", a toString's choice).
    if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value)))
      throw new ValidationError(`vars.${key}`, `must be a string or a finite number, got ${shown(value)}`);
    if (String(value).includes("\0")) throw new ValidationError(`vars.${key}`, "contains NUL");
    return shellQuote(String(value));
  });
  const unclosed = template.replace(TAG, "").indexOf("{{");
  if (unclosed >= 0)
    throw new ValidationError("script", `"{{" is not closed: ${JSON.stringify(template.replace(TAG, "").slice(unclosed, unclosed + 20))}`);
  return body;
}
