#!/usr/bin/env bash
# Peer "ip-batch": iproute2 at its best, driven from bash.
#   - one `ip -batch` creates all N+1 namespaces;
#   - (IPv6 off) one `ip -batch` of `netns exec NS sysctl ...` lines (ip forks
#     sysctl per namespace; there is no exec-free way to set a per-namespace
#     sysctl with iproute2);
#   - one `ip -n HUB -batch` creates the bridges, the veth pairs chaining them
#     (lib.sh) and every namespace's veth pair, each hub end created already
#     enslaved and up, each peer created directly inside its namespace
#     (`peer name eth0 netns NS`; the kernel refuses `up` on a peer in another
#     namespace, so eth0 is brought up afterwards);
#   - one `ip -n NS -batch` per namespace for lo up, address, eth0 up
#     (a batch line cannot name a namespace: `-n` is a global option only);
#   - inventory: one `ip -br -n NS addr show` per namespace (links and their
#     addresses in one process; `ip -all netns exec` would fork+exec the same);
#   - teardown: one `ip -batch` of `netns del` lines.
# Usage: ip-batch.sh N PREFIX.  peak_rss_kb: as for ip-per-op (largest single
# process of the tree, from GNU time).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_rss_wrap "$@"
bench_args "$@"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# ---- setup ----
t0=$(now_us)
{
  echo "netns add $HUB"
  for ((i = 1; i <= N; i++)); do echo "netns add ${P}n$i"; done
} | ip -batch -
if [[ $IPV6 == off ]]; then
  {
    echo "netns exec $HUB sysctl -qw net.ipv6.conf.all.disable_ipv6=1"
    for ((i = 1; i <= N; i++)); do echo "netns exec ${P}n$i sysctl -qw net.ipv6.conf.all.disable_ipv6=1"; done
  } | ip -batch -
fi
{
  echo "link set lo up"
  for ((k = 0; k < B; k++)); do
    echo "link add ${P}br$k type bridge"
    echo "link set ${P}br$k up"
  done
  for ((k = 1; k < B; k++)); do
    # the kernel ignores a master and refuses up for a veth peer: set on the b end after
    echo "link add ${P}j${k}a master ${P}br$((k - 1)) up type veth peer name ${P}j${k}b"
    echo "link set ${P}j${k}b master ${P}br$k up"
  done
  for ((i = 1; i <= N; i++)); do
    echo "link add ${P}v$i master ${P}br$(((i - 1) / K)) up type veth peer name eth0 netns ${P}n$i"
  done
} | ip -n "$HUB" -batch -
for ((i = 1; i <= N; i++)); do
  printf 'link set lo up\naddr add %s/16 dev eth0\nlink set eth0 up\n' "$(addr_of "$i")" |
    ip -n "${P}n$i" -batch -
done
setup_ms=$(ms_since "$t0")

bench_ping

# ---- inventory ----
# In-memory structure: associative arrays keyed by namespace; LINKS[ns] holds
# link names, ADDRS[ns] holds "name:cidr" words.
declare -A LINKS=() ADDRS=()
t0=$(now_us)
nlinks=0 naddrs=0
for ns in "$HUB" $(seq -f "${P}n%g" 1 "$N"); do
  l="" a=""
  while read -r name _state cidrs; do
    name=${name%@*}
    l+="$name "; nlinks=$((nlinks + 1))
    for c in $cidrs; do a+="$name:$c "; naddrs=$((naddrs + 1)); done
  done < <(ip -br -n "$ns" addr show)
  LINKS[$ns]=$l ADDRS[$ns]=$a
done
inventory_ms=$(ms_since "$t0")

# ---- teardown ----
t0=$(now_us)
{
  echo "netns del $HUB"
  for ((i = 1; i <= N; i++)); do echo "netns del ${P}n$i"; done
} | ip -batch -
teardown_ms=$(ms_since "$t0")

bench_json ip-batch "$(ip_version)" "$setup_ms" "$inventory_ms" "$teardown_ms" "$nlinks" "$naddrs"
