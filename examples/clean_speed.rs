//! Throughput of `clean_many` over the dev-set pages repeated to about 50 MB.
//!
//! ```text
//! cargo run --release --example clean_speed -- [DIR] [MB] [THREADS...]
//! ```
//! On a shared machine wall time lies: run one thread count under `/usr/bin/time` too.

use std::time::Instant;
use std::{env, fs};

fn main() {
    let dir = env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/cleanup-dev".into());
    let mb: usize = env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let mut pages: Vec<String> = fs::read_dir(&dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".noisy.txt"))
        .map(|p| String::from_utf8_lossy(&fs::read(p).expect("read")).into_owned())
        .collect();
    pages.sort();
    let one: usize = pages.iter().map(String::len).sum();
    let reps = (mb * 1_000_000).div_ceil(one.max(1));
    let texts: Vec<&str> = (0..reps)
        .flat_map(|_| pages.iter().map(String::as_str))
        .collect();
    let total: usize = texts.iter().map(|t| t.len()).sum();
    println!("{} pages, {:.1} MB", texts.len(), total as f64 / 1e6);
    let mut base = 0.0;
    let mut counts: Vec<usize> = env::args().skip(3).filter_map(|s| s.parse().ok()).collect();
    if counts.is_empty() {
        counts = vec![1, 2];
    }
    for threads in counts {
        let t0 = Instant::now();
        let out = newsprep::clean_many(&texts, Some(threads)).expect("clean_many");
        let dt = t0.elapsed().as_secs_f64();
        let kept: usize = out.iter().map(|a| a.text.len()).sum();
        let rate = total as f64 / 1e6 / dt;
        if base == 0.0 {
            base = rate;
        }
        println!(
            "threads={threads}: {dt:.2} s, {rate:.1} MB/s ({:.2}x), kept {:.1} MB",
            rate / base,
            kept as f64 / 1e6
        );
    }
}
