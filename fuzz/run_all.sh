#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 300), one after the other, and collects the
# final libFuzzer stats lines in fuzz/logs/summary.txt.
#   fuzz/run_all.sh [SECONDS]
cd "$(dirname "$0")"
seconds=${1:-300}
mkdir -p logs
: > logs/summary.txt
for t in clean clean_idempotent strip_icons gazetteer_tag gazetteer_jsonl corpus_jsonl corpus_parquet; do
  line=$(./run.sh "$t" "$seconds" 2>&1 | tail -1)
  echo "$t ${seconds}s: $line" | tee -a logs/summary.txt
done
