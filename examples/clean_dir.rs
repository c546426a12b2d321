//! Cleans every `<id>.noisy.txt` (or `<id>.txt`) of a folder into `OUT_DIR/<id>.txt`.
//!
//! ```text
//! cargo run --release --example clean_dir -- IN_DIR OUT_DIR [--model MODEL.txt] [--meta]
//! ```
//! `--model` uses another tree ensemble than the shipped one (cross-validation folds);
//! `--meta` also writes `OUT_DIR/<id>.json` with title, date, byline and dropped lines.

use std::path::PathBuf;
use std::{env, fs, process};

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let mut pos = Vec::new();
    let mut model_path = None;
    let mut meta = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => model_path = it.next().cloned(),
            "--meta" => meta = true,
            _ => pos.push(a.clone()),
        }
    }
    let [inp, out] = pos.as_slice() else {
        eprintln!("usage: clean_dir IN_DIR OUT_DIR [--model MODEL.txt] [--meta]");
        process::exit(2);
    };
    let model = model_path.map(|p| {
        let src = fs::read_to_string(&p).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            process::exit(1)
        });
        newsprep::clean::Model::parse(&src).unwrap_or_else(|| {
            eprintln!("{p}: not a model for this build");
            process::exit(1)
        })
    });
    fs::create_dir_all(out).unwrap_or_else(|e| {
        eprintln!("{out}: {e}");
        process::exit(1)
    });
    let mut entries: Vec<PathBuf> = fs::read_dir(inp)
        .unwrap_or_else(|e| {
            eprintln!("{inp}: {e}");
            process::exit(1)
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.to_string_lossy().ends_with(".txt") && !p.to_string_lossy().ends_with(".gold.txt")
        })
        .collect();
    entries.sort();
    let mut n = 0;
    for p in entries {
        let name = p
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = name.trim_end_matches(".txt").trim_end_matches(".noisy");
        let bytes = fs::read(&p).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let art = match &model {
            Some(m) => newsprep::clean::clean_with(&text, Some(m)),
            None => newsprep::clean(&text),
        };
        let dest = PathBuf::from(out).join(format!("{id}.txt"));
        fs::write(&dest, &art.text).unwrap_or_else(|e| eprintln!("{}: {e}", dest.display()));
        if meta {
            let dest = PathBuf::from(out).join(format!("{id}.json"));
            let js = serde_json::to_string_pretty(&art).unwrap_or_default();
            fs::write(&dest, js).unwrap_or_else(|e| eprintln!("{}: {e}", dest.display()));
        }
        n += 1;
    }
    eprintln!("cleaned {n} files into {out}");
}
