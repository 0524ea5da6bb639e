/**
 * YAML 1.1's boolean words (yes, no, on, off, y, n), which YAML 1.2 and so
 * this loader read as text: a file written for PyYAML or Ansible means a
 * boolean by them, so a field that takes one, or a sysctl, says so rather
 * than "must be boolean" or a kernel's EINVAL at apply.
 */
const WORDS = /^(y|yes|n|no|on|off|true|false)$/i;
const TRUE = /^(y|yes|on|true)$/i;

/** The word as a boolean, or undefined when `value` is not one of YAML 1.1's boolean words. */
export function yaml11Boolean(value: unknown): boolean | undefined {
  return typeof value === "string" && WORDS.test(value) ? TRUE.test(value) : undefined;
}

/** What to write instead of a YAML 1.1 boolean word, where `spelling` turns a boolean into the field's own spelling. */
export function yaml11Hint(word: string, spelling: (b: boolean) => string): string {
  return `"${word}" is text in YAML 1.2 (YAML 1.1 read it as a boolean): write ${spelling(yaml11Boolean(word) as boolean)}`;
}
