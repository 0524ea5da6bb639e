/**
 * The namespace a command works in, as given to -n: a name under /run/netns,
 * a path (it has a "/"), a process id (all digits), or a running lab's node as
 * LAB:NODE, found by the kernel's marker (else a name under /run/netns that has
 * the colon itself). None: the namespace neslink runs in.
 */
import { NotFoundError, ValidationError } from "@neslink/core/errors";
import type { NsProvider } from "@neslink/core/read";
import { linker, reader } from "./core.js";

const PID = /^[1-9]\d*$/;

type Namespaces = Awaited<ReturnType<typeof reader>>["ns"];

/**
 * `from`: the part of core the command loads anyway, whose `ns` gives the
 * provider: linker()'s for a change, reader()'s for a read (either brings the
 * codec with it), spawner()'s for exec. A change given reader()'s would load
 * both entries (~15M instructions more).
 * `field`: the word the namespace was given by (-n, netns, NS), which a bad
 * one is refused under: core's own parameter (path, name) is not the user's.
 */
export async function target(
  spec: string | undefined,
  from: () => Promise<{ ns: Namespaces }> = linker,
  field = "-n",
): Promise<NsProvider> {
  // A provider alone starts nothing; LAB:NODE reads the node's marker (a pool only for a node not under its default name).
  const { ns } = await from();
  if (spec === undefined) return ns.now();
  try {
    return await providerOf(ns, spec);
  } catch (err) {
    throw err instanceof ValidationError ? new ValidationError(field, err.reason) : err;
  }
}

async function providerOf(ns: Namespaces, spec: string): Promise<NsProvider> {
  if (spec.includes("/")) return ns.path(spec);
  if (PID.test(spec)) return ns.process(Number(spec));
  if (spec.includes(":")) return ns.name(await named(spec));
  return ns.name(spec);
}

/** LAB:NODE's namespace, or a namespace named so; a name that is neither is told how a namespace is reached whatever its name. */
async function named(spec: string): Promise<string> {
  const { locateNamed } = await reader();
  try {
    return await locateNamed(spec);
  } catch (err) {
    if ((err as { code?: string }).code !== "ERR_NS_NOT_FOUND") throw err;
    throw new NotFoundError("namespace", `${(err as Error).message} (-n /run/netns/NAME reaches a namespace by its path)`, { cause: err });
  }
}
