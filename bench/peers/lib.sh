# Shared helpers for the bash peers (sourced, not executed).
# Conventions shared by every peer (see bench/README.md):
#   hub namespace  ${P}hub, holding lo (up) and B = ceil(N/K) bridges ${P}br<k>,
#                  k = 0..B-1 (up), K = BENCH_BRIDGE_PORTS (default 1000): a
#                  bridge takes at most 1023 ports (BR_MAX_PORTS = 1024, port
#                  number 0 reserved), so N = 2000 on one bridge fails with EXFULL
#   joints         for k = 1..B-1 a hub veth pair ${P}j<k>a (master ${P}br<k-1>, up) /
#                  ${P}j<k>b (master ${P}br<k>, up): a chain, no loop, so no STP needed
#   namespace i    ${P}n<i>, i = 1..N, with eth0 = 10.200.(i>>8).(i&255)/16 and lo up
#   hub veth end   ${P}v<i>, enslaved to ${P}br<(i-1)/K>, up
#   BENCH_IPV6=off (default) -> net.ipv6.conf.all.disable_ipv6=1 inside every
#   namespace (hub included) before any of its links is created; "on" -> untouched.

bench_args() {
  N=${1:?usage: peer N PREFIX}
  P=${2:?usage: peer N PREFIX}
  [[ $N =~ ^[0-9]+$ ]] && ((N >= 2 && N <= 65000)) || { echo "N must be 2..65000" >&2; exit 2; }
  [[ $P =~ ^[a-z0-9]{3,8}$ ]] || { echo "PREFIX must be 3..8 of [a-z0-9]" >&2; exit 2; }
  HUB=${P}hub
  K=${BENCH_BRIDGE_PORTS:-1000}
  [[ $K =~ ^[0-9]+$ ]] && ((10#$K >= 1)) || { echo "BENCH_BRIDGE_PORTS must be a positive integer" >&2; exit 2; }
  K=$((10#$K))
  B=$(((N + K - 1) / K))
  IPV6=${BENCH_IPV6:-off}
  [[ $IPV6 == on || $IPV6 == off ]] || { echo "BENCH_IPV6 must be on|off" >&2; exit 2; }
}

addr_of() { echo "10.200.$(($1 >> 8)).$(($1 & 255))"; }

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
ms_since() { local d=$(($(now_us) - $1)); printf '%d.%03d' $((d / 1000)) $((d % 1000)); }

# Delete every namespace that this run created (and only those): names are
# ${P}hub and ${P}n<digits>. Used by the EXIT trap, so it also runs on failure.
bench_cleanup() {
  # Globs only (no command substitution): this also runs from a signal trap
  # that interrupted a pipeline, where bash's job bookkeeping is unreliable.
  local f ns batch=""
  for f in /run/netns/"${P}"*; do
    ns=${f##*/}
    if [[ -e $f && ( $ns == "$HUB" || $ns =~ ^${P}n[0-9]+$ ) ]]; then batch+="netns del $ns"$'\n'; fi
  done
  [[ -z $batch ]] || ip -force -batch - <<<"$batch" || echo "cleanup: some namespaces of $P could not be deleted" >&2
}

# Outside the timed phases: ns 1 must reach ns N over the bridge(s) (across
# every joint when B > 1).
bench_ping() {
  local dst
  dst=$(addr_of "$N")
  if ! ip netns exec "${P}n1" ping -c1 -W2 "$dst" >/dev/null 2>&1; then
    echo "ping ${P}n1 -> ${P}n$N ($dst) failed: topology broken" >&2
    return 1
  fi
}

ip_version() { ip -V | sed -n 's/.*\(iproute2-[^ ,]*\).*/\1/p'; }

# Re-exec the peer under GNU time to learn the peak RSS of the whole process
# tree (max over bash and every ip/sysctl/ping child: ru_maxrss is a per-process
# maximum, not a sum), then patch it into the JSON line. Call first thing.
bench_rss_wrap() {
  if [[ ${BENCH_INNER:-} == 1 ]]; then return 0; fi
  local tmp out rc=0 rss
  tmp=$(mktemp)
  # A signal to the process group also reaches the inner run, whose EXIT trap
  # cleans up: the wrapper must wait for it (a trap, not SIG_IGN, which the
  # inner bash would inherit and could not trap).
  trap ':' INT TERM
  out=$(BENCH_INNER=1 /usr/bin/time -f %M -o "$tmp" bash "$0" "$@") || rc=$?
  rss=$(tail -n1 "$tmp")
  rm -f "$tmp"
  [[ $rss =~ ^[0-9]+$ ]] || rss=null
  printf '%s\n' "${out//\"peak_rss_kb\":null/\"peak_rss_kb\":$rss}"
  exit "$rc"
}

# json PEER VERSION SETUP INV TEAR LINKS ADDRS
bench_json() {
  local total
  total=$(awk -v a="$3" -v b="$4" -v c="$5" 'BEGIN{printf "%.3f", a+b+c}')
  printf '{"peer":"%s","version":"%s","n":%d,"setup_ms":%s,"inventory_ms":%s,"teardown_ms":%s,"total_ms":%s,"links":%d,"addrs":%d,"peak_rss_kb":null,"ipv6":"%s"}\n' \
    "$1" "$2" "$N" "$3" "$4" "$5" "$total" "$6" "$7" "$IPV6"
}
