#!/usr/bin/env python3
"""Build the 1,000-text multilingual comparison corpus from the WMT22 test sets.

Languages de fr en zh ja ru uk hr; segments (short), runs of 2-6 consecutive
segments (medium), whole documents (long, many beyond 512 tokens, which
exercises windowing). Deterministic (seed 22). Writes a NUL-separated file.

    python3 make_corpus.py /work/shared/data/wmt22 /tmp/corpus.bin
"""
import glob
import os
import random
import sys
import xml.etree.ElementTree as ET

LANGS = ["de", "fr", "en", "zh", "ja", "ru", "uk", "hr"]


def docs_by_lang(folder):
    out = {l: [] for l in LANGS}
    seen = set()
    for path in sorted(glob.glob(os.path.join(folder, "*.xml"))):
        root = ET.parse(path).getroot()
        for doc in root.iter("doc"):
            for part in list(doc):
                if part.tag not in ("src", "ref"):
                    continue
                lang = part.get("lang")
                if lang not in out:
                    continue
                segs = [s.text.strip() for s in part.iter("seg") if s.text and s.text.strip()]
                key = (lang, tuple(segs[:3]))
                if segs and key not in seen:
                    seen.add(key)
                    out[lang].append(segs)
    return out


def main():
    folder, dest = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    rng = random.Random(22)
    docs = docs_by_lang(folder)
    texts = []
    per_lang = n // len(LANGS)
    for i, lang in enumerate(LANGS):
        d = docs[lang]
        k = per_lang + (1 if i < n - per_lang * len(LANGS) else 0)
        n_seg, n_par = k // 2, k * 3 // 10
        n_doc = k - n_seg - n_par
        for _ in range(n_seg):
            segs = rng.choice(d)
            texts.append(rng.choice(segs))
        for _ in range(n_par):
            segs = rng.choice(d)
            a = rng.randrange(len(segs))
            texts.append(" ".join(segs[a:a + rng.randint(2, 6)]))
        long_docs = sorted(d, key=lambda s: -sum(map(len, s)))[:max(4 * n_doc, 1)]
        for _ in range(n_doc):
            texts.append("\n".join(rng.choice(long_docs)))
    with open(dest, "w", encoding="utf-8") as f:
        f.write("\0".join(texts))
    print("wrote %d texts (%d chars) to %s" % (len(texts), sum(map(len, texts)), dest))


if __name__ == "__main__":
    main()
