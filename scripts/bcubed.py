#!/usr/bin/env python3
"""B-cubed precision, recall and F1 of one clustering against another, on the ids both
have: bcubed.py PREDICTED.jsonl REFERENCE.jsonl [FIELD [REFERENCE_FIELD]]
(default field `family`; `event`; for a labelled corpus, reference field `gold_family`).
Lines with `"status": "error"` or without the field are left out."""
import json
import sys
from collections import Counter, defaultdict


def load(path, field):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("status") == "error" or d.get(field) is None:
                continue
            out[d["id"]] = d[field]
    return out


def bcubed(pred, gold):
    ids = [i for i in pred if i in gold]
    joint = Counter((pred[i], gold[i]) for i in ids)
    psize = Counter(pred[i] for i in ids)
    gsize = Counter(gold[i] for i in ids)
    p = sum(n * n / psize[c] for (c, _), n in joint.items()) / len(ids)
    r = sum(n * n / gsize[g] for (_, g), n in joint.items()) / len(ids)
    return len(ids), p, r, 2 * p * r / (p + r)


def main():
    field = sys.argv[3] if len(sys.argv) > 3 else "family"
    ref_field = sys.argv[4] if len(sys.argv) > 4 else field
    n, p, r, f = bcubed(load(sys.argv[1], field), load(sys.argv[2], ref_field))
    print(json.dumps({"documents": n, "field": field, "reference_field": ref_field,
                      "bcubed_precision": round(p, 4), "bcubed_recall": round(r, 4),
                      "bcubed_f1": round(f, 4)}))


if __name__ == "__main__":
    main()
