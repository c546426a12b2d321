#!/usr/bin/env python3
"""Cleanup throughput from Python: newsprep.clean_many over the dev-set pages repeated to
about 50 MB, single-threaded and with 2 threads.

  python3 bench/cleanup_speed.py [--mb 50] [--threads 1 2]

Needs the extension built (maturin develop --release). The same measurement without
Python: cargo run --release --example clean_speed -- tests/data/cleanup-dev 50 1 2
On a shared machine, wall time depends on the load: CPU time is printed too.
"""
import argparse
import glob
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.path.join(HERE, "..", "tests", "data", "cleanup-dev")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    a = ap.parse_args()
    try:
        import newsprep
    except ImportError:
        sys.exit("newsprep is not importable: build it first (maturin develop --release)")
    pages = [open(p, encoding="utf-8", errors="replace").read()
             for p in sorted(glob.glob(os.path.join(DEV, "*.noisy.txt")))]
    one = sum(len(p.encode()) for p in pages)
    reps = max(1, int(a.mb * 1e6 // one) + 1)
    texts = pages * reps
    total = one * reps
    print(f"{len(texts)} pages, {total / 1e6:.1f} MB")
    base = None
    for t in a.threads:
        c0, w0 = time.process_time(), time.perf_counter()
        out = newsprep.clean_many(texts, threads=t)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        rate = total / 1e6 / wall
        base = base or rate
        print(f"threads={t}: {wall:.2f} s wall ({rate:.1f} MB/s, {rate / base:.2f}x), "
              f"{cpu:.2f} s CPU ({total / 1e6 / cpu:.1f} MB/s per CPU-second), "
              f"{len(out)} articles")


if __name__ == "__main__":
    main()
