/**
 * How destroy splits the mount dir's entries among the pool's workers so
 * that they finish together. Each entry's check reads all of its
 * namespace's links, so one node with many (a star's hub: 500 veth ends)
 * costs as much as dozens of others: split by count, its worker replied 12
 * to 40 ms after the other at N=500. The more workers, the smaller each
 * share and the larger such a node's part of its worker's.
 */

/**
 * What checking and deleting a namespace costs beyond its links, in links:
 * at N=500 (a star's destroy in the bench's conditions), ~300 µs of CPU a
 * namespace, every thread (its check, unmount and unlink), against 7 to 25
 * ms to read the hub's 502 links, ~30 µs a link.
 */
export const NAMESPACE_WEIGHT = 10;

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
