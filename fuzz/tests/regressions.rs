//! Replays every saved crashing input under `regressions/<target>/` through the same checks
//! the fuzz targets run, on stable Rust and without libFuzzer:
//! `cargo test --manifest-path fuzz/Cargo.toml`.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.is_file()) {
        let data = std::fs::read(path).unwrap();
        eprintln!("replaying {}", path.display());
        check(&data);
    }
}

#[test]
fn clean_regressions() {
    replay("clean", newsprep_fuzz::check_clean);
}

#[test]
fn clean_idempotent_regressions() {
    replay("clean_idempotent", newsprep_fuzz::check_clean_idempotent);
}

#[test]
fn strip_icons_regressions() {
    replay("strip_icons", newsprep_fuzz::check_strip_icons);
}

#[test]
fn gazetteer_tag_regressions() {
    replay("gazetteer_tag", newsprep_fuzz::check_gazetteer_tag);
}

#[test]
fn gazetteer_jsonl_regressions() {
    replay("gazetteer_jsonl", newsprep_fuzz::check_gazetteer_jsonl);
}

#[cfg(feature = "corpus")]
#[test]
fn corpus_jsonl_regressions() {
    replay("corpus_jsonl", newsprep_fuzz::corpus::check_corpus_jsonl);
}

#[cfg(feature = "corpus")]
#[test]
fn corpus_parquet_regressions() {
    replay(
        "corpus_parquet",
        newsprep_fuzz::corpus::check_corpus_parquet,
    );
}
