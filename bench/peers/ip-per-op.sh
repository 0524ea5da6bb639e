#!/usr/bin/env bash
# Peer "ip-per-op": bash running one `ip` process per operation (the way most
# shell scripts drive iproute2). Usage: ip-per-op.sh N PREFIX
# Prints one JSON line; peak_rss_kb = the largest peak RSS of any single
# process in this peer's tree (bash itself, each ip/sysctl/ping), from GNU time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_rss_wrap "$@"
bench_args "$@"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

ipv6_off() { # one process chain per namespace: ip netns exec + sysctl
  [[ $IPV6 == off ]] && ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  return 0
}

# ---- setup ----
t0=$(now_us)
ip netns add "$HUB"
ipv6_off "$HUB"
ip -n "$HUB" link set lo up
for ((k = 0; k < B; k++)); do
  ip -n "$HUB" link add "${P}br$k" type bridge
  ip -n "$HUB" link set "${P}br$k" up
done
for ((k = 1; k < B; k++)); do # chain bridge k-1 to bridge k
  ip -n "$HUB" link add "${P}j${k}a" type veth peer name "${P}j${k}b"
  ip -n "$HUB" link set "${P}j${k}a" master "${P}br$((k - 1))" up
  ip -n "$HUB" link set "${P}j${k}b" master "${P}br$k" up
done
for ((i = 1; i <= N; i++)); do
  ns=${P}n$i
  ip netns add "$ns"
  ipv6_off "$ns"
  ip -n "$HUB" link add "${P}v$i" type veth peer name eth0 netns "$ns"
  ip -n "$HUB" link set "${P}v$i" master "${P}br$(((i - 1) / K))" up
  ip -n "$ns" addr add "$(addr_of "$i")/16" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
setup_ms=$(ms_since "$t0")

bench_ping

# ---- inventory: two ip processes per namespace (list links, list addresses) ----
# In-memory structure: associative arrays keyed by namespace; LINKS[ns] holds
# "ifindex:name" words, ADDRS[ns] holds "name:family:cidr" words.
declare -A LINKS=() ADDRS=()
t0=$(now_us)
nlinks=0 naddrs=0
for ns in "$HUB" $(seq -f "${P}n%g" 1 "$N"); do
  l="" a=""
  while read -r idx name _; do
    name=${name%:}; name=${name%@*}
    l+="${idx%:}:$name "; nlinks=$((nlinks + 1))
  done < <(ip -o -n "$ns" link show)
  while read -r _ name fam cidr _; do
    a+="$name:$fam:$cidr "; naddrs=$((naddrs + 1))
  done < <(ip -o -n "$ns" addr show)
  LINKS[$ns]=$l ADDRS[$ns]=$a
done
inventory_ms=$(ms_since "$t0")

# ---- teardown ----
t0=$(now_us)
ip netns del "$HUB"
for ((i = 1; i <= N; i++)); do ip netns del "${P}n$i"; done
teardown_ms=$(ms_since "$t0")

bench_json ip-per-op "$(ip_version)" "$setup_ms" "$inventory_ms" "$teardown_ms" "$nlinks" "$naddrs"
