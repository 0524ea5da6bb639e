/** `LAB:NODE` as a command or a call names a lab's node: the text alone, read without the kernel. */
import { ValidationError } from "../errors.js";
import { labName } from "./shape.js";

/** Splits "LAB:NODE"; undefined for anything else (a plain namespace name has no colon). */
export function parseNodeRef(text: string): { topology: string; node: string } | undefined {
  const [topology, node, ...rest] = text.split(":");
  if (rest.length > 0 || topology === undefined || node === undefined) return undefined;
  if (topology === "" || node === "") throw new ValidationError("node", `"${text}" must be LAB:NODE, both parts non-empty`);
  // A name no lab can have is a mistake in the command (as `destroy NAME` says), not a lab that is not running.
  labName("node", topology);
  return { topology, node };
}
