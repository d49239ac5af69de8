#!/usr/bin/env bash
# Quick start, step 2: the whole test suite, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-models.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
