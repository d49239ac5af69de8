#!/usr/bin/env python3
"""Adds `published` dates to a labelled corpus (`cognate eval synth`) and prints it in
published order, for `cognate stream`: each gold family gets a start date spread over
n / DOCS_PER_DAY days (deterministic hash of its label), each member a time within
SPREAD_DAYS after it. Usage: date-stream.py CORPUS.jsonl [DOCS_PER_DAY] > dated.jsonl
(sorts with the system `sort`, so the corpus need not fit in memory)."""
import hashlib
import json
import subprocess
import sys
from datetime import datetime, timezone

SPREAD_DAYS = 2
START = int(datetime(2022, 1, 1, tzinfo=timezone.utc).timestamp())


def h(s):
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")


def main():
    path = sys.argv[1]
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    with open(path, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    days = max(1, n // per_day)
    sort = subprocess.Popen(
        ["sort", "-t", "\t", "-k1,1", "-k2,2n", "-S", "256M"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )

    def feed():
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                doc = json.loads(line)
                base = START + (h(doc["gold_family"]) % days) * 86400
                t = base + h(doc["id"]) % (SPREAD_DAYS * 86400)
                doc["published"] = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                sort.stdin.write(f"{doc['published']}\t{i}\t{json.dumps(doc, ensure_ascii=False)}\n")
        sort.stdin.close()

    import threading
    t = threading.Thread(target=feed)
    t.start()
    out = sys.stdout
    for line in sort.stdout:
        out.write(line.split("\t", 2)[2])
    t.join()
    sys.exit(sort.wait())


if __name__ == "__main__":
    main()
