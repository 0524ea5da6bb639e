#!/usr/bin/env bash
# Idempotent preparation of the benchmark peers (run as root from anywhere):
#   - checks `ip` (iproute2) and installs ping (iputils-ping), time and valgrind if missing;
#   - bench/.venv with pyroute2 (pinned) for the pyroute2 peers;
#   - bench/.bin/go-peer built from bench/peers/go (versions pinned in go.mod/go.sum).
set -euo pipefail
cd "$(dirname "$0")"
PYROUTE2_VERSION=0.9.7

command -v ip >/dev/null || { echo "setup: iproute2 (ip) is required" >&2; exit 1; }
ip -V
if ! command -v ping >/dev/null; then
  echo "setup: installing iputils-ping"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iputils-ping >/dev/null
fi
[[ -x /usr/bin/time ]] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
# valgrind (callgrind) for bench/cli-instructions.mjs: the CLI's start-up in instructions.
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }

if ! .venv/bin/python -c "import pyroute2,sys; sys.exit(pyroute2.__version__ != '$PYROUTE2_VERSION')" 2>/dev/null; then
  echo "setup: creating bench/.venv with pyroute2==$PYROUTE2_VERSION"
  python3 -m venv .venv
  .venv/bin/pip install -q "pyroute2==$PYROUTE2_VERSION"
fi
.venv/bin/python -c 'import pyroute2; print("pyroute2", pyroute2.__version__)'

command -v go >/dev/null || { echo "setup: go is required for the Go peers" >&2; exit 1; }
mkdir -p .bin
(cd peers/go && GOFLAGS=-mod=mod go build -trimpath -o ../../.bin/go-peer .)
echo "setup: built bench/.bin/go-peer ($(go version | awk '{print $3}'))"
