#!/usr/bin/env bash
# Quick start, step 2: the whole test suite, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Cargo caches rustc's target probe in target/.rustc_info.json; on a fresh clone that
# cache was found holding a failed probe after the clippy build (rustix's build script
# feeds rustc probes on stdin), which made `cargo test` fail before compiling anything.
export CARGO_CACHE_RUSTC_INFO=0
scripts/fetch-models.sh
cargo fmt --all -- --check
cargo test --workspace --locked
cargo clippy --workspace --all-targets --locked -- -D warnings
