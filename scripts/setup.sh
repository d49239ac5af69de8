#!/usr/bin/env bash
# Quick start, step 1: build in release mode, fetch the pinned model files, and run
# `cognate cluster` on the bundled example corpus with its report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-models.sh
cargo build --release --locked
echo
echo "== cognate cluster examples/seeds --report"
target/release/cognate cluster examples/seeds --report -o .cache/seeds.clusters.jsonl --clusters .cache/seeds.events.jsonl
echo
echo "Per-document output: .cache/seeds.clusters.jsonl; events: .cache/seeds.events.jsonl"
