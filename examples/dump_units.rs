//! Training dump: one JSON line per page of a folder of `<id>.noisy.txt`, with every line
//! unit the cleaner sees, its features and the rule decision (if a rule decided).
//!
//! ```text
//! cargo run --release --example dump_units -- IN_DIR > units.jsonl
//! ```

use std::io::Write;
use std::{env, fs};

fn main() {
    let dir = env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/cleanup-dev".into());
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".noisy.txt"))
        .collect();
    entries.sort();
    let out = std::io::stdout();
    let mut out = out.lock();
    let names = newsprep::clean::feature_names();
    writeln!(out, "{}", serde_json::json!({ "features": names })).expect("write");
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".noisy.txt");
        let text = String::from_utf8_lossy(&fs::read(&p).expect("read")).into_owned();
        let units: Vec<_> = newsprep::clean::debug_units(&text)
            .into_iter()
            .map(|(t, f, r)| serde_json::json!([t, r.map(|r| r.as_str()), f]))
            .collect();
        writeln!(out, "{}", serde_json::json!({ "id": id, "units": units })).expect("write");
    }
}
