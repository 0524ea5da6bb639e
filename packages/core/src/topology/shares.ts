/**
 * How destroy splits the mount dir's entries among the pool's workers so
 * that they finish together. Each entry's check reads all of its
 * namespace's links, so one node with many (a star's hub: 500 veth ends)
 * costs as much as dozens of others: split by count, its worker ended
 * 10 to 40 ms after the other at N=500, the other core idle meanwhile.
 */

/**
 * What checking and deleting a namespace costs beyond its links, in links.
 * Measured at N=500 (a star's destroy in the bench's conditions): ~300 µs
 * of CPU a namespace, all threads (its check, unmount and unlink), and 7 to
 * 25 ms to read the hub's 502 links, ~30 µs a link. The checks alone
 * (~150 µs a namespace) would say 5, but the unmounts and unlinks are
 * shared by then, each worker's in the same libuv pool.
 */
export const NAMESPACE_WEIGHT = 12;

/**
 * `items` in at most `count` shares of about equal weight (the heaviest
 * first, each to the lightest share so far), the lightest share first. In a
 * share, the heavier items come first and the order of `items` is kept
 * among equals: a long read (a dump in many parts, each taking the RTNL
 * lock) is done before any worker lets go of the namespaces it deleted,
 * which the kernel then destroys holding that lock in long stretches.
 */
export function shareOut<T>(items: readonly T[], weight: (item: T) => number, count: number): T[][] {
  const weighed = items.map((item, i) => ({ item, i, w: weight(item) }));
  const shares = Array.from({ length: Math.max(1, Math.min(count, items.length)) }, () => ({ total: 0, members: [] as typeof weighed }));
  for (const entry of [...weighed].sort((a, b) => b.w - a.w || a.i - b.i)) {
    const lightest = shares.reduce((min, s) => (s.total < min.total ? s : min));
    lightest.members.push(entry);
    lightest.total += entry.w;
  }
  return shares.sort((a, b) => a.total - b.total).map((s) => s.members.sort((a, b) => b.w - a.w || a.i - b.i).map((e) => e.item));
}
