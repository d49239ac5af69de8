#!/bin/sh
# cognate `clean` against Python trafilatura on the trafilatura evaluation set, side by
# side in one run (the machine is shared: compare within a run, and CPU seconds beside wall
# time). Usage: scripts/bench/clean_side_by_side.sh TRAFILATURA/tests [COGNATE_BINARY…]
# Each binary is run with 2 threads, then Python trafilatura in 1 and in 2 processes.
# Text documents: set TEXT_CORPUS=some.jsonl to time `cognate clean` on it with each binary.
set -eu
dir=$1
shift
[ $# -gt 0 ] || set -- target/release/cognate
py=${PYTHON:-python3}
here=$(dirname "$0")
for bin in "$@"; do
    echo "== $bin eval extraction --threads 2"
    /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
        "$bin" eval extraction "$dir" --threads 2 2>&1 | tail -4
done
for procs in 1 2; do
    echo "== python trafilatura, $procs process(es)"
    /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
        "$py" "$here/py_trafilatura.py" "$dir" "$procs" 2>&1
done
if [ -n "${TEXT_CORPUS:-}" ]; then
    for bin in "$@"; do
        echo "== $bin clean $TEXT_CORPUS --threads 2"
        /usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" \
            "$bin" clean "$TEXT_CORPUS" --threads 2 -o /dev/null 2>&1 | tail -1
    done
fi
