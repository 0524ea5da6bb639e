#!/usr/bin/env bash
# npm run bench: the network-emulation workload through every peer (bench/run.mjs, given this script's arguments), then
# the event latency of watch() next to `ip monitor` (bench/events-latency.mjs) and the CLI's start-up next to `ip` and
# `node -e 0` (bench/cli-startup.mjs) and in instructions (bench/cli-instructions.mjs, ~2 min), each with its own
# defaults. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
node bench/run.mjs "$@"
node bench/events-latency.mjs
node bench/cli-startup.mjs
node bench/cli-instructions.mjs
