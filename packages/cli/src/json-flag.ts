/** Whether errors must be printed as JSON: known even when the rest of argv does not parse (and before anything is loaded). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}
