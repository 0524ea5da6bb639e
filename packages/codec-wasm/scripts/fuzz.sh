#!/usr/bin/env bash
# Coverage-guided fuzzing of decode_messages and decode_raw (fuzz/fuzz_targets/decode.rs) for a
# fixed time: cargo-fuzz drives libFuzzer, which needs the nightly toolchain. Seeds: every kernel
# vector in fixtures/. A crash fails the run and leaves its input in fuzz/artifacts/decode/.
#   NESLINK_FUZZ_SECONDS (default 60) bounds the run.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${NESLINK_FUZZ_SECONDS:-60}
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: SKIPPED: needs rustup's nightly toolchain and cargo-fuzz (cargo install --locked cargo-fuzz --version 0.13.2)" >&2
  exit 0
fi
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp fixtures/*/*.bin "$corpus"/
cargo +nightly fuzz run decode "$corpus" -- -max_total_time="$budget" -rss_limit_mb=1024 -print_final_stats=1
