/**
 * The mount table as /proc/PID/mountinfo gives it (proc(5)): one source for
 * every reader of it in core (the cgroup v2 mount, the namespaces of a mount
 * dir).
 */

export interface Mount {
  id: string;
  parent: string;
  /** The mounted file's path in its filesystem; an nsfs mount's says its namespace (`net:[4026532177]`). */
  root: string;
  /** Where it is mounted, octal escapes undone. */
  at: string;
  fstype: string;
  /** Whether it propagates to and from a peer group (its optional field `shared:N`): mounts made below it reach every peer. */
  shared: boolean;
}

/** A mount point as mountinfo writes it: space, tab, newline and backslash as three octal digits (the rest as the name's bytes). */
const unescapeOctal = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/** The mounts of a mountinfo text, in its order. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
    const dash = fields.indexOf("-", 6);
    if (dash < 0) continue;
    const [id, parent, , root, at] = fields as [string, string, string, string, string];
    const shared = fields.slice(6, dash).some((field) => field.startsWith("shared:"));
    mounts.push({ id, parent, root: unescapeOctal(root), at: unescapeOctal(at), fstype: fields[dash + 1] ?? "", shared });
  }
  return mounts;
}
