/** A named namespace as every adapter prints a listing of them: as `ip -j netns list` gives one. */
export interface NetnsJSON {
  /** Its entry's name in the mount dir (/run/netns): what `ip netns` and `ns.name()` take. */
  name: string;
  /**
   * The id (nsid) the lister's namespace gives it, if it has given one (`ip netns set NAME auto`, or the kernel, for
   * a link whose peer is there); left out when there is none, as ip leaves it out.
   */
  id?: number;
}
