/**
 * A socket in the calling thread's namespace whose link requests act in
 * another one, named by the nsid the caller's namespace gives it
 * (IFLA_TARGET_NETNSID): no thread enters the other namespace. The kernel
 * (6.18) honours the target for what this socket sends: creating a link
 * (RTM_NEWLINK with NLM_F_CREATE, its name, master and the other attributes
 * looked up there), deleting one by index, reading one or all, and its
 * addresses (IFA_TARGET_NETNSID). It sends
 * nothing else while aimed: a change of an existing link with a target
 * (RTM_NEWLINK or RTM_SETLINK by index or name) has the kernel find the link
 * in the caller's namespace and move it into the target; other requests
 * have no such attribute, and would act in the caller's namespace.
 */
import { nsidOf } from "./nsid.js";
import { NetlinkSocket, type Pending, type RequestBody } from "./socket.js";

/** The requests that act where IFLA_TARGET_NETNSID says, as the codec's types carry it. */
const AIMABLE = new Set<RequestBody["type"]>(["newLink", "delLink", "getLink", "getLinkDump", "getAddrDump"]);
/** Requests about nsids, which name the namespaces they concern themselves (a descriptor, a target nsid): they go as they are. */
const SELF_AIMED = new Set<RequestBody["type"]>(["getNsid", "newNsid", "getNsidDump"]);

export class TargetedSocket extends NetlinkSocket {
  /** The nsid its link requests carry; undefined: the target is the caller's own namespace, and they go as they are. */
  readonly target: number | undefined;

  /** A socket aimed at the namespace open as `nsFd` (`own`: the calling thread's; see namespace/target.ts). */
  constructor(nsFd: number, own: boolean) {
    // Strict, as iproute2's: the kernel then reads a dump's target too (see netlink/nsid.ts).
    super({ strict: true });
    try {
      this.target = own ? undefined : nsidOf(this, nsFd);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  override get local(): boolean {
    return this.target === undefined;
  }

  override transactEach(batch: readonly Pending[]): ReturnType<NetlinkSocket["transactEach"]> {
    const target = this.target;
    if (target === undefined) return super.transactEach(batch);
    return super.transactEach(batch.map((pending) => aimed(pending, target)));
  }
}

/** The request as the socket sends it to the namespace known as `targetNsid`; a request the target would not govern is refused. */
export function aimed(pending: Pending, targetNsid: number): Pending {
  const { request, label } = pending;
  if (SELF_AIMED.has(request.type)) return pending;
  // Sent untargeted it would act in the caller's namespace: never.
  if (!AIMABLE.has(request.type)) throw new Error(`a ${request.type} request cannot be aimed at another namespace by nsid`);
  return { request: { ...request, targetNsid } as RequestBody, label };
}
