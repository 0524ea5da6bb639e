/** The known word a mistyped one was probably meant to be, for "did you mean" hints. */

/** Edits (insert, delete, replace, swap two neighbours) from a to b: "yse" is one from "yes". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The word of `known` nearest to `typed`, if near enough to be a slip (at most two edits, and fewer than half
 * its letters: "ns" is not a slip for "yes"); the first of equals. Undefined when none is.
 */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const word of known) {
    const d = distance(typed, word);
    if (d < bestDistance && d <= 2 && d * 2 < Math.max(typed.length, word.length)) {
      best = word;
      bestDistance = d;
    }
  }
  return best;
}
