#!/usr/bin/env bash
# Mutation testing of the codec with cargo-mutants (version pinned in scripts/setup.sh): every
# mutant of the crate must be caught by `cargo test`, except the equivalent ones listed, with
# their reasons, in .cargo/mutants.toml. cargo-mutants exits non-zero on any survivor.
#
# Bounded for CI: NESLINK_MUTANTS=shard tests one eighth of the mutants, a different eighth each
# day of the year, so every mutant is tested within eight days of CI runs (about 60 mutants, a few
# minutes); NESLINK_MUTANTS=diff tests only the mutants in lines changed since the merge base with
# main (what a branch touches); the default, full, tests all of them (about 500; see README "Tests
# that catch mutants" for the measured time). Each mutant's tests stop after 20 s
# (the unmutated suite takes about 1 s without the never-panic tests); a mutant that makes them
# hang counts as caught.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(--no-shuffle --jobs "${NESLINK_MUTANTS_JOBS:-2}" --timeout 20 --build-timeout 300 --output "$out")
SHARDS=8
if [ "${NESLINK_MUTANTS:-full}" = shard ]; then
  args+=(--shard "$((10#$(date +%j) % SHARDS))/$SHARDS")
elif [ "${NESLINK_MUTANTS:-full}" = diff ]; then
  # Without a main branch to compare with (a shallow clone), everything is tested.
  if base=$(git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main 2>/dev/null); then
    git diff "$base" -- . >"$out/changes.diff"
    args+=(--in-diff "$out/changes.diff")
  fi
fi
started=$(date +%s)
status=0
cargo mutants "${args[@]}" || status=$?
# Exit 3: no survivor, but some mutants made the tests hang (a loop that stops advancing); the
# timeout caught them, as a test would.
if [ "$status" -eq 3 ]; then status=0; fi
count() { if [ -f "$out/mutants.out/$1.txt" ]; then wc -l <"$out/mutants.out/$1.txt"; else echo 0; fi; }
echo "mutants: $(count caught) caught, $(count missed) missed, $(count timeout) timed out, $(count unviable) unviable in $(($(date +%s) - started)) s"
exit "$status"
