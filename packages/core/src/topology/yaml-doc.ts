/**
 * YAML text to a document with every input bounded: the nesting and the
 * tokens are counted as the parser goes, so a file of a million `[` stops at
 * the limit instead of costing seconds and gigabytes, and so is each key's or
 * value's length, before the yaml package resolves it; keys are read as written (`010:` is the
 * node "010", not 10) and their uniqueness is checked once per key rather
 * than against every earlier key (the yaml package's check is quadratic: a
 * 1 MB file of nodes took 44 s). What YAML versions read differently is
 * refused rather than guessed.
 */
import type { CST, Document, LineCounter, Node, Parser, Scalar, YAMLError } from "yaml";
import type { Path } from "./problems.js";

/** Deeper than any topology: nothing the format defines nests more than a few levels. */
export const MAX_DEPTH = 32;

/** The yaml package, loaded on first use: importing core should not pay for it. */
let yaml: typeof import("yaml") | undefined;
export const yamlLib = () => {
  yaml ??= process.getBuiltinModule("node:module").createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yaml;
};

/** A problem in the text, at an offset; `path` when it belongs to a value. */
export interface TextProblem {
  message: string;
  offset: number;
  path?: Path;
}

/**
 * Far above any lab (a 2000-node star like the 500-node example has
 * ~150,000), far below what hurts: the yaml package costs microseconds and
 * hundreds of bytes per token, and 16 MB of `1,` took a minute and 4 GB.
 */
export const MAX_TOKENS = 500_000;

/**
 * The longest key or value read, in characters: eight times the longest field (a command, 128 KiB). Past it a scalar
 * is refused before the yaml package resolves it, which costs ~40 bytes a character for a double-quoted one (built a
 * character at a time): one 10 MB value took 440 MB and 4 s.
 */
export const MAX_SCALAR_CHARS = 1 << 20;

/** Why the parse stopped, and where; `path` when it is known. */
class Stop extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly path?: Path,
  ) {
    super(message);
  }
}

/**
 * Where the parser stands, from the collections open on its stack: the path of the scalar it has just placed, and
 * whether that is a map's new key (a path to the map) rather than a value.
 */
function pathInStack(stack: readonly CST.Token[]): { path: Path; key: boolean } {
  const path: (string | number)[] = [];
  for (const token of stack) {
    if (token.type === "block-seq" || (token.type === "flow-collection" && token.start.source === "["))
      path.push(Math.max(token.items.length - 1, 0));
    else if (token.type === "block-map" || token.type === "flow-collection") {
      const item = token.items.at(-1) as CST.CollectionItem | undefined;
      if (item?.value !== undefined || !item?.sep?.some((t) => t.type === "map-value-ind")) return { path, key: true };
      path.push(yamlLib().CST.resolveAsScalar(item.key)?.value ?? "");
    }
  }
  return { path, key: false };
}

/** What makes a double-quoted scalar mean something else single-quoted: an escape, a folded line break, a single quote. */
const NOT_AS_SINGLE = /[\\\r\n']/;

/** What JSON reads `lexeme` as, if it reads it at all: on one line, with JSON's escapes only, it reads as YAML does. */
function jsonString(lexeme: string): string | undefined {
  try {
    return JSON.parse(lexeme) as string;
  } catch {
    return undefined;
  }
}

/**
 * A double-quoted scalar as the single-quoted one it means, as the lexemes to give the parser: where it has nothing
 * NOT_AS_SINGLE (JSON's strings, mostly), the same text; where JSON reads its escapes and its value has no line break
 * (which a single-quoted one would fold), that value, then the spaces that keep what follows in its place (an escape is
 * longer than what it stands for). Resolved by the yaml package at ~1 byte a character rather than ~40 (it builds a
 * double-quoted one a character at a time: 15 MB of JSON strings, each under any bound, took 580 MB and 7 s; one of
 * 1 MiB with escapes, 29 MB).
 */
function asSingleQuoted(lexeme: string): string[] {
  if (lexeme.length < 2 || lexeme[0] !== '"' || lexeme[lexeme.length - 1] !== '"') return [lexeme];
  if (!NOT_AS_SINGLE.test(lexeme)) return [`'${lexeme.slice(1, -1)}'`];
  const value = jsonString(lexeme);
  if (value === undefined || /[\r\n]/.test(value)) return [lexeme];
  const single = `'${value.replaceAll("'", "''")}'`;
  const pad = lexeme.length - single.length;
  if (pad < 0) return [lexeme];
  return pad === 0 ? [single] : [single, " ".repeat(pad)];
}

/** Spaces or tabs, as the lexer gives them: all that may stand between an implicit key and its `:`. */
const BLANK = /^[ \t]+$/;

/**
 * The Stop for a scalar past MAX_SCALAR_CHARS, where it stands. The parser is given a one-character stand-in of the
 * same kind, so that it places it as it would the scalar: a key of the map, or of a map it returns to, even right
 * after a key with no value (`h1:`), whose value the stack alone would take it for; a value; and a `:` after it makes
 * that value a key of the map it opens (`h1:\n    "…": {}`).
 */
function tooLong(parser: Parser, lexeme: string, rest: Iterator<string>, offset: number): Stop {
  for (const _ of parser.next(lexeme[0] === '"' || lexeme[0] === "'" ? lexeme[0] : "x"));
  const { path, key } = pathInStack(parser.stack);
  let next = rest.next();
  while (!next.done && BLANK.test(next.value)) next = rest.next();
  const size = `longer than ${MAX_SCALAR_CHARS} characters, more than any field takes: too large for a topology`;
  return new Stop(key || (!next.done && next.value === ":") ? `has a key ${size}` : `is ${size}`, offset, path);
}

/** The parser's tokens, stopped once its stack (the document and the collections open at this point) passes the limit. */
function* boundedTokens(text: string, lineCounter: LineCounter) {
  const { CST, Lexer, Parser } = yamlLib();
  const parser = new Parser(lineCounter.addNewLine);
  // Parser.parse counts the first line itself; fed token by token, it is ours to count.
  lineCounter.addNewLine(0);
  let tokens = 0;
  let previous = "";
  const lexemes = new Lexer().lex(text);
  for (const lexeme of lexemes) {
    const offset = parser.offset;
    if (++tokens > MAX_TOKENS) throw new Stop(`too large for a topology: more than ${MAX_TOKENS} YAML tokens by here`, offset);
    if (lexeme.length > MAX_SCALAR_CHARS && (previous === CST.SCALAR || lexeme[0] === '"' || lexeme[0] === "'"))
      throw tooLong(parser, lexeme, lexemes, offset);
    previous = lexeme;
    for (const part of asSingleQuoted(lexeme)) yield* parser.next(part);
    // Two levels are the document and its top mapping: a value at MAX_DEPTH is refused by plainData too.
    if (parser.stack.length > MAX_DEPTH + 2) throw new Stop(`nested deeper than ${MAX_DEPTH} levels`, offset);
  }
  yield* parser.end();
}

/** The one document of `text`, or the problems that stopped it (too deep, too large, a second document). */
export function composeDocument(text: string, lineCounter: LineCounter): { doc?: Document.Parsed; problems: TextProblem[] } {
  const { Composer } = yamlLib();
  const composer = new Composer({ prettyErrors: false, strict: true, stringKeys: true, uniqueKeys: false });
  let doc: Document.Parsed | undefined;
  try {
    for (const next of composer.compose(boundedTokens(text, lineCounter), true, text.length)) {
      if (doc === undefined) doc = next;
      else return { doc, problems: [{ message: "a second document (after ---): a topology file holds one", offset: next.range[0] }] };
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { problems: [{ message: err.message, offset: err.offset, ...(err.path && { path: err.path }) }] };
  }
  return { ...(doc && { doc }), problems: [] };
}

/** A plain number written with a leading zero: octal to YAML 1.1 (and to ip), decimal to YAML 1.2. */
const LEADING_ZERO = /^[-+]?0[0-9]/;

function leadingZero(scalar: Scalar): string | undefined {
  const source = (scalar as Scalar & { source?: string }).source;
  if (typeof scalar.value !== "number" || scalar.type !== "PLAIN" || source === undefined || !LEADING_ZERO.test(source)) return undefined;
  const digits = source.replace(/^[-+]?0+/, "") || "0";
  const octal = /^[0-7]+$/.test(digits) ? `, or 0o${digits} for octal ${Number.parseInt(digits, 8)}` : "";
  return `${source} has a leading 0, which ip and YAML 1.1 read as octal but YAML 1.2 as decimal: write ${scalar.value}${octal}`;
}

/**
 * Whether the parse error `e` is the yaml package's refusal of an alias as a key ("With stringKeys, all keys must
 * be strings", at no field): ambiguities says it instead, naming the mapping.
 */
export const isAliasKeyError = (text: string, e: YAMLError) => e.code === "NON_STRING_KEY" && text[e.pos[0]] === "*";

/**
 * What the document says that a reader could take two ways: a key given
 * twice in one mapping, a number with a leading zero, an alias as a key
 * (valid YAML, but its uniqueness could only be checked once it is expanded,
 * and it may stand for a number or a mapping: refused, with the key to
 * write). Walked without recursion; aliases are not followed (their target
 * is walked where it is).
 */
export function ambiguities(doc: Document.Parsed, lineCounter: LineCounter): TextProblem[] {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  const out: TextProblem[] = [];
  const stack: [Node | null | undefined, Path][] = [[doc.contents as Node | null, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [Node | null | undefined, Path];
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const name = isScalar(key) ? String(key.value) : undefined;
        const offset = key?.range?.[0] ?? node.range?.[0] ?? 0;
        if (isAlias(key))
          out.push({ message: `*${key.source}: an alias (*name) as a key is not read: write the key itself`, offset, path });
        if (name !== undefined) {
          const first = seen.get(name);
          if (first !== undefined) {
            const { line, col } = lineCounter.linePos(first);
            out.push({ message: `is given twice (first at line ${line}, column ${col})`, offset, path: [...path, name] });
          } else seen.set(name, offset);
        }
        stack.push([pair.value as Node | null, name === undefined ? path : [...path, name]]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        stack.push([item as Node | null, [...path, i]]);
      });
    } else if (isScalar(node)) {
      const message = leadingZero(node);
      if (message) out.push({ message, offset: node.range?.[0] ?? 0, path });
    }
  }
  return out;
}

/** What a file is read up to (a 2000-node star is ~300 KB); what is parsed is bounded by its tokens, MAX_TOKENS. */
export const MAX_TOPOLOGY_BYTES = 16 << 20;

/**
 * The text (strings, keys included, in UTF-8) a document may stand for once its aliases are expanded: twice what a
 * file may hold, so that aliases at most double it. Every value is shared, not copied, when the file is read, but what
 * reads it after (a plan's lines, each error naming its value) writes each copy: 2000 aliases of a 100 KB command, in
 * a 122 KB file, had plan print 200 MB in 1.2 GB of memory.
 */
export const MAX_EXPANDED_BYTES = 2 * MAX_TOPOLOGY_BYTES;

/** What a node stands for once its aliases are expanded. */
interface Size {
  values: number;
  bytes: number;
}

/**
 * What is wrong with the document's aliases (*name), at the alias: one with
 * no anchor (&name) before it, one inside its own anchor (endless copies), or
 * the one at which the values, each alias counted as a copy of its anchor's
 * value as plainData counts them once parsed, pass MAX_TOKENS (a "billion
 * laughs" of nested aliases is refused where it passes, not at the file's
 * start), or their text passes MAX_EXPANDED_BYTES. Each anchor's size is kept,
 * so every node is walked once; the recursion is as deep as the text nests,
 * which the parse bounded.
 *
 * When there is no problem, every alias has been replaced by its anchor's
 * node, so that doc.toJS need not look each one up: the yaml package finds an
 * alias's anchor by walking the document from its start, once per alias
 * (12,000 aliases took 15 s; a file of 50,000 would take minutes). Its own
 * limit, toJS's maxAliasCount, counts the nodes an alias repeats, not their
 * text: it cannot bound this.
 */
export function inlineAliases(doc: Document.Parsed): TextProblem | undefined {
  const { isAlias, isCollection, isPair, isScalar } = yamlLib();
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, Size>();
  const total: Size = { values: 1, bytes: 0 };
  const walk = (node: unknown): TextProblem | undefined => {
    if (isAlias(node)) {
      const at = (message: string) => ({ message: `*${node.source}: ${message}`, offset: node.range?.[0] ?? 0 });
      const target = anchors.get(node.source);
      if (target === undefined) return at(`no anchor &${node.source} comes before it`);
      const size = sizes.get(target) ?? { values: 0, bytes: 0 };
      if (size.values === Number.POSITIVE_INFINITY) return at(`is inside its own anchor &${node.source}, so it stands for endless copies`);
      total.values += size.values;
      total.bytes += size.bytes;
      if (total.values > MAX_TOKENS)
        return at(`more than ${MAX_TOKENS} values once the aliases (*name) are expanded: too large for a topology`);
      if (total.bytes > MAX_EXPANDED_BYTES)
        return at(`more than ${MAX_EXPANDED_BYTES} bytes of text once the aliases (*name) are expanded: too large for a topology`);
      return undefined;
    }
    const anchor = (node as Node | null)?.anchor;
    if (anchor) anchors.set(anchor, node as Node);
    if (!isCollection(node)) {
      const bytes = isScalar(node) && typeof node.value === "string" ? Buffer.byteLength(node.value) : 0;
      total.bytes += bytes;
      if (anchor) sizes.set(node as Node, { values: 0, bytes });
      return undefined;
    }
    const before = { ...total };
    // While it is walked: an alias of it found meanwhile is inside it.
    if (anchor) sizes.set(node, { values: Number.POSITIVE_INFINITY, bytes: 0 });
    total.values += node.items.length;
    const inline = (value: unknown, put: (target: Node) => void) => {
      const problem = walk(value);
      if (problem === undefined && isAlias(value)) put(anchors.get(value.source) as Node);
      return problem;
    };
    for (const [i, item] of node.items.entries()) {
      const problem = isPair(item)
        ? (inline(item.key, (target) => {
            item.key = target;
          }) ??
          inline(item.value, (target) => {
            item.value = target;
          }))
        : inline(item, (target) => {
            node.items[i] = target;
          });
      if (problem) return problem;
    }
    if (anchor) sizes.set(node, { values: total.values - before.values, bytes: total.bytes - before.bytes });
    return undefined;
  };
  return walk(doc.contents);
}
