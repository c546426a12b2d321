//! Release-mode corpus run: the Rust core's `process` over a JSONL corpus, timed, with the
//! process' CPU time beside the wall time (their ratio shows how busy the cores were).
//!
//!     cargo run --release --example process_speed -- CORPUS.jsonl [THREADS] [OUT_DIR [CODEC]]
//!
//! Cleans and tags with the embedded default gazetteer; with OUT_DIR each batch is also
//! written there as Parquet, compressed with CODEC (snappy, lz4, zstd or none; default
//! snappy; an earlier run's output is replaced). The JSONL needs `text` and `id` fields,
//! like the corpora `bench/corpus_speed.py` writes. Memory is handled as in the Python
//! module (freed memory kept for the next batch).

use std::sync::Arc;
use std::time::Instant;

use newsprep::corpus::{Format, Options, Run, Source};
use newsprep::tag::Gazetteer;

mod common;
use common::cpu_seconds;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args
        .first()
        .ok_or("usage: process_speed CORPUS.jsonl [THREADS] [OUT_DIR [CODEC]]")?;
    newsprep::keep_freed_memory_for_next_batch();
    let threads: usize = args.get(1).map_or(Ok(1), |s| s.parse())?;
    let gazetteer = Arc::new(Gazetteer::default_world()?);
    let source = Source::Jsonl {
        path: corpus.into(),
        text_column: "text".into(),
        id_column: Some("id".into()),
    };
    let options = Options {
        threads: Some(threads),
        ..Options::default()
    };
    let (t, c) = (Instant::now(), cpu_seconds());
    let mut run = Run::new(source, Some(gazetteer), options)?;
    if let Some(out) = args.get(2) {
        let format = Format::new("parquet", args.get(3).map(String::as_str))?;
        run = run.with_output(out, format, true)?;
    }
    let summary = run.run(|_| {})?;
    let (secs, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    println!(
        "{} documents, {:.1} MB of JSONL, {threads} thread(s): {secs:.2} s, {:.1} MB/s, \
         {cpu:.2} s CPU ({:.2} cores busy), {} mentions",
        summary.documents,
        summary.bytes as f64 / 1e6,
        summary.bytes as f64 / 1e6 / secs,
        cpu / secs,
        summary.mentions
    );
    Ok(())
}
