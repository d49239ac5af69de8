"""Python trafilatura on the trafilatura evaluation set, as `cognate eval extraction` scores
cognate: share of must-contain snippets kept and must-not-contain snippets dropped, F1, and
pages/s over the extraction calls alone (loading and scoring outside the clock).

    python3 scripts/bench/py_trafilatura.py TRAFILATURA/tests [PROCESSES]

With PROCESSES > 1 the pages are split over a process pool (in order), for a like-for-like
comparison with cognate's threads.
"""
import json, os, re, sys, time
from multiprocessing import Pool

import trafilatura


def extract(html):
    try:
        return trafilatura.extract(html) or ''
    except Exception:
        return ''


def main():
    d = sys.argv[1]
    procs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    data = json.load(open(os.path.join(d, 'evaldata.json')))
    norm = lambda s: re.sub(r'\s+', ' ', s).strip()
    docs = []
    for url in sorted(data):
        v = data[url]
        for sub in ('cache', 'eval'):
            p = os.path.join(d, sub, v['file'])
            if os.path.exists(p):
                docs.append((open(p, 'rb').read(), v))
                break
    t0 = time.time()
    if procs > 1:
        with Pool(procs) as pool:
            outs = pool.map(extract, [h for h, _ in docs], chunksize=8)
    else:
        outs = [extract(h) for h, _ in docs]
    dt = time.time() - t0
    tp = fp = nw = nwo = 0
    for out, (_, v) in zip(outs, docs):
        o = norm(out)
        tp += sum(norm(w) in o for w in v['with'])
        fp += sum(norm(w) in o for w in v['without'])
        nw += len(v['with'])
        nwo += len(v['without'])
    p = tp / (tp + fp)
    r = tp / nw
    print(f"python-trafilatura {trafilatura.__version__} ({procs} process{'es' if procs > 1 else ''}): "
          f"kept {r:.3f} ({tp}/{nw}) dropped {(nwo - fp) / nwo:.3f} ({nwo - fp}/{nwo}) "
          f"F1 {2 * p * r / (p + r):.3f} {dt:.1f} s {len(docs) / dt:.1f} pages/s")


if __name__ == '__main__':
    main()
