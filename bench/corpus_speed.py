"""Corpus pipeline speed and memory: newsprep.process() over 10k and 100k documents.

The corpus is the dev-set noisy texts (tests/data/cleanup-dev/*.noisy.txt) repeated to N
documents, written once as a JSONL file, so the run streams from disk like a real corpus.
Each configuration runs in a fresh subprocess, which reports its wall time and peak RSS:

* process(JSONL, out=DIR) with 1 and 2 threads (streaming to Parquet parts, compressed with
  --compression, default snappy);
* process(list of str) in memory with 1 and 2 threads, for comparison;
* the speedup of 2 threads over 1 in both, and how many cores each run kept busy (CPU
  time / wall time: with 1 thread, reading and writing run beside the worker);
* a plain Python loop over newsprep.clean() + Gazetteer.tag() (one thread);
* the per-document overhead: process() over 1M tiny documents (a list of str);
* when installed, the plain-Python pipeline an analyst would otherwise write, on the dev
  pages (one thread): jusText or trafilatura on the text, then flashtext with the same
  gazetteer's entity names (its 69k names, not newsprep's 249k aliases: a lighter job),
  mentions collected into a pandas DataFrame; and the ratios to process().

    python bench/corpus_speed.py                 # 10k and 100k documents
    python bench/corpus_speed.py --docs 10000    # one size
    python bench/corpus_speed.py --gazetteer default|none|FILE.jsonl
    python bench/corpus_speed.py --docs 100000 --runs stream2   # one configuration
    python bench/corpus_speed.py --repeat 1      # each run once (default: best of 3)
    python bench/corpus_speed.py --compression none   # Parquet codec of the streaming runs

Build the extension in release mode first (``maturin develop --release``): debug builds are
several times slower.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import text_cleaners

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "cleanup-dev"


def dev_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.noisy.txt"))]


def write_corpus(path: Path, n: int) -> int:
    texts = dev_texts()
    size = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            line = json.dumps({"id": f"doc-{i}", "text": texts[i % len(texts)]}) + "\n"
            f.write(line)
            size += len(texts[i % len(texts)].encode("utf-8"))
    return size


def load_gazetteer(spec: str):
    import newsprep

    if spec == "none":
        return None
    if spec == "default":
        try:
            return newsprep.Gazetteer.default()
        except Exception as e:  # the default gazetteer may not be built yet
            print(f"(no default gazetteer: {e}; running without tagging)", file=sys.stderr)
            return None
    return newsprep.Gazetteer.from_jsonl(spec)


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------- one measured run (child)


def child(args: argparse.Namespace) -> None:
    import pyarrow  # noqa: F401  (process() imports it on first use: a one-off, not timed)

    import newsprep

    gaz = load_gazetteer(args.gazetteer)
    corpus = Path(args.corpus)
    t0, c0 = time.perf_counter(), time.process_time()
    if args.mode == "stream":
        with tempfile.TemporaryDirectory() as out:
            r = newsprep.process(
                corpus,
                gazetteer=gaz,
                threads=args.threads,
                progress=False,
                out=out,
                compression=args.compression,
            )
            docs, mentions = r.summary["documents"], r.summary["mentions"]
    elif args.mode == "memory":
        texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
        t0, c0 = time.perf_counter(), time.process_time()
        r = newsprep.process(texts, gazetteer=gaz, threads=args.threads, progress=False)
        docs, mentions = r.documents.num_rows, r.mentions.num_rows
    elif args.mode == "tiny":
        texts = ["A short line of text."] * 1_000_000
        t0, c0 = time.perf_counter(), time.process_time()
        r = newsprep.process(texts, gazetteer=None, threads=args.threads, progress=False)
        docs, mentions = r.documents.num_rows, 0
    elif args.mode == "python-loop":
        texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
        t0, c0 = time.perf_counter(), time.process_time()
        docs = mentions = 0
        for t in texts:
            a = newsprep.clean(t)
            if gaz is not None:
                mentions += len(gaz.tag(a.text))
            docs += 1
    else:
        raise SystemExit(f"unknown mode {args.mode}")
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cores": cpu / seconds,
                "docs": docs,
                "mentions": mentions,
                "rss_mb": peak_rss_mb(),
            }
        )
    )


def peers(sample: list[str], gazetteer: str, repeat: int) -> list[tuple[str, float]]:
    """(name, best seconds of `repeat` runs over the sample) for the plain-Python pipelines
    that are installed."""
    try:
        import pandas as pd
        from flashtext import KeywordProcessor
    except ImportError:
        return []
    gaz = load_gazetteer(gazetteer)
    kp = KeywordProcessor(case_sensitive=True)
    for entity_id, label, name in gaz.entities() if gaz is not None else []:
        kp.add_keyword(name, (entity_id, label))

    def tag_rows(doc: int, body: str, rows: list) -> None:
        for (entity_id, label), start, end in kp.extract_keywords(body, span_info=True):
            rows.append((doc, entity_id, label, start, end))

    cleaners = [
        (f"{name} + flashtext -> pandas", clean) for name, clean in text_cleaners.installed()
    ]
    out = []
    for name, clean in cleaners:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows: list = []
            docs = []
            for i, text in enumerate(sample):
                body = clean(text)
                docs.append((i, body))
                tag_rows(i, body, rows)
            pd.DataFrame(docs, columns=["doc", "text"])
            pd.DataFrame(rows, columns=["doc", "entity_id", "label", "start", "end"])
            best = min(best, time.perf_counter() - t0)
        out.append((name, best))
    return out


# ------------------------------------------------------------------------------ driver


def measure(
    corpus: Path, mode: str, threads: int | None, gazetteer: str, repeat: int, compression: str
) -> dict:
    """The fastest of `repeat` runs, each in a fresh subprocess, with the highest peak RSS
    any of them reached."""
    cmd = [sys.executable, __file__, "--child", "--corpus", str(corpus), "--mode", mode]
    cmd += ["--gazetteer", gazetteer, "--compression", compression]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    results = []
    for _ in range(repeat):
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(results, key=lambda r: r["seconds"])
    return {**best, "rss_mb": max(r["rss_mb"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--docs", type=int, action="append", help="corpus sizes (default 10k, 100k)"
    )
    parser.add_argument("--gazetteer", default="default")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each configuration and of each plain-Python pipeline; the fastest counts"
        " (the machine may be shared)",
    )
    parser.add_argument(
        "--runs", help="only these, comma-separated: stream1,stream2,memory2,python-loop"
    )
    parser.add_argument(
        "--compression",
        default="snappy",
        choices=["snappy", "lz4", "zstd", "none"],
        help="Parquet compression of the streaming runs (default: snappy, as process())",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    sizes = args.docs or [10_000, 100_000]
    rates: dict[str, float] = {}
    print(
        f"cores: {os.cpu_count()}, gazetteer: {args.gazetteer}, best of {args.repeat} runs, "
        f"streaming runs write Parquet with {args.compression}"
    )
    print(
        f"{'docs':>8} {'run':<34} {'s':>7} {'docs/s':>9} {'MB/s':>7} {'peak RSS MB':>12} "
        f"{'cores busy':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            mb = write_corpus(corpus, n) / 1e6
            runs = [("stream", 1), ("stream", 2), ("memory", 1), ("memory", 2)]
            if n <= 10_000:
                runs.append(("python-loop", None))
                runs.append(("tiny", 2))
            if args.runs:
                wanted = set(args.runs.split(","))
                runs = [r for r in runs if f"{r[0]}{r[1] or ''}" in wanted]
            for mode, threads in runs:
                r = measure(corpus, mode, threads, args.gazetteer, args.repeat, args.compression)
                label = {
                    "stream": f"process(jsonl, out=DIR), {threads} thr",
                    "memory": f"process(list), {threads} thr",
                    "python-loop": "Python loop clean()+tag()",
                    "tiny": f"1M tiny docs process(list), {threads} thr",
                }[mode]
                if mode == "tiny":
                    print(
                        f"{1_000_000:>8} {label:<34} {r['seconds']:>7.2f} "
                        f"{1e6 / r['seconds']:>9.0f} {'-':>7} {r['rss_mb']:>12.0f} "
                        f"{r['cores']:>11.2f}"
                        f"   ({r['seconds']:.2f} us per document, all costs included)",
                        flush=True,
                    )
                    continue
                rates[f"{n}-{mode}{threads or ''}"] = mb / r["seconds"]
                print(
                    f"{n:>8} {label:<34} {r['seconds']:>7.2f} {r['docs'] / r['seconds']:>9.0f} "
                    f"{mb / r['seconds']:>7.1f} {r['rss_mb']:>12.0f} {r['cores']:>11.2f}",
                    flush=True,
                )
            for mode in ("stream", "memory"):
                one, two = rates.get(f"{n}-{mode}1"), rates.get(f"{n}-{mode}2")
                if one and two:
                    print(f"{'':>8}   {mode}: 2 threads run {two / one:.2f}x 1 thread")
            corpus.unlink()
    sample = dev_texts()
    sample_mb = sum(len(t.encode("utf-8")) for t in sample) / 1e6
    for name, seconds in peers(sample, args.gazetteer, args.repeat):
        peer = sample_mb / seconds
        print(
            f"{len(sample):>8} {name:<34} {seconds:>7.2f} {len(sample) / seconds:>9.0f} "
            f"{peer:>7.2f} {'-':>12}"
        )
        for key, rate in rates.items():
            if "stream" in key:
                print(f"{'':>8}   process {key}: {rate / peer:.1f}x this pipeline")


if __name__ == "__main__":
    main()
