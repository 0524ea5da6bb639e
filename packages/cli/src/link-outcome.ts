/** What `link show`, `link add` and `link set` print of the link the kernel reports: as link list shows one. */
import type { Link } from "@neslink/core/lean";
import { toLinkJSON } from "@neslink/core/shapes";
import type { Outcome } from "./command.js";
import { fields } from "./output.js";

export function linkOutcome(link: Link): Outcome {
  const shown = toLinkJSON(link);
  return { data: shown, text: fields(shown) };
}
