#!/usr/bin/env bash
# Builds core-rs for wasm32 (simd128) and installs it as src/wasm/gpts_core.wasm.
#
#   bash core-rs/build.sh          build and copy into src/wasm/ (commit the result)
#   bash core-rs/build.sh --check  rebuild in a temporary target dir and fail when the
#                                  committed src/wasm/gpts_core.wasm differs (CI)
#
# The output is reproducible: source paths are remapped (--remap-path-prefix), names
# are stripped, and the toolchain is pinned to Debian's rustc (override with
# RUSTC=/path/to/rustc CARGO=/path/to/cargo; a different rustc gives different bytes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
dest="$root/src/wasm/gpts_core.wasm"
cargo="${CARGO:-/usr/bin/cargo}"
export RUSTC="${RUSTC:-/usr/bin/rustc}"

mode=build
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if [[ $mode == check ]]; then
  target_dir="$(mktemp -d)"
  trap 'rm -rf "$target_dir"' EXIT
else
  target_dir="$here/target"
fi

# Only paths that are the same on every machine may reach the binary.
export RUSTFLAGS="-C target-feature=+simd128 -C strip=symbols --remap-path-prefix=$here=/gpts/core-rs --remap-path-prefix=$target_dir=/gpts/target --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_INCREMENTAL=0
unset CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS

(cd "$here" && "$cargo" build --quiet --release --locked --offline \
  --target wasm32-unknown-unknown --target-dir "$target_dir")
built="$target_dir/wasm32-unknown-unknown/release/gpts_core.wasm"

if [[ $mode == check ]]; then
  if ! cmp -s "$built" "$dest"; then
    echo "core-rs/build.sh --check: src/wasm/gpts_core.wasm is out of date with core-rs/" >&2
    echo "  committed: $(sha256sum < "$dest" 2>/dev/null | cut -c1-16 || echo missing) ($(stat -c %s "$dest" 2>/dev/null || echo 0) bytes)" >&2
    echo "  rebuilt:   $(sha256sum < "$built" | cut -c1-16) ($(stat -c %s "$built") bytes)" >&2
    echo "  fix: run 'deno task build:wasm' and commit src/wasm/gpts_core.wasm" >&2
    exit 1
  fi
  echo "src/wasm/gpts_core.wasm is up to date ($(stat -c %s "$dest") bytes)"
else
  mkdir -p "$(dirname "$dest")"
  cp "$built" "$dest"
  echo "wrote src/wasm/gpts_core.wasm ($(stat -c %s "$dest") bytes, sha256 $(sha256sum < "$dest" | cut -c1-16))"
fi
