//! Gazetteer entity tagging.
//!
//! A [`Gazetteer`] holds entities (id, label, name, aliases) and finds their mentions in text:
//!
//! * **Case**: Unicode case-insensitive by default (full case folding: "KYIV" = "kyiv",
//!   "ХАРКІВ" = "Харків", "STRASSE" = "Straße"); an alias may be `case_sensitive`, and
//!   [`GazetteerOptions::case_sensitive`] sets the default for aliases that do not say.
//! * **Typographic variants** are equal: `’ ‘ ʼ` and `'`, `“ ”` and `"`, `– —` and `-`; any run
//!   of whitespace (line breaks, NBSP, other Unicode spaces) in an alias matches any run of
//!   whitespace in the text.
//! * **Word boundaries**: no letter, digit or combining mark directly before or after a
//!   mention ("Kiev" is not in "Kievan"); apostrophes and hyphens are boundaries ("Russia's",
//!   "Izium-Balakliya").
//! * **Leftmost-longest, non-overlapping** ([`Gazetteer::tag`]); [`Gazetteer::tag_overlapping`]
//!   returns every match.
//! * **Diacritics** are folded with [`GazetteerOptions::fold_diacritics`] ("Zelenskýi" =
//!   "Zelenskyi"): canonical decomposition with the combining marks dropped, so letters that
//!   do not decompose ("Ł", "ø", "đ") stay as they are. Without it, text and aliases are
//!   compared as written (no NFC/NFD normalization: a precomposed "é" is not "e" + U+0301).
//! * **Shared aliases**: one mention, with every entity as a candidate. The primary entity
//!   (first candidate) is one whose *name* the alias is, before those listing it as an alias;
//!   among equals, the earlier record first.
//!
//! Offsets are Unicode scalar values (Python `str` indices) and UTF-8 bytes of the input.
//!
//! ```
//! use newsprep::tag::{Gazetteer, GazetteerOptions};
//! let gaz = Gazetteer::from_jsonl_str(
//!     r#"{"id": "L-izium", "label": "PLACE", "name": "Izium", "aliases": ["Izyum"]}
//! {"id": "L-balakliya", "label": "PLACE", "name": "Balakliya"}"#,
//!     "example.jsonl",
//!     GazetteerOptions::default(),
//! )
//! .unwrap();
//! let text = "Ukraine’s Izium-Balakliya push";
//! let found: Vec<(&str, &str)> = gaz
//!     .tag(text)
//!     .iter()
//!     .map(|m| (&text[m.byte_start..m.byte_end], gaz.entity(m.entity).id.as_str()))
//!     .collect();
//! assert_eq!(found, [("Izium", "L-izium"), ("Balakliya", "L-balakliya")]);
//! ```
//!
//! ## How it works
//!
//! The text is normalized once (case folding, variants, whitespace runs, optional diacritic
//! folding) into bytes with a map back to original byte offsets (see `normalize.rs`), noting
//! where a mention may start (after a non-word character). At each such start one walk of a
//! byte trie of the normalized aliases (`trie.rs`; anchored matching needs no Aho-Corasick
//! failure links) yields every alias that is a prefix of the text there; the longest one that
//! ends on a word boundary (and, for a case-sensitive alias, matches the exact surface) wins,
//! so a shorter alias still matches when the longest ends inside a word. At an ASCII word the
//! walk starts with the whole word, looked up in a Bloom filter and a hash table of the
//! aliases' first words, so most words of a text cost one cache-resident probe (a word that
//! only begins multi-word aliases, a second one, of the word pairs they begin); all the starts
//! of a text are looked up before any walk, so those probes' cache misses overlap. Offsets are
//! converted to character indices in one forward pass. Texts over 4 MiB are normalized in
//! pieces (bounded scratch memory); a mention may reach 64 KiB past its piece.

mod default;
mod normalize;
mod tables;
#[cfg(test)]
mod tests;
mod trie;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::parallel;
use normalize::{class_of, normalize_key, normalize_text, NormText};
use trie::{Trie, Walks};

pub use default::{default_options, default_records, DEFAULT_GAZETTEER_ORIGIN};

/// One spelling of an entity. In JSON either a plain string or
/// `{"text": "SBU", "case_sensitive": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AliasSpec {
    /// A plain alias; its case sensitivity is the gazetteer's default.
    Text(String),
    /// An alias with its own case sensitivity (`None`: the gazetteer's default).
    Detailed {
        /// The alias text.
        text: String,
        /// `Some(true)`: match this exact case only (after typographic normalization).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_sensitive: Option<bool>,
    },
}

impl AliasSpec {
    /// The alias text.
    pub fn text(&self) -> &str {
        match self {
            AliasSpec::Text(t) | AliasSpec::Detailed { text: t, .. } => t,
        }
    }
    /// The alias's own case sensitivity, if it sets one.
    pub fn case_sensitive(&self) -> Option<bool> {
        match self {
            AliasSpec::Text(_) => None,
            AliasSpec::Detailed { case_sensitive, .. } => *case_sensitive,
        }
    }
}

/// One gazetteer record, as in the JSONL format:
/// `{"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov"]}`.
/// The name is itself an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRecord {
    /// A unique, non-empty id (records repeating an id are merged, see [`Gazetteer`]).
    pub id: String,
    /// PERSON, PLACE, ORG or any string.
    pub label: String,
    /// The canonical name (also an alias).
    pub name: String,
    /// Other spellings (`null` or missing: none).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub aliases: Vec<AliasSpec>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<AliasSpec>, D::Error> {
    Ok(Option::<Vec<AliasSpec>>::deserialize(d)?.unwrap_or_default())
}

/// Gazetteer-wide options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GazetteerOptions {
    /// The default for aliases that do not say (`false`: Unicode case-insensitive).
    pub case_sensitive: bool,
    /// Match "Zelenskyi" and "Zelenskýi" alike.
    pub fold_diacritics: bool,
}

/// An entity as the tagger reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// The record's id.
    pub id: String,
    /// The (first) record's label.
    pub label: String,
    /// The (first) record's name.
    pub name: String,
}

/// One found mention. `start`/`end` count Unicode scalar values (Python `str` indices);
/// `byte_start`/`byte_end` are the same span in UTF-8 bytes. `entity` is the primary
/// entity's index; `candidates` lists every entity the alias belongs to, primary first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// First character (Unicode scalar value index, as Python `str` indices).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// `start` in UTF-8 bytes.
    pub byte_start: usize,
    /// `end` in UTF-8 bytes.
    pub byte_end: usize,
    /// The primary entity, an index into [`Gazetteer::entities`].
    pub entity: u32,
    /// Every entity the matched alias belongs to, primary first.
    pub candidates: Vec<u32>,
}

/// One (alias, entity) pair of a pattern.
#[derive(Debug)]
struct Entry {
    entity: u32,
    /// For a case-sensitive alias: its surface key (normalized without case folding), which
    /// the matched text must equal.
    exact: Option<Box<str>>,
}

/// One distinct normalized alias: `entries[first..first + len]`, primary first.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    first: u32,
    len: u32,
    any_exact: bool,
}

#[derive(Debug)]
struct Inner {
    entities: Vec<Entity>,
    records: Vec<EntityRecord>,
    options: GazetteerOptions,
    /// The normalized aliases; pattern ids index `patterns`.
    trie: Trie,
    patterns: Vec<Pattern>,
    entries: Vec<Entry>,
    /// `first[b]`: some alias key starts with byte `b`.
    first: [bool; 256],
}

/// A compiled gazetteer. Cheap to clone (an `Arc` inside) and to share across threads
/// (`Send + Sync`).
///
/// Records with the same id are **merged**: the first record's label and name win, and the
/// later records' names and aliases become aliases of that entity. Records with the same id
/// but *different labels* are an error (field `"label"`): they are most likely two different
/// things that collided, and merging them would silently mislabel mentions.
///
/// # Resource usage
///
/// Measured on a 2-core machine shared with other jobs (CPU time, which such sharing affects
/// least; `examples/tag_bench.rs`), with the GeoNames gazetteers of `bench/tagging_speed.py`:
/// 212k aliases build in 0.3 s of CPU (22 MB), 368k in 0.6 s (37 MB), 858k in 1.7 s (81 MB),
/// 1.7M in 3.4 s. Tagging the dev-set news pages with the default gazetteer (232k aliases)
/// runs at about 140 MB of text per CPU second (`cargo run --release --example tag_bench --
/// default`). Tagging takes a few times the text's size in scratch memory, bounded for long
/// texts (they are normalized in 4 MB pieces; a thread keeps at most 16 MiB between texts).
#[derive(Clone)]
pub struct Gazetteer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Gazetteer {
    /// A summary: the matcher itself can be millions of nodes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("entities", &self.inner.entities.len())
            .field("aliases", &self.inner.patterns.len())
            .field("options", &self.inner.options)
            .finish()
    }
}

/// Texts are normalized in pieces of this many bytes (plus MARGIN)...
const PIECE: usize = 1 << 22;
/// ...and a mention starting in one piece may reach this far beyond it. A longer mention (an
/// alias over 64 KiB of text, e.g. through a huge whitespace run) is found only when it does
/// not cross a piece boundary.
const MARGIN: usize = 1 << 16;

/// Each thread keeps its scan scratch between texts unless it grew past this many bytes (then
/// it is freed: one huge text must not pin several times its size per thread).
const KEEP_SCRATCH: usize = 16 << 20;

/// The largest character boundary of `text` at or before `i` (or `text.len()`).
fn floor_char_boundary(text: &str, i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    let mut i = i;
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A piece of the text being tagged: starts in `begin..core_end`, normalized up to
/// `window_end`.
#[derive(Debug, Clone, Copy)]
struct Range {
    begin: usize,
    core_end: usize,
    window_end: usize,
}

/// What a scan carries from one piece to the next.
struct ScanState {
    overlapping: bool,
    /// Non-overlapping: no mention may start before this original offset.
    next_free: usize,
    /// Scratch: every alias that is a prefix of the text at one start (normalized end,
    /// pattern).
    hits: Vec<(usize, u32)>,
}

/// A thread's scratch for scans, kept between texts: the normalized text and the starts
/// where some alias may match.
#[derive(Default)]
struct Scratch {
    norm: NormText,
    walks: Walks,
}

impl Scratch {
    fn heap_size(&self) -> usize {
        self.norm.heap_size() + self.walks.heap_size()
    }
}

/// The build's maps hash with the crate's one fast hasher.
type FastHash = crate::hash::FxBuildHasher;

/// What a serialized gazetteer holds: enough to rebuild it.
#[derive(Serialize, Deserialize)]
struct Compact {
    version: u32,
    options: GazetteerOptions,
    records: Vec<EntityRecord>,
}

fn gazetteer_error(origin: &str, line: usize, field: &str, reason: impl Into<String>) -> Error {
    Error::Gazetteer {
        origin: origin.to_string(),
        line,
        field: Some(field.to_string()),
        reason: reason.into(),
    }
}

impl Gazetteer {
    /// Builds a gazetteer from records. Errors name the record by its 1-based index.
    ///
    /// Empty and whitespace-only aliases (and names) are skipped; an empty (or whitespace-only)
    /// id is an error, and so is an id repeated with a different label (see [`Gazetteer`] on
    /// duplicates).
    pub fn new(records: Vec<EntityRecord>, options: GazetteerOptions) -> Result<Self> {
        let lines: Vec<usize> = (1..=records.len()).collect();
        Self::build(records, &lines, "records", options)
    }

    /// [`Gazetteer::new`] with errors that name the source: `origin` (a file name) and, for
    /// each record, its line in that file (`lines[i]` for `records[i]`; the 1-based index
    /// where `lines` is short). For loaders of other formats (CSV, spaCy patterns...).
    pub fn new_with_origin(
        records: Vec<EntityRecord>,
        origin: &str,
        lines: &[usize],
        options: GazetteerOptions,
    ) -> Result<Self> {
        Self::build(records, lines, origin, options)
    }

    /// Parses JSONL text (one record a line; blank lines skipped). `origin` names the source
    /// in error messages.
    pub fn from_jsonl_str(text: &str, origin: &str, options: GazetteerOptions) -> Result<Self> {
        let mut records = Vec::new();
        let mut lines = Vec::new();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: EntityRecord =
                serde_json::from_str(line).map_err(|e| Error::Gazetteer {
                    origin: origin.to_string(),
                    line: i + 1,
                    field: None,
                    reason: e.to_string(),
                })?;
            records.push(record);
            lines.push(i + 1);
        }
        Self::build(records, &lines, origin, options)
    }

    fn build(
        records: Vec<EntityRecord>,
        lines: &[usize],
        origin: &str,
        options: GazetteerOptions,
    ) -> Result<Self> {
        let fold = options.fold_diacritics;
        let mut entities: Vec<Entity> = Vec::new();
        let mut name_keys: Vec<String> = Vec::new();
        let mut by_id: HashMap<&str, u32, FastHash> =
            HashMap::with_capacity_and_hasher(records.len(), FastHash::default());
        let mut keys: HashMap<String, u32, FastHash> = HashMap::with_hasher(FastHash::default());
        // (pattern, not the entity's name, entity, exact surface for case-sensitive aliases)
        let mut raw: Vec<(u32, bool, u32, Option<Box<str>>)> = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let line = lines.get(index).copied().unwrap_or(index + 1);
            if record.id.trim().is_empty() {
                return Err(gazetteer_error(origin, line, "id", "empty id"));
            }
            let entity = match by_id.get(record.id.as_str()) {
                Some(&e) => {
                    let known = entities.get(e as usize).map_or("", |k| k.label.as_str());
                    if known != record.label {
                        return Err(gazetteer_error(
                            origin,
                            line,
                            "label",
                            format!(
                                "id {:?} is repeated with label {:?}, first seen with label {:?}",
                                record.id, record.label, known
                            ),
                        ));
                    }
                    e
                }
                None => {
                    let Ok(e) = u32::try_from(entities.len()) else {
                        return Err(gazetteer_error(origin, line, "id", "too many entities"));
                    };
                    by_id.insert(record.id.as_str(), e);
                    entities.push(Entity {
                        id: record.id.clone(),
                        label: record.label.clone(),
                        name: record.name.clone(),
                    });
                    name_keys.push(normalize_key(&record.name, true, fold));
                    e
                }
            };
            let name = std::iter::once((record.name.as_str(), None));
            let aliases = record
                .aliases
                .iter()
                .map(|a| (a.text(), a.case_sensitive()));
            for (text, case_sensitive) in name.chain(aliases) {
                let key = normalize_key(text, true, fold);
                if key.is_empty() {
                    continue;
                }
                let exact = if case_sensitive.unwrap_or(options.case_sensitive) {
                    Some(normalize_key(text, false, fold).into_boxed_str())
                } else {
                    None
                };
                let not_name = name_keys.get(entity as usize) != Some(&key);
                let pattern = match keys.get(&key) {
                    Some(&p) => p,
                    None => {
                        let Ok(p) = u32::try_from(keys.len()) else {
                            return Err(gazetteer_error(
                                origin,
                                line,
                                "aliases",
                                "too many aliases",
                            ));
                        };
                        keys.insert(key, p);
                        p
                    }
                };
                raw.push((pattern, not_name, entity, exact));
            }
        }
        drop(by_id);
        let mut key_list: Vec<String> = vec![String::new(); keys.len()];
        for (key, p) in keys {
            if let Some(slot) = key_list.get_mut(p as usize) {
                *slot = key;
            }
        }

        // Order each pattern's entries: the entities whose name it is first, then by entity
        // (record) order; one case-insensitive entry makes an entity's case-sensitive ones moot.
        raw.sort_unstable();
        let mut patterns = vec![
            Pattern {
                first: 0,
                len: 0,
                any_exact: false
            };
            key_list.len()
        ];
        let mut entries: Vec<Entry> = Vec::with_capacity(raw.len());
        let mut prev: Option<(u32, u32, bool)> = None; // (pattern, entity, has a free entry)
        for (p, _, e, exact) in raw {
            if let Some((pp, pe, free)) = prev {
                if pp == p && pe == e && (free || entries.last().map(|x| &x.exact) == Some(&exact))
                {
                    continue;
                }
            }
            let Some(pat) = patterns.get_mut(p as usize) else {
                continue;
            };
            if pat.len == 0 {
                pat.first = entries.len() as u32;
            }
            pat.len += 1;
            pat.any_exact |= exact.is_some();
            prev = Some((p, e, exact.is_none()));
            entries.push(Entry { entity: e, exact });
        }

        let mut first = [false; 256];
        for k in &key_list {
            if let Some(&b) = k.as_bytes().first() {
                first[b as usize] = true;
            }
        }
        let Some(trie) = Trie::new(&key_list) else {
            return Err(gazetteer_error(origin, 0, "aliases", "too many aliases"));
        };
        Ok(Gazetteer {
            inner: Arc::new(Inner {
                entities,
                records,
                options,
                trie,
                patterns,
                entries,
                first,
            }),
        })
    }

    /// The entities, in record order (one per distinct id); [`Mention::entity`] indexes this.
    pub fn entities(&self) -> &[Entity] {
        &self.inner.entities
    }

    /// The entity at `index` (a [`Mention::entity`] or candidate).
    ///
    /// # Panics
    ///
    /// If `index` is not one this gazetteer returned; see [`Gazetteer::get_entity`].
    pub fn entity(&self, index: u32) -> &Entity {
        &self.inner.entities[index as usize]
    }

    /// The entity at `index`, or None when out of range.
    pub fn get_entity(&self, index: u32) -> Option<&Entity> {
        self.inner.entities.get(index as usize)
    }

    /// The records the gazetteer was built from, as given.
    pub fn records(&self) -> &[EntityRecord] {
        &self.inner.records
    }

    /// The options the gazetteer was built with.
    pub fn options(&self) -> GazetteerOptions {
        self.inner.options
    }

    /// The number of distinct normalized aliases (names included) the matcher holds.
    pub fn alias_count(&self) -> usize {
        self.inner.patterns.len()
    }

    /// Approximate heap memory of the matcher (trie and alias entries), in bytes.
    pub fn memory_usage(&self) -> usize {
        let inner = &*self.inner;
        inner.trie.memory_usage()
            + inner.patterns.len() * std::mem::size_of::<Pattern>()
            + inner.entries.len() * std::mem::size_of::<Entry>()
            + inner
                .entries
                .iter()
                .map(|e| e.exact.as_ref().map_or(0, |x| x.len()))
                .sum::<usize>()
    }

    /// A compact serialization (records and options, JSON) that [`Gazetteer::from_compact_bytes`]
    /// rebuilds the gazetteer from: what pickling sends.
    pub fn to_compact_bytes(&self) -> Result<Vec<u8>> {
        #[derive(Serialize)]
        struct CompactRef<'a> {
            version: u32,
            options: GazetteerOptions,
            records: &'a [EntityRecord],
        }
        serde_json::to_vec(&CompactRef {
            version: 1,
            options: self.inner.options,
            records: &self.inner.records,
        })
        .map_err(|e| Error::Input(format!("cannot serialize the gazetteer: {e}")))
    }

    /// Rebuilds a gazetteer from [`Gazetteer::to_compact_bytes`] output.
    pub fn from_compact_bytes(bytes: &[u8]) -> Result<Self> {
        let compact: Compact = serde_json::from_slice(bytes).map_err(|e| Error::Gazetteer {
            origin: "compact gazetteer".into(),
            line: 0,
            field: None,
            reason: e.to_string(),
        })?;
        if compact.version != 1 {
            return Err(Error::Input(format!(
                "unknown compact gazetteer version {}",
                compact.version
            )));
        }
        Self::new(compact.records, compact.options)
    }

    /// Leftmost-longest, non-overlapping mentions, in text order.
    pub fn tag(&self, text: &str) -> Vec<Mention> {
        self.scan(text, false)
    }

    /// Every match at a word boundary (every alias at every position), sorted by start then
    /// end.
    pub fn tag_overlapping(&self, text: &str) -> Vec<Mention> {
        self.scan(text, true)
    }

    /// Tags many texts in parallel; the output is in input order.
    pub fn tag_many<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        threads: Option<usize>,
        overlapping: bool,
    ) -> Result<Vec<Vec<Mention>>> {
        parallel::install(threads, || {
            texts
                .par_iter()
                .map(|t| self.scan(t.as_ref(), overlapping))
                .collect()
        })
    }

    fn scan(&self, text: &str, overlapping: bool) -> Vec<Mention> {
        self.scan_pieces(text, overlapping, PIECE, MARGIN)
    }

    /// [`Gazetteer::scan`] with the piece sizes as parameters (tests use tiny ones).
    fn scan_pieces(
        &self,
        text: &str,
        overlapping: bool,
        piece: usize,
        margin: usize,
    ) -> Vec<Mention> {
        if self.inner.patterns.is_empty() {
            return Vec::new();
        }
        // (original byte start, original byte end, candidates), sorted by (start, end).
        let mut found: Vec<(usize, usize, Vec<u32>)> = Vec::new();
        let mut state = ScanState {
            overlapping,
            next_free: 0,
            hits: Vec::new(),
        };
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        // Long texts are normalized in pieces (bounded memory, u32 offsets): starts are taken
        // in [begin, core_end), the normalized window reaches MARGIN bytes further so mentions
        // that start near the end of a piece are still found whole.
        let mut begin = 0usize;
        while begin < text.len() {
            let core_end = floor_char_boundary(text, begin.saturating_add(piece.max(1)));
            let core_end = if text.len() - core_end <= margin {
                text.len()
            } else if core_end > begin {
                core_end
            } else {
                // A piece smaller than one character (tests only): take that character.
                text.get(begin..)
                    .and_then(|r| r.chars().next())
                    .map_or(text.len(), |c| begin + c.len_utf8())
            };
            let window_end = floor_char_boundary(text, core_end.saturating_add(margin));
            let range = Range {
                begin,
                core_end,
                window_end,
            };
            SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
                Ok(mut scratch) => {
                    self.scan_range(text, range, &mut scratch, &mut state, &mut found);
                    if scratch.heap_size() > KEEP_SCRATCH {
                        *scratch = Scratch::default();
                    }
                }
                Err(_) => {
                    let mut own = Scratch::default();
                    self.scan_range(text, range, &mut own, &mut state, &mut found);
                }
            });
            begin = core_end;
        }
        // Byte offsets to character offsets, in one forward pass over the starts.
        // (Offsets are character boundaries; `chars().count()` counts a word at a time.)
        let count_chars = |from: usize, to: usize| -> usize {
            text.get(from..to).map_or(0, |s| s.chars().count())
        };
        let mut cursor_byte = 0usize;
        let mut cursor_char = 0usize;
        let mut out = Vec::with_capacity(found.len());
        for (bs, be, candidates) in found {
            cursor_char += count_chars(cursor_byte, bs);
            cursor_byte = bs;
            let start = cursor_char;
            let end = start + count_chars(bs, be);
            let Some(&entity) = candidates.first() else {
                continue;
            };
            out.push(Mention {
                start,
                end,
                byte_start: bs,
                byte_end: be,
                entity,
                candidates,
            });
        }
        out
    }

    /// Finds the mentions that start in `text[range.begin..range.core_end]`.
    fn scan_range(
        &self,
        text: &str,
        range: Range,
        scratch: &mut Scratch,
        state: &mut ScanState,
        found: &mut Vec<(usize, usize, Vec<u32>)>,
    ) {
        let inner = &*self.inner;
        let Some(window) = text.get(range.begin..range.window_end) else {
            return;
        };
        let after_word = text
            .get(..range.begin)
            .and_then(|t| t.chars().next_back())
            .is_some_and(|c| class_of(c).is_word());
        let Scratch { norm, walks } = scratch;
        normalize_text(
            window,
            inner.options.fold_diacritics,
            &inner.first,
            after_word,
            norm,
        );
        let hay = norm.bytes();
        inner.trie.find_walks(hay, norm.starts(), walks);
        // The map's span of the current start (starts ascend).
        let mut span_hint = 0usize;
        for &at in walks.found() {
            // Most walks find nothing: the start's original offset is looked up after.
            state.hits.clear();
            let hits = &mut state.hits;
            inner.trie.prefixes(hay, at, |e, p| hits.push((e, p)));
            if state.hits.is_empty() {
                continue;
            }
            let Some(os) = norm.original(at.start as usize, &mut span_hint) else {
                break;
            };
            let os = range.begin + os;
            if os >= range.core_end {
                break;
            }
            if os < state.next_free && !state.overlapping {
                continue;
            }
            let from = (os, span_hint);
            if state.overlapping {
                // Shortest first: with starts increasing, `found` stays sorted by (start, end).
                for &(e, p) in &state.hits {
                    if let Some(hit) = self.accept(text, range.begin, norm, from, e, p as usize) {
                        found.push(hit);
                    }
                }
            } else {
                for &(e, p) in state.hits.iter().rev() {
                    if let Some(hit) = self.accept(text, range.begin, norm, from, e, p as usize) {
                        state.next_free = hit.1;
                        found.push(hit);
                        break;
                    }
                }
            }
        }
    }

    /// Checks a match of pattern `p` on normalized `[s, e)`: it must end on a unit boundary
    /// and a word boundary, and some entry must accept the surface. `from` is the original
    /// offset of `s` and the map's span there. Returns the original span and the candidates.
    fn accept(
        &self,
        text: &str,
        base: usize,
        norm: &NormText,
        from: (usize, usize),
        e: usize,
        p: usize,
    ) -> Option<(usize, usize, Vec<u32>)> {
        let inner = &*self.inner;
        let (os, mut span_hint) = from;
        if !norm.is_unit_end(e, &mut span_hint) {
            return None;
        }
        let oe = base + norm.original(e, &mut span_hint)?;
        if let Some(c) = text.get(oe..).and_then(|r| r.chars().next()) {
            if class_of(c).is_word() {
                return None;
            }
        }
        let pattern = inner.patterns.get(p)?;
        let first = pattern.first as usize;
        let entries = inner.entries.get(first..first + pattern.len as usize)?;
        let mut candidates: Vec<u32> = Vec::with_capacity(entries.len());
        if !pattern.any_exact {
            candidates.extend(entries.iter().map(|x| x.entity));
        } else {
            let surface = normalize_key(text.get(os..oe)?, false, inner.options.fold_diacritics);
            for x in entries {
                let ok = match &x.exact {
                    None => true,
                    Some(k) => **k == *surface,
                };
                if ok && candidates.last() != Some(&x.entity) {
                    candidates.push(x.entity);
                }
            }
        }
        if candidates.is_empty() {
            None
        } else {
            Some((os, oe, candidates))
        }
    }
}
