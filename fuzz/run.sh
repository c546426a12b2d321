#!/usr/bin/env bash
# Runs one fuzz target for a while, seeded, and keeps the log.
#   fuzz/run.sh TARGET [SECONDS]        (default 60)
# The working corpus grows in fuzz/corpus/TARGET (not committed); crashes land in
# fuzz/artifacts/TARGET and, copied, in fuzz/regressions/TARGET (committed, replayed by
# `cargo test --manifest-path fuzz/Cargo.toml`). The final libFuzzer stats line
# (`#N DONE cov: X ft: Y ...`) is at the end of fuzz/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-60}
mkdir -p "corpus/$target" logs "regressions/$target"
seeds=("seeds/${target%_idempotent}")
max_len=4096
features=()
case "$target" in
  clean | clean_idempotent | strip_icons) seeds+=(../tests/fixtures/seeds); max_len=16384 ;;
  corpus_jsonl | corpus_parquet) max_len=16384; features=(--features corpus)
    export NEWSPREP_FUZZ_TMP=${NEWSPREP_FUZZ_TMP:-/dev/shm} ;;
esac
# RUSTC_BOOTSTRAP: cargo fuzz wants nightly flags (-Zsanitizer); this machine has stable.
export RUSTC_BOOTSTRAP=1
set +e
cargo fuzz run -O "${features[@]}" "$target" "corpus/$target" "${seeds[@]}" -- \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 2>&1 | tee "logs/$target.log" | grep -E '^#[0-9]+\s+(INITED|DONE)|ERROR|panicked|SUMMARY|Test unit written'
status=${PIPESTATUS[0]}
set -e
for f in "artifacts/$target"/*; do
  [ -f "$f" ] && cp -n "$f" "regressions/$target/"
done
grep -E '^#[0-9]+\s+DONE' "logs/$target.log" || echo "no DONE line: the target failed (see fuzz/logs/$target.log)"
exit "$status"
