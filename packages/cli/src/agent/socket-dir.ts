/**
 * The directory the agent's socket lives in: made private (0700) when it
 * does not exist; refused when someone else could swap the socket in it
 * (owned by another user, or writable by others without the sticky bit).
 */
import { mkdirSync, statSync } from "node:fs";
import { ValidationError } from "@neslink/core/errors";

export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { uid, mode } = statSync(dir);
  const me = process.getuid?.() ?? 0;
  if (uid !== me && uid !== 0) throw new ValidationError("--socket", `${dir} belongs to uid ${uid}, neither you nor root`);
  if ((mode & 0o022) !== 0 && (mode & 0o1000) === 0) {
    const octal = (mode & 0o7777).toString(8);
    throw new ValidationError("--socket", `${dir} is writable by others (mode ${octal}): they could replace the agent's socket`);
  }
}
