#!/usr/bin/env bash
# Builds core-rs for wasm32 (simd128) and installs it as src/wasm/gpts_core.wasm and,
# with threads (shared memory + atomics), src/wasm/gpts_core_threads.wasm.
#
#   bash core-rs/build.sh          build and copy into src/wasm/ (commit the result)
#   bash core-rs/build.sh --check  rebuild in a temporary target dir and fail when a
#                                  committed src/wasm/gpts_core*.wasm differs (CI)
#
# The output is reproducible: source paths are remapped (--remap-path-prefix), names
# are stripped, and the toolchain is pinned to Debian's rustc (override with
# RUSTC=/path/to/rustc CARGO=/path/to/cargo; a different rustc gives different bytes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
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
common="-C strip=symbols --remap-path-prefix=$here=/gpts/core-rs --remap-path-prefix=$target_dir=/gpts/target --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
export CARGO_INCREMENTAL=0
unset CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS

# Two builds of the same sources:
#   gpts_core.wasm          simd128, its own memory: runs everywhere, one thread;
#   gpts_core_threads.wasm  + atomics/bulk-memory, imports a shared memory (up to
#                           4 GiB) and exports __stack_pointer, so that Workers can
#                           run it on their own stacks (src/wasm/threads.ts).
# Debian's wasm32 std is built without atomics, hence --no-check-features; it is
# sound here because nothing but the main thread allocates (core-rs/src/par/).
threads_flags="-C target-feature=+atomics,+bulk-memory,+simd128 -C link-arg=--no-check-features -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 -C link-arg=--export=__stack_pointer"

status=0
build() { # name rustflags subdir [cargo args]
  local name="$1" flags="$2" sub="$3"; shift 3
  local dest="$root/src/wasm/$name"
  (cd "$here" && RUSTFLAGS="$flags $common" "$cargo" build --quiet --release --locked --offline \
    --target wasm32-unknown-unknown --target-dir "$target_dir/$sub" "$@")
  local built="$target_dir/$sub/wasm32-unknown-unknown/release/gpts_core.wasm"
  if [[ $mode == check ]]; then
    if ! cmp -s "$built" "$dest"; then
      echo "core-rs/build.sh --check: src/wasm/$name is out of date with core-rs/" >&2
      echo "  committed: $(sha256sum < "$dest" 2>/dev/null | cut -c1-16 || echo missing) ($(stat -c %s "$dest" 2>/dev/null || echo 0) bytes)" >&2
      echo "  rebuilt:   $(sha256sum < "$built" | cut -c1-16) ($(stat -c %s "$built") bytes)" >&2
      echo "  fix: run 'deno task build:wasm' and commit src/wasm/$name" >&2
      status=1
    else
      echo "src/wasm/$name is up to date ($(stat -c %s "$dest") bytes)"
    fi
  else
    mkdir -p "$(dirname "$dest")"
    cp "$built" "$dest"
    echo "wrote src/wasm/$name ($(stat -c %s "$dest") bytes, sha256 $(sha256sum < "$dest" | cut -c1-16))"
  fi
}

build gpts_core.wasm "-C target-feature=+simd128" single
build gpts_core_threads.wasm "$threads_flags" threads --features threads
exit $status
