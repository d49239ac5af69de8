#!/usr/bin/env bash
# Quick start, step 2: the whole test suite, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Cargo caches rustc's target probe in target/.rustc_info.json; on a fresh clone that
# cache was found holding a failed probe, which made the next cargo command fail.
export CARGO_CACHE_RUSTC_INFO=0
# On fresh clones the second cargo build of a run has failed at that probe (rustc read
# build-script text as its source); run by hand a moment later it passes. Until the cause
# is found, a cargo command that fails there is retried once, after a pause.
cargo_retrying_probe() {
    local log status
    log=$(mktemp)
    status=0
    cargo "$@" 2>"$log" || status=$?
    cat "$log" >&2
    if [ "$status" -ne 0 ] && grep -q "to learn about target-specific information" "$log"; then
        echo "test.sh: cargo's rustc probe failed; retrying once in 10 s" >&2
        rm -f "$log"
        sleep 10
        cargo "$@"
        return
    fi
    rm -f "$log"
    return "$status"
}
scripts/fetch-models.sh
cargo fmt --all -- --check
cargo_retrying_probe test --workspace --locked
cargo_retrying_probe clippy --workspace --all-targets --locked -- -D warnings
