/**
 * linkDo from the calling thread, with no worker: what a one-shot `neslink
 * link add|set|del -n NS` or `addr add -n NS` needs, without the ~30 ms of
 * CPU a worker takes to start. The steps are the worker's own
 * (worker/link-do.ts), so the link and the errors are the same.
 *
 * With CAP_SYS_ADMIN (and a way back: namespace/brief-switch.ts), on a
 * socket opened inside the namespace (here.ts):
 * every linkDo but one with custom actions. Without it, on a socket of the
 * caller's namespace that names the other one by the nsid it gives it
 * (netlink/targeted.ts), for what the kernel then does there: create a link
 * of a kind whose every attribute it resolves there, find one, delete one.
 * The thread never leaves its namespace; side effect, as for reads
 * (namespace/read.ts): the target gets an nsid in the caller's namespace.
 */
import type { Link } from "@neslink/codec-wasm";
import type { LinkActionSpec } from "./actions/link-actions.js";
import type { LinkDoResult, NsActionSpec } from "./actions/ns-actions.js";
import { CAP_SYS_ADMIN, hasCaps } from "./capabilities.js";
import { runHere } from "./here.js";
import type { LinkProvider, LinkRef } from "./links/providers.js";
import { mayLeaveBriefly } from "./namespace/brief-switch.js";
import { type ExistingNsProvider, isExisting, type NsProvider } from "./namespace/providers.js";
import { insideView, withTargeted } from "./namespace/read.js";
import type { TargetedSocket } from "./netlink/targeted.js";
import { nsAction } from "./validate/actions.js";
import { nsProvider as checkNsProvider } from "./validate/providers.js";
import { placedError } from "./worker/failures.js";
import { runLinkDo } from "./worker/link-do.js";
import { findLink } from "./worker/link-lookup.js";
import type { SocketAction } from "./worker/socket-actions.js";

/**
 * Kinds the kernel (6.18) makes in the target with everything it names
 * looked up there (name, master): test/integration/link-here.test.ts shows
 * each as the worker makes it. Not a veth (its peer goes to the caller's
 * namespace), vxlan or macvlan (underlay and parent are looked up in the
 * caller's), nor wireguard (its socket would stay in the caller's).
 */
const HERE_KINDS: ReadonlySet<string> = new Set(["bridge", "ifb"]);

/**
 * Whether linkDo in an existing namespace can run from here, for validated
 * arguments: entering it, no custom action; aiming at it, a new link of
 * a kind above with no actions, or a link found and maybe deleted. A change
 * of a link cannot be aimed: with a target, the kernel moves the caller's
 * link of that index or name into it instead.
 */
export function linkDoFitsHere(linkProvider: LinkProvider, actions: readonly LinkActionSpec[]): boolean {
  // One that could enter but not come back (brief-switch.ts) leaves it all to a worker, which reports that, as before.
  if (hasCaps(CAP_SYS_ADMIN)) return mayLeaveBriefly() && actions.every((a) => a.kind !== "custom");
  // One made elsewhere (spec.ns) is sent with the descriptor of where it goes, which an aimed request cannot also carry.
  if (linkProvider.kind === "new") return actions.length === 0 && HERE_KINDS.has(linkProvider.spec.type) && !linkProvider.spec.ns;
  return actions.length === 0 || (actions.length === 1 && actions[0]?.kind === "delete");
}

/** Whether linkDo(nsProvider, linkProvider, ...actions) runs from here (see linkDoFitsHere); false for bad input, which linkDo reports. */
export function canLinkDoHere(nsProvider: NsProvider, linkProvider: LinkProvider, actions: readonly LinkActionSpec[]): boolean {
  let composite: Extract<NsActionSpec, { kind: "link" }>;
  let provider: NsProvider;
  try {
    composite = nsAction("actions", { kind: "link", link: linkProvider, actions }) as typeof composite;
    provider = checkNsProvider("provider", nsProvider);
  } catch {
    return false;
  }
  return isExisting(provider) && linkDoFitsHere(composite.link, composite.actions);
}

/** Whether the link, if there, reads here as inside; if it is not, linkDo fails the same way from here. */
function readsAlike(socket: TargetedSocket, ref: LinkRef, view: (link: Link) => Link | undefined): boolean {
  let link: Link;
  try {
    link = findLink(socket, ref);
  } catch {
    return true;
  }
  return view(link) !== undefined;
}

/**
 * linkDo(nsProvider, linkProvider, ...actions) from here, for validated
 * arguments canLinkDoHere accepts: its result, or (aiming) undefined, with
 * nothing done, for a found link whose peer's namespace the target gives no
 * id (a worker inside must read it, as for readLinks).
 */
export async function linkDoHere(
  nsProvider: ExistingNsProvider,
  linkProvider: LinkProvider,
  actions: readonly LinkActionSpec[],
): Promise<LinkDoResult | undefined> {
  if (mayLeaveBriefly()) {
    const composite = { kind: "link", link: linkProvider, actions } as SocketAction;
    return (await runHere(nsProvider, [composite], true))[0] as LinkDoResult;
  }
  return withTargeted(nsProvider, async (socket) => {
    const view = insideView(socket);
    if (linkProvider.kind !== "new" && !readsAlike(socket, linkProvider, view)) return undefined;
    let done: LinkDoResult;
    try {
      done = await runLinkDo(socket, linkProvider, actions);
    } catch (err) {
      throw placedError([{ kind: "link" }], true, 0, err, true);
    }
    // Checked above: the ids the link needs are there (a namespace that went meanwhile leaves the caller's number).
    return { ...done, link: view(done.link) ?? done.link };
  });
}
