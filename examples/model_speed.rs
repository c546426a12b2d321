//! Speed of the cleaner's tree ensemble alone, on the dev-set lines' feature rows.
//!
//! ```text
//! cargo run --release --example model_speed -- [DIR] [ROUNDS]
//! ```

use std::time::Instant;
use std::{env, fs};

fn main() {
    let dir = env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/cleanup-dev".into());
    let rounds: usize = env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let Some(model) = newsprep::clean::shipped_model() else {
        eprintln!("no shipped model");
        return;
    };
    // One matrix per page, as the cleaner scores them.
    let mut pages: Vec<Vec<f32>> = Vec::new();
    for e in fs::read_dir(&dir).expect("read dir").flatten() {
        let p = e.path();
        if !p.to_string_lossy().ends_with(".noisy.txt") {
            continue;
        }
        let text = String::from_utf8_lossy(&fs::read(&p).expect("read")).into_owned();
        let mut rows = Vec::new();
        for (_, f, forced) in newsprep::clean::debug_units(&text) {
            if forced.is_none() {
                rows.extend(f);
            }
        }
        pages.push(rows);
    }
    let n = pages.iter().map(Vec::len).sum::<usize>() / newsprep::clean::feature_names().len();
    let t0 = Instant::now();
    let mut kept = 0;
    for _ in 0..rounds {
        for rows in &pages {
            kept += model.keep_rows(rows).iter().filter(|&&k| k).count();
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "{n} rows x {rounds}: {:.1} ns per row, kept {}",
        dt * 1e9 / (n * rounds) as f64,
        kept / rounds
    );
}
