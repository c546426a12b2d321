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
