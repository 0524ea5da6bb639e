#!/usr/bin/env bash
# Installs every toolchain piece neslink needs on a fresh Debian 12 machine of
# this workplace (root, registries only), then the npm packages and a build.
# Idempotent: a second run only checks.
#
# The Rust -> WebAssembly path: rustup's stable toolchain plus its
# wasm32-unknown-unknown target (rustup downloads the target's std here), and
# wasm-bindgen-cli + wasm-pack built from crates.io. wasm-opt is binaryen's,
# from the npm registry (a devDependency of packages/codec-wasm). See README.md ("Toolchain") for why this path and not Debian's rustc.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen = "=..."` pin in packages/codec-wasm/Cargo.toml
WASM_PACK_VERSION=0.15.1
CARGO_MUTANTS_VERSION=27.1.0 # the codec's mutation tests (packages/codec-wasm/scripts/mutants.sh)
CARGO_FUZZ_VERSION=0.13.2 # the codec's fuzz target (packages/codec-wasm/scripts/fuzz.sh), on rustup's nightly
APT_PACKAGES=(iproute2 strace iputils-ping procps tmux zsh python3 bindfs) # zsh: the CLI's completion is tested in a real zsh; python3: tests make stale sockets and ptys with it; bindfs: a FUSE file system without O_TMPFILE, for the named-namespace create that falls back

step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (apt-get, and neslink itself needs CAP_SYS_ADMIN and CAP_NET_ADMIN)" >&2
  exit 1
fi

step "Debian packages: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "Rust toolchain with the wasm32-unknown-unknown target"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! command -v rustup >/dev/null; then
  echo "setup.sh: rustup is missing; this machine kind ships it (see README.md, Toolchain)" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  if ! rustup target add wasm32-unknown-unknown; then
    cat >&2 <<'MSG'
setup.sh: `rustup target add wasm32-unknown-unknown` failed (no route to rustup's server?).
Debian's rustc 1.63 + libstd-rust-dev-wasm32 cannot stand in: wasm-bindgen >= 0.2.88 (needed by
any current rustc's CLI) requires rustc >= 1.81 for the crate. See README.md, Toolchain.
MSG
    exit 1
  fi
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the lockfile published with 0.2.130 pins a webpki-roots release crates.io no longer serves.
  cargo install --quiet --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

step "wasm-pack $WASM_PACK_VERSION"
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  cargo install --quiet --force --locked wasm-pack --version "$WASM_PACK_VERSION"
fi

step "cargo-mutants $CARGO_MUTANTS_VERSION"
if [ "$(cargo mutants --version 2>/dev/null | awk '{print $2}')" != "$CARGO_MUTANTS_VERSION" ]; then
  cargo install --quiet --force --locked cargo-mutants --version "$CARGO_MUTANTS_VERSION"
fi

step "nightly toolchain and cargo-fuzz $CARGO_FUZZ_VERSION (the codec's fuzzing)"
# libFuzzer needs nightly's sanitizers. The fuzz step skips itself, saying so, if this cannot be installed.
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal || echo "setup.sh: no nightly toolchain: the codec's fuzz step will be skipped" >&2
fi
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  cargo install --quiet --force --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" || echo "setup.sh: cargo-fuzz did not install: the fuzz step will be skipped" >&2
fi

step "npm packages"
npm ci --no-audit --no-fund

step "build"
npm run build

echo
echo "setup.sh: done in $(( $(date +%s) - started )) s"
