//! One batch of documents: cleaned and tagged in parallel, then laid out as two Arrow record
//! batches, `documents` and `mentions` (schemas in [`documents_schema`] and
//! [`mentions_schema`]).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;

use super::source::{Pending, RawDoc, MAX_DOC_BYTES};
use crate::clean::clean;
use crate::error::{Error, Result};
use crate::hash::FxBuildHasher;
use crate::tag::{Gazetteer, Mention};

/// Documents and bytes done so far, updated as each document finishes (any thread may read
/// it while a batch runs).
#[derive(Debug, Default)]
pub struct Progress {
    docs: AtomicU64,
    bytes: AtomicU64,
}

impl Progress {
    /// Documents processed so far (error rows included).
    pub fn docs(&self) -> u64 {
        self.docs.load(Ordering::Relaxed)
    }

    /// Input bytes processed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    fn add(&self, bytes: u64) {
        self.docs.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// One processed document.
#[derive(Debug, Clone)]
pub(crate) struct DocOut {
    pub doc_id: String,
    pub source: String,
    pub title: Option<String>,
    pub date: Option<String>,
    pub byline: Option<String>,
    pub text: String,
    pub chars_in: i64,
    pub chars_out: i64,
    pub invalid_utf8: i64,
    pub error: Option<String>,
    pub mentions: Vec<Mention>,
}

fn chars(s: &str) -> i64 {
    s.chars().count() as i64
}

/// Cleans (when `clean_text`) and tags (when a gazetteer is given) one document.
pub(crate) fn process_doc(raw: RawDoc, clean_text: bool, gazetteer: Option<&Gazetteer>) -> DocOut {
    let RawDoc {
        doc_id,
        source,
        mut text,
        invalid_utf8,
        mut error,
        ..
    } = raw;
    if error.is_none() && text.len() as u64 > MAX_DOC_BYTES {
        error = Some(format!("document larger than {} MiB", MAX_DOC_BYTES >> 20));
        text = String::new();
    }
    let chars_in = chars(&text);
    let (text, title, date, byline) = if clean_text && error.is_none() {
        let article = clean(&text);
        (article.text, article.title, article.date, article.byline)
    } else {
        (text, None, None, None)
    };
    let mentions = match gazetteer {
        Some(g) if error.is_none() => g.tag(&text),
        _ => Vec::new(),
    };
    DocOut {
        doc_id,
        source,
        title,
        date,
        byline,
        chars_out: chars(&text),
        text,
        chars_in,
        invalid_utf8: invalid_utf8 as i64,
        error,
        mentions,
    }
}

/// Reads, cleans and tags a batch in parallel (on the current rayon pool), in input order.
/// A document whose processing panics becomes an error row. Returns
/// [`Error::Cancelled`] when `cancel` is set before the batch is done.
pub(crate) fn process_batch(
    batch: Vec<Pending>,
    clean_text: bool,
    gazetteer: Option<&Gazetteer>,
    cancel: &AtomicBool,
    progress: &Progress,
) -> Result<Vec<DocOut>> {
    let done: Vec<Option<DocOut>> = batch
        .into_par_iter()
        .map(|pending| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let raw = pending.load();
            let bytes = raw.bytes;
            let (doc_id, source) = (raw.doc_id.clone(), raw.source.clone());
            let out = catch_unwind(AssertUnwindSafe(|| process_doc(raw, clean_text, gazetteer)))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    error_doc(doc_id, source, format!("internal error: {what}"))
                });
            progress.add(bytes);
            Some(out)
        })
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Cancelled);
    }
    done.into_iter()
        .map(|d| d.ok_or(Error::Cancelled))
        .collect()
}

fn error_doc(doc_id: String, source: String, error: String) -> DocOut {
    DocOut {
        doc_id,
        source,
        title: None,
        date: None,
        byline: None,
        text: String::new(),
        chars_in: 0,
        chars_out: 0,
        invalid_utf8: 0,
        error: Some(error),
        mentions: Vec::new(),
    }
}

fn dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The schema of the `documents` table: doc_id, source, title, date, byline, text,
/// chars_in, chars_out (in Unicode scalar values, what Python's `len` counts),
/// invalid_utf8 (invalid UTF-8 sequences replaced by U+FFFD) and error (why the document
/// could not be read, else null; then `text` is empty).
pub fn documents_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("doc_id", DataType::Utf8, false),
                Field::new("source", DataType::Utf8, false),
                Field::new("title", DataType::Utf8, true),
                Field::new("date", DataType::Utf8, true),
                Field::new("byline", DataType::Utf8, true),
                Field::new("text", DataType::Utf8, false),
                Field::new("chars_in", DataType::Int64, false),
                Field::new("chars_out", DataType::Int64, false),
                Field::new("invalid_utf8", DataType::Int64, false),
                Field::new("error", DataType::Utf8, true),
            ]))
        })
        .clone()
}

/// The schema of the `mentions` table: doc_id; start, end (Python `str` offsets into the
/// document's cleaned text); text (the surface form); entity_id, label, name of the primary
/// entity (dictionary-encoded); candidates (every entity id the alias belongs to, primary
/// first, or null when it belongs to one entity only).
pub fn mentions_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("doc_id", DataType::Utf8, false),
                Field::new("start", DataType::Int64, false),
                Field::new("end", DataType::Int64, false),
                Field::new("text", DataType::Utf8, false),
                Field::new("entity_id", dictionary(), false),
                Field::new("label", dictionary(), false),
                Field::new("name", dictionary(), false),
                Field::new(
                    "candidates",
                    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                    true,
                ),
            ]))
        })
        .clone()
}

/// Lays out processed documents as the `documents` record batch.
pub(crate) fn documents_batch(docs: &[DocOut]) -> Result<RecordBatch> {
    let n = docs.len();
    let text_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let mut doc_id = StringBuilder::with_capacity(n, n * 8);
    let mut source = StringBuilder::with_capacity(n, n * 16);
    let mut title = StringBuilder::new();
    let mut date = StringBuilder::new();
    let mut byline = StringBuilder::new();
    let mut text = StringBuilder::with_capacity(n, text_bytes);
    let mut chars_in = Int64Builder::with_capacity(n);
    let mut chars_out = Int64Builder::with_capacity(n);
    let mut invalid = Int64Builder::with_capacity(n);
    let mut error = StringBuilder::new();
    for d in docs {
        doc_id.append_value(&d.doc_id);
        source.append_value(&d.source);
        title.append_option(d.title.as_deref());
        date.append_option(d.date.as_deref());
        byline.append_option(d.byline.as_deref());
        text.append_value(&d.text);
        chars_in.append_value(d.chars_in);
        chars_out.append_value(d.chars_out);
        invalid.append_value(d.invalid_utf8);
        error.append_option(d.error.as_deref());
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(doc_id.finish()),
        Arc::new(source.finish()),
        Arc::new(title.finish()),
        Arc::new(date.finish()),
        Arc::new(byline.finish()),
        Arc::new(text.finish()),
        Arc::new(chars_in.finish()),
        Arc::new(chars_out.finish()),
        Arc::new(invalid.finish()),
        Arc::new(error.finish()),
    ];
    RecordBatch::try_new(documents_schema(), columns)
        .map_err(|e| Error::arrow("building the documents batch", e))
}

/// Lays out the mentions of processed documents as the `mentions` record batch. Without a
/// gazetteer there are none.
/// A dictionary-encoded string column built row by row: each distinct string is stored
/// once, in first-seen order, and each row is its key (what arrow's
/// `StringDictionaryBuilder` makes, with the lookup done by the caller once per entity).
struct DictionaryColumn<'a> {
    keys: Vec<i32>,
    known: HashMap<&'a str, i32, FxBuildHasher>,
    values: StringBuilder,
}

impl<'a> DictionaryColumn<'a> {
    fn with_capacity(rows: usize) -> Self {
        DictionaryColumn {
            keys: Vec::with_capacity(rows),
            known: HashMap::default(),
            values: StringBuilder::new(),
        }
    }

    /// The key of `value`, added to the dictionary if new.
    fn key(&mut self, value: &'a str) -> Result<i32> {
        let next = i32::try_from(self.known.len())
            .map_err(|_| Error::Input("more than 2^31 distinct values in a batch".into()))?;
        Ok(*self.known.entry(value).or_insert_with(|| {
            self.values.append_value(value);
            next
        }))
    }

    fn finish(mut self) -> Result<DictionaryArray<Int32Type>> {
        DictionaryArray::try_new(Int32Array::from(self.keys), Arc::new(self.values.finish()))
            .map_err(|e| Error::arrow("building a dictionary column", e))
    }
}

pub(crate) fn mentions_batch(
    docs: &[DocOut],
    gazetteer: Option<&Gazetteer>,
) -> Result<RecordBatch> {
    let n: usize = docs.iter().map(|d| d.mentions.len()).sum();
    let mut doc_id = StringBuilder::with_capacity(n, n * 8);
    let mut start = Int64Builder::with_capacity(n);
    let mut end = Int64Builder::with_capacity(n);
    let mut text = StringBuilder::with_capacity(n, n * 8);
    let mut entity_id = DictionaryColumn::with_capacity(n);
    let mut label = DictionaryColumn::with_capacity(n);
    let mut name = DictionaryColumn::with_capacity(n);
    let mut candidates = ListBuilder::new(StringBuilder::new());
    if let Some(g) = gazetteer {
        let entities = g.entities();
        let entity = |i: u32| {
            entities.get(i as usize).ok_or_else(|| {
                Error::Input(format!(
                    "the tagger reported entity {i}, which does not exist"
                ))
            })
        };
        // An entity's three dictionary keys, looked up once per batch rather than per
        // mention (most mentions are of entities seen before in the batch).
        let mut keys_of: HashMap<u32, [i32; 3], FxBuildHasher> = HashMap::default();
        for d in docs {
            for m in &d.mentions {
                // Offsets come from the tagger; a bad span is a bug there, not a reason to
                // panic here.
                let Some(surface) = d.text.get(m.byte_start..m.byte_end) else {
                    continue;
                };
                let keys = match keys_of.entry(m.entity) {
                    Entry::Occupied(known) => *known.get(),
                    Entry::Vacant(new) => {
                        let e = entity(m.entity)?;
                        *new.insert([
                            entity_id.key(&e.id)?,
                            label.key(&e.label)?,
                            name.key(&e.name)?,
                        ])
                    }
                };
                doc_id.append_value(&d.doc_id);
                start.append_value(m.start as i64);
                end.append_value(m.end as i64);
                text.append_value(surface);
                entity_id.keys.push(keys[0]);
                label.keys.push(keys[1]);
                name.keys.push(keys[2]);
                if m.candidates.len() > 1 {
                    for &c in &m.candidates {
                        candidates.values().append_value(&entity(c)?.id);
                    }
                    candidates.append(true);
                } else {
                    candidates.append_null();
                }
            }
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(doc_id.finish()),
        Arc::new(start.finish()),
        Arc::new(end.finish()),
        Arc::new(text.finish()),
        Arc::new(entity_id.finish()?),
        Arc::new(label.finish()?),
        Arc::new(name.finish()?),
        Arc::new(candidates.finish()),
    ];
    RecordBatch::try_new(mentions_schema(), columns)
        .map_err(|e| Error::arrow("building the mentions batch", e))
}
