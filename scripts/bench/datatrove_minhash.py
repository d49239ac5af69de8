#!/usr/bin/env python3
"""datatrove's MinHash deduplication on a cognate near-duplicate corpus.

Runs datatrove's four MinHash stages (signatures -> buckets -> clusters -> filter)
with LocalPipelineExecutor (2 tasks, 2 workers), once per language with the word
tokenizer datatrove assigns to that language (as FineWeb-2 does), and writes one line
`{"id", "family"}` per input document: documents datatrove clusters together share a
`family` (`<lang>:<cluster id>`), every other document is its own.

Usage (see scripts/bench/README.md):

    /usr/bin/time -v python scripts/bench/datatrove_minhash.py CORPUS.jsonl OUT.jsonl \
        [--work DIR] [--ngrams 5 --buckets 14 --rows 8]

The score comes from `cognate eval labelled CORPUS.jsonl --near-dup --predicted OUT.jsonl`.
"""

import argparse
import json
import os
import shutil
import sys
import time
from collections import defaultdict

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

TASKS = 2


def split_by_language(corpus, work, one_run=False):
    """Writes each language's documents to `work/<lang>/input/0000{0,1}.jsonl`
    (all of them to `work/all/` with `one_run`)."""
    files = {}
    counts = defaultdict(int)
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            d = json.loads(line)
            lang = "all" if one_run else (d.get("lang") or "und")
            if lang not in files:
                os.makedirs(os.path.join(work, lang, "input"), exist_ok=True)
                files[lang] = [
                    open(os.path.join(work, lang, "input", f"{t:05d}.jsonl"), "w", encoding="utf-8")
                    for t in range(TASKS)
                ]
            out = files[lang][counts[lang] % TASKS]
            out.write(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n")
            counts[lang] += 1
    for fs in files.values():
        for f in fs:
            f.close()
    return dict(counts)


def run_language(lang, work, config):
    base = os.path.join(work, lang)
    language = lang if lang not in ("und", "all") else "en"
    stage1 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(os.path.join(base, "input")),
            MinhashDedupSignature(
                output_folder=os.path.join(base, "signatures"), config=config, language=language
            ),
        ],
        tasks=TASKS,
        workers=TASKS,
        logging_dir=os.path.join(base, "logs", "signatures"),
    )
    stage2 = LocalPipelineExecutor(
        pipeline=[
            MinhashDedupBuckets(
                input_folder=os.path.join(base, "signatures"),
                output_folder=os.path.join(base, "buckets"),
                config=config,
            ),
        ],
        tasks=config.num_buckets,
        workers=TASKS,
        logging_dir=os.path.join(base, "logs", "buckets"),
        depends=stage1,
    )
    stage3 = LocalPipelineExecutor(
        pipeline=[
            MinhashDedupCluster(
                input_folder=os.path.join(base, "buckets"),
                output_folder=os.path.join(base, "remove_ids"),
                config=config,
                save_cluster_id=True,
            ),
        ],
        tasks=1,
        logging_dir=os.path.join(base, "logs", "clusters"),
        depends=stage2,
    )
    stage4 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(os.path.join(base, "input")),
            MinhashDedupFilter(
                input_folder=os.path.join(base, "remove_ids"),
                exclusion_writer=JsonlWriter(os.path.join(base, "removed"), compression=None),
                load_cluster_ids=True,
            ),
            JsonlWriter(os.path.join(base, "kept"), compression=None),
        ],
        tasks=TASKS,
        workers=TASKS,
        logging_dir=os.path.join(base, "logs", "filter"),
        depends=stage3,
    )
    stage4.run()


def collect(lang, work):
    """(id, family) of every document of one language, from the filter's outputs."""
    out = []
    for part in ("kept", "removed"):
        folder = os.path.join(work, lang, part)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    cid = d.get("metadata", {}).get("minhash_cluster_id", -1)
                    family = f"{lang}:{cid}" if cid != -1 else f"{lang}:single:{d['id']}"
                    out.append((d["id"], family))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("output")
    ap.add_argument("--work", default=None, help="scratch folder (default: OUTPUT.work, removed first)")
    ap.add_argument("--ngrams", type=int, default=5)
    ap.add_argument("--buckets", type=int, default=14)
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument(
        "--one-run",
        action="store_true",
        help="one pipeline over all documents with datatrove's default (English) tokenizer, "
        "instead of one per language with the language's own",
    )
    a = ap.parse_args()
    work = a.work or a.output + ".work"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    config = MinhashConfig(n_grams=a.ngrams, num_buckets=a.buckets, hashes_per_bucket=a.rows)

    start = time.time()
    counts = split_by_language(a.corpus, work, a.one_run)
    rows = []
    for lang in sorted(counts):
        t = time.time()
        run_language(lang, work, config)
        got = collect(lang, work)
        rows.append(got)
        print(f"datatrove: {lang}: {counts[lang]} docs, {len(got)} written, {time.time() - t:.1f} s", file=sys.stderr)
    total = sum(counts.values())
    with open(a.output, "w", encoding="utf-8") as f:
        for got in rows:
            for doc_id, family in got:
                f.write(json.dumps({"id": doc_id, "family": family}) + "\n")
    secs = time.time() - start
    print(
        f"datatrove: {total} documents in {secs:.1f} s, {total / secs:.0f} documents/s "
        f"({a.ngrams}-grams, {a.buckets} buckets x {a.rows} hashes)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
