import { type NsProvider, ns } from "@neslink/core";

/** The namespace --ns names, or the one neslink itself runs in. */
export function target(nsName: string | undefined): NsProvider {
  return nsName === undefined ? ns.now() : ns.name(nsName);
}
