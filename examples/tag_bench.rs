//! Release-mode tagging benchmark.
//!
//!     cargo run --release --example tag_bench -- GAZETTEER.jsonl [CORPUS_DIR] [MB] [--fold] [--single]
//!
//! GAZETTEER may be `default` (the embedded default gazetteer). Builds the gazetteer (timed), repeats the corpus' `*.noisy.txt` pages (default
//! tests/data/cleanup-dev) to MB megabytes (default 50), and tags them with `tag_many` on 1
//! and 2 threads, reporting MB/s and mention counts (`--single`: as one document instead).

use std::time::Instant;

use newsprep::tag::{Gazetteer, GazetteerOptions};

mod common;
use common::cpu_seconds;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fold = args.iter().any(|a| a == "--fold");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let gaz_path = pos
        .first()
        .ok_or("usage: tag_bench GAZETTEER.jsonl [CORPUS] [MB]")?;
    let corpus = pos.get(1).map_or("tests/data/cleanup-dev", |s| s.as_str());
    let mb: f64 = pos.get(2).map_or(Ok(50.0), |s| s.parse())?;

    let options = GazetteerOptions {
        case_sensitive: false,
        fold_diacritics: fold,
    };
    let jsonl = if gaz_path.as_str() == "default" {
        String::new()
    } else {
        std::fs::read_to_string(gaz_path)?
    };
    let t = Instant::now();
    let c = cpu_seconds();
    let gaz = if gaz_path.as_str() == "default" {
        Gazetteer::default_world()?
    } else {
        Gazetteer::from_jsonl_str(&jsonl, gaz_path, options)?
    };
    let build = t.elapsed().as_secs_f64();
    println!(
        "gazetteer: {} entities, {} distinct aliases, {:.0} MB, built in {build:.3} s wall, {:.2} s CPU (fold_diacritics={fold})",
        gaz.entities().len(),
        gaz.alias_count(),
        gaz.memory_usage() as f64 / 1e6,
        cpu_seconds() - c,
    );
    let t = Instant::now();
    let bytes = gaz.to_compact_bytes()?;
    let again = Gazetteer::from_compact_bytes(&bytes)?;
    println!(
        "compact round trip: {:.1} MB, {:.3} s ({} aliases)",
        bytes.len() as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        again.alias_count()
    );

    let mut pages = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(corpus)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".noisy.txt"))
        .collect();
    paths.sort();
    for p in paths {
        pages.push(std::fs::read_to_string(p)?);
    }
    if pages.is_empty() {
        return Err("no *.noisy.txt pages".into());
    }
    let mut docs: Vec<&str> = Vec::new();
    let mut size = 0usize;
    'fill: loop {
        for p in &pages {
            docs.push(p);
            size += p.len();
            if size as f64 >= mb * 1e6 {
                break 'fill;
            }
        }
    }
    println!("corpus: {} docs, {:.1} MB", docs.len(), size as f64 / 1e6);
    if args.iter().any(|a| a == "--single") {
        // One huge document: checks memory stays bounded and time stays linear.
        let one = docs.concat();
        let t = Instant::now();
        let c = cpu_seconds();
        let n = gaz.tag(&one).len();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "tag one {:.0} MB document: {:.1} MB/s wall, {:.1} MB per CPU second, {n} mentions",
            one.len() as f64 / 1e6,
            one.len() as f64 / 1e6 / secs,
            one.len() as f64 / 1e6 / (cpu_seconds() - c).max(1e-9),
        );
        return Ok(());
    }
    for threads in [1usize, 2] {
        let t = Instant::now();
        let c = cpu_seconds();
        let out = gaz.tag_many(&docs, Some(threads), false)?;
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - c;
        let n: usize = out.iter().map(|m| m.len()).sum();
        println!(
            "tag, {threads} thread(s): {:.1} MB/s wall ({secs:.2} s), {:.1} MB/s per CPU second ({cpu:.2} s CPU), {n} mentions",
            size as f64 / 1e6 / secs,
            size as f64 / 1e6 / cpu.max(1e-9),
        );
    }
    Ok(())
}
