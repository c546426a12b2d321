//! The invariants the fuzz targets check, shared with the regression tests
//! (`tests/regressions.rs` replays every file under `regressions/` through them on stable
//! Rust, without libFuzzer).
//!
//! Each `check_*` function takes the raw fuzzer input and panics when an invariant breaks.

use arbitrary::{Arbitrary, Unstructured};
use newsprep::tag::{AliasSpec, EntityRecord, Gazetteer, GazetteerOptions, Mention};
use newsprep::Error;

/// Non-whitespace characters of `s`.
fn solid(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| !c.is_whitespace())
}

/// Is `part` (whitespace ignored) a subsequence of `whole` (whitespace ignored)? That is
/// "nothing is invented": every kept character comes from the input, in order.
pub fn is_solid_subsequence(part: &str, whole: &str) -> bool {
    let mut whole = solid(whole);
    solid(part).all(|c| whole.any(|w| w == c))
}

/// `clean`: output (body, title, byline, dropped lines) invents nothing, and paragraphs
/// are separated by exactly one blank line.
pub fn check_clean(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let article = newsprep::clean(&input);
    let text = &article.text;
    assert!(
        is_solid_subsequence(text, &input),
        "clean invented text: {text:?}"
    );
    for field in [&article.title, &article.byline].into_iter().flatten() {
        assert!(
            is_solid_subsequence(field, &input),
            "clean invented a title/byline: {field:?}"
        );
    }
    for dropped in &article.dropped {
        assert!(
            is_solid_subsequence(&dropped.line, &input),
            "clean reported a dropped line that is not in the input: {:?}",
            dropped.line
        );
    }
    assert_eq!(text.trim(), text, "body has leading/trailing whitespace");
    assert!(
        !text.contains("\n\n\n"),
        "more than one blank line between paragraphs"
    );
}

/// `clean` is idempotent: cleaning its own output changes nothing. A target of its own so
/// that an idempotence failure does not stop [`check_clean`] from finding other bugs.
pub fn check_clean_idempotent(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let once = newsprep::clean(&input).text;
    let twice = newsprep::clean(&once).text;
    assert_eq!(twice, once, "clean is not idempotent");
}

/// `strip_icons`: invents nothing, keeps the line structure, leaves lines without "icon"
/// alone, and is idempotent.
pub fn check_strip_icons(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let out = newsprep::strip_icons(&input);
    assert!(
        is_solid_subsequence(&out, &input),
        "strip_icons invented text: {out:?}"
    );
    assert_eq!(
        out.matches('\n').count(),
        input.matches('\n').count(),
        "strip_icons changed the number of lines"
    );
    for (a, b) in input.split('\n').zip(out.split('\n')) {
        if !a.to_ascii_lowercase().contains("icon") {
            assert_eq!(a, b, "strip_icons changed a line without icons");
        }
    }
    assert_eq!(
        newsprep::strip_icons(&out),
        out,
        "strip_icons is not idempotent"
    );
}

/// `Gazetteer::from_jsonl_str` on arbitrary text: never panics; a failure is
/// `Error::Gazetteer` (bad JSON, empty id, conflicting labels...). A gazetteer that builds
/// tags its own names without panicking.
pub fn check_gazetteer_jsonl(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let options = GazetteerOptions {
        case_sensitive: flags & 1 != 0,
        fold_diacritics: flags & 2 != 0,
    };
    let text = String::from_utf8_lossy(rest);
    match Gazetteer::from_jsonl_str(&text, "fuzz.jsonl", options) {
        Ok(gaz) => {
            let names: Vec<String> = gaz.entities().iter().map(|e| e.name.clone()).collect();
            let haystack = names.join(" , ");
            let mentions = gaz.tag(&haystack);
            check_mentions(&gaz, &haystack, &mentions, false);
        }
        Err(Error::Gazetteer { .. }) => {}
        Err(other) => panic!("from_jsonl_str failed with a non-gazetteer error: {other:?}"),
    }
}

/// Arbitrary gazetteer + text. The text is built from pieces that are either aliases of the
/// gazetteer (possibly re-cased) or arbitrary strings, so matches actually happen.
#[derive(Debug, Arbitrary)]
pub struct TagInput {
    pub entities: Vec<FuzzEntity>,
    pub case_sensitive: bool,
    pub fold_diacritics: bool,
    pub pieces: Vec<Piece>,
}

#[derive(Debug, Arbitrary)]
pub struct FuzzEntity {
    pub id: u8,
    pub label: u8,
    pub name: String,
    pub aliases: Vec<(String, Option<bool>)>,
}

#[derive(Debug, Arbitrary)]
pub enum Piece {
    /// The n-th alias of all aliases (mod their count), as written.
    Alias(u16),
    /// The n-th alias upper-cased.
    Upper(u16),
    /// Any text.
    Raw(String),
    /// A separator drawn from the characters the tagger treats specially.
    Sep(u8),
}

const SEPARATORS: &[&str] = &[
    " ", "\u{a0}", "\n", "'", "\u{2019}", "-", "\u{2014}", "\"", "\u{201c}", ",", ".", "\u{301}",
    "s", "İ", "ß", "ﬁ", "\u{200b}", "\t\r\n ",
];

impl TagInput {
    pub fn records(&self) -> Vec<EntityRecord> {
        self.entities
            .iter()
            .map(|e| EntityRecord {
                id: format!("E{}", e.id % 16),
                label: ["PLACE", "PERSON", "ORG"][usize::from(e.label % 3)].to_string(),
                name: e.name.clone(),
                aliases: e
                    .aliases
                    .iter()
                    .map(|(text, cs)| match cs {
                        None => AliasSpec::Text(text.clone()),
                        Some(cs) => AliasSpec::Detailed {
                            text: text.clone(),
                            case_sensitive: Some(*cs),
                        },
                    })
                    .collect(),
            })
            .collect()
    }

    pub fn text(&self) -> String {
        let all: Vec<&str> = self
            .entities
            .iter()
            .flat_map(|e| {
                std::iter::once(e.name.as_str()).chain(e.aliases.iter().map(|a| a.0.as_str()))
            })
            .collect();
        let mut text = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Alias(n) if !all.is_empty() => {
                    text.push_str(all[usize::from(*n) % all.len()])
                }
                Piece::Upper(n) if !all.is_empty() => {
                    text.push_str(&all[usize::from(*n) % all.len()].to_uppercase())
                }
                Piece::Raw(s) => text.push_str(s),
                Piece::Sep(n) => text.push_str(SEPARATORS[usize::from(*n) % SEPARATORS.len()]),
                _ => {}
            }
        }
        text
    }
}

/// A character that is certainly a letter or digit (L* or N*), for the boundary check. The
/// tagger's own classes come from the Unicode tables; here only blocks where Rust's
/// `is_alphanumeric` agrees with L*/N* are trusted, so the check has no false alarms.
fn surely_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, 'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ' | 'Ѐ'..='ҁ' | 'Ҋ'..='ӿ' | '\u{4e00}'..='\u{9fff}')
}

/// Offsets slice the text, mentions respect word boundaries, candidates are valid, and the
/// non-overlapping ones are sorted and disjoint.
pub fn check_mentions(gaz: &Gazetteer, text: &str, mentions: &[Mention], overlapping: bool) {
    let n_entities = gaz.entities().len() as u32;
    for m in mentions {
        assert!(
            m.byte_start < m.byte_end && m.byte_end <= text.len(),
            "bad byte span {m:?} in a text of {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(m.byte_start) && text.is_char_boundary(m.byte_end),
            "byte offsets not on char boundaries: {m:?}"
        );
        let start = text[..m.byte_start].chars().count();
        let len = text[m.byte_start..m.byte_end].chars().count();
        assert_eq!(
            (m.start, m.end),
            (start, start + len),
            "char offsets disagree with bytes: {m:?}"
        );
        let before = text[..m.byte_start].chars().next_back();
        let after = text[m.byte_end..].chars().next();
        assert!(
            !before.is_some_and(surely_word) && !after.is_some_and(surely_word),
            "mention {:?} not on a word boundary ({before:?} before, {after:?} after)",
            &text[m.byte_start..m.byte_end]
        );
        assert!(m.entity < n_entities, "entity index out of range: {m:?}");
        assert_eq!(
            m.candidates.first(),
            Some(&m.entity),
            "primary is not the first candidate"
        );
        assert!(
            m.candidates.iter().all(|&c| c < n_entities),
            "candidate out of range: {m:?}"
        );
        let mut sorted = m.candidates.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            m.candidates.len(),
            "repeated candidate: {m:?}"
        );
    }
    if !overlapping {
        for pair in mentions.windows(2) {
            assert!(
                pair[0].byte_end <= pair[1].byte_start,
                "mentions overlap or are unsorted: {:?} then {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}

/// Gets the bytes out of `to_compact_bytes`, whether it returns `Vec<u8>` or a `Result`.
pub trait CompactBytes {
    fn into_bytes(self) -> Vec<u8>;
}
impl CompactBytes for Vec<u8> {
    fn into_bytes(self) -> Vec<u8> {
        self
    }
}
impl CompactBytes for newsprep::error::Result<Vec<u8>> {
    fn into_bytes(self) -> Vec<u8> {
        self.expect("to_compact_bytes failed on a built gazetteer")
    }
}

/// Build a gazetteer from arbitrary records and tag an arbitrary text: a build failure is a
/// typed gazetteer error; tag results satisfy [`check_mentions`]; every non-overlapping
/// mention is among the overlapping ones; a serialized copy tags the same.
pub fn check_gazetteer_tag(data: &[u8]) {
    let Ok(input) = TagInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let options = GazetteerOptions {
        case_sensitive: input.case_sensitive,
        fold_diacritics: input.fold_diacritics,
    };
    let gaz = match Gazetteer::new(input.records(), options) {
        Ok(gaz) => gaz,
        Err(Error::Gazetteer { .. }) => return,
        Err(other) => panic!("Gazetteer::new failed with a non-gazetteer error: {other:?}"),
    };
    let text = input.text();
    let mentions = gaz.tag(&text);
    check_mentions(&gaz, &text, &mentions, false);
    let all = gaz.tag_overlapping(&text);
    check_mentions(&gaz, &text, &all, true);
    for m in &mentions {
        assert!(
            all.iter()
                .any(|o| o.byte_start == m.byte_start && o.byte_end == m.byte_end),
            "mention {m:?} is missing from tag_overlapping"
        );
    }
    let bytes = gaz.to_compact_bytes().into_bytes();
    let copy = Gazetteer::from_compact_bytes(&bytes).expect("compact bytes do not load back");
    assert_eq!(
        copy.tag(&text),
        mentions,
        "a serialized copy tags differently"
    );
}

/// The corpus readers: JSONL and Parquet bytes through a whole run (read, clean, tag, Arrow
/// batches).
#[cfg(feature = "corpus")]
pub mod corpus {
    use std::path::PathBuf;
    use std::sync::{Arc, OnceLock};

    use arbitrary::{Arbitrary, Unstructured};
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Array, ArrayRef, BinaryArray, Int64Array, RecordBatch, StringArray};
    use newsprep::corpus::{Batch, Options, Run, Source};
    use newsprep::tag::{Gazetteer, GazetteerOptions};
    use newsprep::Error;

    fn gazetteer() -> Arc<Gazetteer> {
        static GAZ: OnceLock<Arc<Gazetteer>> = OnceLock::new();
        GAZ.get_or_init(|| {
            let jsonl = r#"{"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov", "Харків"]}
{"id": "L-izium", "label": "PLACE", "name": "Izium", "aliases": ["Izyum"]}
{"id": "X-a", "label": "X", "name": "a"}
{"id": "X-b", "label": "X", "name": "a", "aliases": ["text"]}"#;
            Arc::new(Gazetteer::from_jsonl_str(jsonl, "fuzz", GazetteerOptions::default()).unwrap())
        })
        .clone()
    }

    /// A scratch file of this process (libFuzzer runs one input at a time).
    fn scratch(ext: &str, data: &[u8]) -> PathBuf {
        let dir = std::env::var_os("NEWSPREP_FUZZ_TMP")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!("newsprep-fuzz-{}.{ext}", std::process::id()));
        std::fs::write(&path, data).unwrap();
        path
    }

    fn options(flags: u8, batch_size: usize) -> Options {
        Options {
            clean: flags & 1 != 0,
            batch_size,
            batch_bytes: if flags & 2 != 0 { 64 } else { 16 << 20 },
            threads: None,
        }
    }

    fn collect(run: Run) -> Result<Vec<Batch>, Error> {
        let mut out = Vec::new();
        run.run(|b| out.push(b))?;
        Ok(out)
    }

    fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
        let col = batch.column_by_name(name).expect("column");
        let col = col.as_string::<i32>();
        (0..col.len())
            .map(|i| (!col.is_null(i)).then(|| col.value(i).to_string()))
            .collect()
    }

    fn ints(batch: &RecordBatch, name: &str) -> Vec<i64> {
        let col = batch.column_by_name(name).expect("column");
        col.as_primitive::<Int64Type>().values().to_vec()
    }

    /// Documents (doc_id, text, error) of a run, and checks that each batch's mentions
    /// slice their document's text.
    fn documents(batches: &[Batch]) -> Vec<(String, String, Option<String>)> {
        let mut docs = Vec::new();
        for b in batches {
            let ids = strings(&b.documents, "doc_id");
            let texts = strings(&b.documents, "text");
            let errors = strings(&b.documents, "error");
            let chars_out = ints(&b.documents, "chars_out");
            for (i, text) in texts.iter().enumerate() {
                let text = text.as_deref().expect("text is never null");
                assert_eq!(chars_out[i], text.chars().count() as i64, "chars_out");
            }
            let m_ids = strings(&b.mentions, "doc_id");
            let m_text = strings(&b.mentions, "text");
            let starts = ints(&b.mentions, "start");
            let ends = ints(&b.mentions, "end");
            // Mentions come in document order; doc ids need not be unique (a corpus may
            // repeat one), so a mention belongs to the next document with its id whose text
            // it slices.
            let mut cursor = 0;
            for k in 0..m_ids.len() {
                let id = m_ids[k].as_deref().unwrap();
                let (s, e) = (starts[k] as usize, ends[k] as usize);
                assert!(s < e, "empty mention");
                let slices = |r: usize| {
                    let text = texts[r].as_deref().unwrap();
                    let surface: String = text.chars().skip(s).take(e - s).collect();
                    e <= text.chars().count() && Some(surface) == m_text[k]
                };
                cursor = (cursor..ids.len())
                    .find(|&r| ids[r].as_deref() == Some(id) && slices(r))
                    .unwrap_or_else(|| {
                        panic!(
                            "mention {:?} [{s}, {e}) of {id:?} slices no document",
                            m_text[k]
                        )
                    });
            }
            for i in 0..ids.len() {
                docs.push((
                    ids[i].clone().unwrap(),
                    texts[i].clone().unwrap(),
                    errors[i].clone(),
                ));
            }
        }
        docs
    }

    /// Arbitrary bytes as a JSONL corpus (first byte: options): every non-blank line is a
    /// document row (good or with an error), none is lost; mentions slice the cleaned
    /// text; batches of 3 give the same documents as one batch.
    pub fn check_corpus_jsonl(data: &[u8]) {
        let Some((&flags, body)) = data.split_first() else {
            return;
        };
        let path = scratch("jsonl", body);
        let expected = body
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count();
        let source = || Source::Jsonl {
            path: path.clone(),
            text_column: "text".into(),
            id_column: Some("id".into()),
        };
        let run = Run::new(source(), Some(gazetteer()), options(flags, 3)).expect("open");
        let small = documents(&collect(run).expect("a JSONL run failed as a whole"));
        assert_eq!(small.len(), expected, "documents lost or invented");
        let run = Run::new(source(), Some(gazetteer()), options(flags, 10_000)).expect("open");
        let big = documents(&collect(run).expect("a JSONL run failed as a whole"));
        assert_eq!(small, big, "the batch size changed the result");
    }

    /// Rows written as a valid Parquet file, then maybe corrupted or cut.
    #[derive(Debug, Arbitrary)]
    pub struct ParquetInput {
        pub flags: u8,
        pub rows: Vec<(Option<Vec<u8>>, Option<i64>)>,
        pub binary_text: bool,
        pub corrupt: Vec<(u16, u8)>,
        pub cut: Option<u16>,
    }

    fn parquet_bytes(input: &ParquetInput) -> Vec<u8> {
        let text: ArrayRef = if input.binary_text {
            Arc::new(BinaryArray::from_iter(
                input.rows.iter().map(|r| r.0.as_deref()),
            ))
        } else {
            Arc::new(StringArray::from_iter(input.rows.iter().map(|r| {
                r.0.as_deref()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            })))
        };
        let id: ArrayRef = Arc::new(Int64Array::from_iter(input.rows.iter().map(|r| r.1)));
        let batch = RecordBatch::try_from_iter([("text", text), ("id", id)]).unwrap();
        let mut out = Vec::new();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        out
    }

    /// A Parquet corpus: intact, every row is a document (null text: an error row); cut or
    /// corrupted, a typed error or rows, never a panic.
    pub fn check_corpus_parquet(data: &[u8]) {
        let Ok(input) = ParquetInput::arbitrary_take_rest(Unstructured::new(data)) else {
            return;
        };
        let mut bytes = parquet_bytes(&input);
        let intact = input.corrupt.is_empty() && input.cut.is_none();
        for &(at, value) in &input.corrupt {
            let n = bytes.len();
            bytes[usize::from(at) % n] = value;
        }
        if let Some(cut) = input.cut {
            bytes.truncate(usize::from(cut) % (bytes.len() + 1));
        }
        let path = scratch("parquet", &bytes);
        let source = Source::Parquet {
            path,
            text_column: "text".into(),
            id_column: Some("id".into()),
        };
        let result = Run::new(source, Some(gazetteer()), options(input.flags, 4)).and_then(collect);
        match result {
            Ok(batches) => {
                let docs = documents(&batches);
                if intact {
                    assert_eq!(docs.len(), input.rows.len(), "rows lost or invented");
                    for (doc, row) in docs.iter().zip(&input.rows) {
                        assert_eq!(doc.2.is_some(), row.0.is_none(), "error row iff null text");
                    }
                }
            }
            Err(e) => {
                assert!(!intact, "an intact Parquet file failed: {e}");
                assert!(
                    matches!(e, Error::Arrow { .. } | Error::Io { .. } | Error::Input(_)),
                    "untyped failure: {e:?}"
                );
            }
        }
    }
}
