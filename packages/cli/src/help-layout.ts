/**
 * Help text laid out for the narrowest common terminal: 80 columns, whatever
 * the length of a synopsis or of a command's details as written.
 */

/** Columns a line of help may take: a terminal's default width. */
export const HELP_WIDTH = 80;

/** The widest term (a synopsis, an option's flags) that shares its line with its description; a wider one gets its own. */
const TERM_MAX = 32;

/**
 * The words of `text`. A `quoted command` stays one word, and so does a synopsis's bracketed group (`[via IP]`,
 * `[table ID|main]`) when `keepBrackets`: a wrapped line never splits what is to be read, or typed, whole.
 */
function words(text: string, keepBrackets: boolean): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let word = "";
  for (const ch of text) {
    if (ch === " " && depth === 0 && !quoted) {
      if (word !== "") out.push(word);
      word = "";
      continue;
    }
    if (ch === "`") quoted = !quoted;
    else if (keepBrackets && ch === "[") depth++;
    else if (keepBrackets && ch === "]") depth = Math.max(0, depth - 1);
    word += ch;
  }
  if (word !== "") out.push(word);
  return out;
}

/**
 * `text` filled into lines of at most HELP_WIDTH columns, the first starting with `first`, the others with `rest`;
 * each line ends with a newline. A word too long for any line gets one to itself.
 */
export function wrap(text: string, first: string, rest: string, keepBrackets = false): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words(text, keepBrackets)) {
    if (!empty && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => `${l.trimEnd()}\n`).join("");
}

/**
 * Two columns, indented by two: terms, then what each means. A term wider than TERM_MAX is on a line of its own
 * and its description on the next, at the descriptions' column, so that one long synopsis does not push every
 * description off the screen.
 */
export function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([term]) => term.length).filter((n) => n <= TERM_MAX));
  const column = " ".repeat(2 + width + 2);
  return rows
    .map(([term, text]) =>
      term.length <= width
        ? wrap(text, `  ${term.padEnd(width)}  `, column)
        : `${wrap(term, "  ", "      ", true)}${wrap(text, column, column)}`,
    )
    .join("");
}

/** A line that ends a sentence ends its paragraph: what follows it was begun on a line of its own. */
const SENTENCE_END = /[.!?][)"'`]*$/;

/**
 * Prose as written (a command's details), with each paragraph that has a line wider than HELP_WIDTH filled again
 * to fit; paragraphs that fit keep the lines their author chose. An indented line (a table row in the details) is
 * never joined to another: if too wide, it wraps under its own second field.
 */
export function reflow(text: string): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.some((l) => l.length > HELP_WIDTH)) out.push(wrap(paragraph.join(" "), "", "").slice(0, -1));
    else out.push(...paragraph);
    paragraph = [];
  };
  for (const line of text.split("\n")) {
    const indent = /^ */.exec(line)?.[0] ?? "";
    if (line.trim() === "" || indent !== "") {
      flush();
      const head = /^ +\S+ +/.exec(line)?.[0] ?? indent;
      out.push(line.length <= HELP_WIDTH ? line : wrap(line.slice(head.length), head, " ".repeat(head.length)).slice(0, -1));
      continue;
    }
    paragraph.push(line);
    if (SENTENCE_END.test(line)) flush();
  }
  flush();
  return out.join("\n");
}
