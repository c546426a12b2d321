//! Tags cases read from stdin (a JSON array of `{"records", "options", "text", "overlapping"}`)
//! and prints one JSON line per case: `[[start, end, entity_id, [candidate ids]], ...]`, or
//! `"error"` when the gazetteer does not build. tests/reference_tagger.py compares these with
//! its pure-Python tagger.

use std::io::Read;

use newsprep::tag::{EntityRecord, Gazetteer, GazetteerOptions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    records: Vec<EntityRecord>,
    options: GazetteerOptions,
    text: String,
    overlapping: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let cases: Vec<Case> = serde_json::from_str(&input)?;
    for case in cases {
        let line = match Gazetteer::new(case.records, case.options) {
            Err(_) => serde_json::json!("error"),
            Ok(g) => {
                let ms = if case.overlapping {
                    g.tag_overlapping(&case.text)
                } else {
                    g.tag(&case.text)
                };
                let id = |i: u32| g.entities()[i as usize].id.clone();
                serde_json::json!(ms
                    .iter()
                    .map(|m| serde_json::json!([
                        m.start,
                        m.end,
                        id(m.entity),
                        m.candidates.iter().map(|&c| id(c)).collect::<Vec<_>>()
                    ]))
                    .collect::<Vec<_>>())
            }
        };
        println!("{line}");
    }
    Ok(())
}
