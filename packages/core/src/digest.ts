/**
 * A short hex digest (SHA-256) of text, for names: a cgroup leaf, a program's
 * digest, a lab's tag in temporary link names. node:crypto is taken when the
 * first digest is made, not when a module that can make one is loaded: it
 * brings Node's streams with it (~50M instructions, a sixth of `neslink link
 * list -n NS`), and one-shot reads reach such modules (a `LAB:NODE` lookup
 * and its cgroup check) without making a digest.
 */
export function digestHex(text: string, length: number): string {
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(text).digest("hex").slice(0, length);
}
