//! Where a corpus comes from: text files, a JSONL file, Arrow record batches (a Parquet file,
//! or a table handed over from Python), or texts already in memory.
//!
//! A source hands out documents in batches ([`Reader::next_batch`]). Nothing is read before
//! it is asked for, so memory is bounded by the batch size, not by the corpus. A document
//! that cannot be read becomes an error row ([`RawDoc::error`]); only a source that cannot
//! be opened at all is an [`Error`].

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::error::{Error, Result};

/// A corpus to process.
pub enum Source {
    /// Plain-text files, one document each, in the given order. `ids` (same length) names
    /// the documents; without it a document's id is its path.
    Files {
        paths: Vec<PathBuf>,
        ids: Option<Vec<String>>,
    },
    /// A JSONL file (gzipped when its name ends in `.gz`): one JSON object a line with the
    /// text in `text_column` and, when
    /// `id_column` is given and the field present, the id there (a string or a number).
    /// Without an id, a document's id is its 1-based line number. Blank lines are skipped.
    Jsonl {
        path: PathBuf,
        text_column: String,
        id_column: Option<String>,
    },
    /// A Parquet file with a text column (string or binary) and an optional id column
    /// (string or integer). Without ids, a document's id is its 0-based row number.
    Parquet {
        path: PathBuf,
        text_column: String,
        id_column: Option<String>,
    },
    /// Any stream of Arrow record batches (a pyarrow Table or DataFrame from Python), read
    /// like [`Source::Parquet`]. `name` fills the `source` column.
    Arrow {
        reader: Box<dyn RecordBatchReader + Send>,
        name: String,
        text_column: String,
        id_column: Option<String>,
    },
    /// Texts in memory, with optional ids (same length); without them a document's id is
    /// its 0-based index. `name` fills the `source` column.
    Texts {
        texts: Vec<String>,
        ids: Option<Vec<String>>,
        name: String,
    },
    /// Texts pulled from an iterator as the run goes (a Python list or generator): only the
    /// batches in flight are held, so memory does not grow with the corpus. A document's id
    /// is its 0-based position; an `Err` from the iterator stops the run with that error.
    /// `name` fills the `source` column.
    Stream { texts: TextStream, name: String },
}

/// The texts of a [`Source::Stream`].
pub type TextStream = Box<dyn Iterator<Item = Result<String>> + Send>;

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Files { paths, .. } => write!(f, "Source::Files({} paths)", paths.len()),
            Source::Jsonl { path, .. } => write!(f, "Source::Jsonl({})", path.display()),
            Source::Parquet { path, .. } => write!(f, "Source::Parquet({})", path.display()),
            Source::Arrow { name, .. } => write!(f, "Source::Arrow({name})"),
            Source::Texts { texts, .. } => write!(f, "Source::Texts({} texts)", texts.len()),
            Source::Stream { name, .. } => write!(f, "Source::Stream({name})"),
        }
    }
}

/// One document as read, before cleaning and tagging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDoc {
    pub doc_id: String,
    /// Where it came from: a path, "path:line", or the in-memory source's name.
    pub source: String,
    /// The text, invalid UTF-8 replaced by U+FFFD.
    pub text: String,
    /// How many invalid UTF-8 sequences were replaced.
    pub invalid_utf8: u64,
    /// Bytes read (for progress).
    pub bytes: u64,
    /// Why the document could not be read (then `text` is empty).
    pub error: Option<String>,
}

impl RawDoc {
    fn ok(doc_id: String, source: String, text: String, invalid_utf8: u64, bytes: u64) -> Self {
        RawDoc {
            doc_id,
            source,
            text,
            invalid_utf8,
            bytes,
            error: None,
        }
    }

    fn failed(doc_id: String, source: String, error: String) -> Self {
        RawDoc {
            doc_id,
            source,
            text: String::new(),
            invalid_utf8: 0,
            bytes: 0,
            error: Some(error),
        }
    }
}

/// A document waiting in a batch: either read already or a file to read on a worker thread.
#[derive(Debug)]
pub(crate) enum Pending {
    Loaded(RawDoc),
    File {
        path: PathBuf,
        doc_id: String,
    },
    /// A JSONL line (`range` of its batch's block, 1-based line number `line`), parsed on a
    /// worker thread (parsing is most of the cost of reading).
    JsonLine {
        block: Arc<JsonlBlock>,
        range: std::ops::Range<usize>,
        line: usize,
    },
}

/// The lines of one batch of a JSONL file, read as one block: no allocation or copy per
/// line, and the reader reuses the block for a later batch once its lines are parsed.
#[derive(Debug)]
pub(crate) struct JsonlBlock {
    bytes: Vec<u8>,
    spec: Arc<JsonlSpec>,
}

/// What a JSONL reader needs to turn a line into a document.
#[derive(Debug)]
pub(crate) struct JsonlSpec {
    path: PathBuf,
    text_column: String,
    id_column: Option<String>,
}

impl Pending {
    /// Reads the document if it is a file. Runs on the worker threads.
    pub(crate) fn load(self) -> RawDoc {
        match self {
            Pending::Loaded(doc) => doc,
            Pending::File { path, doc_id } => {
                let source = path.display().to_string();
                match read_file(&path) {
                    Ok(bytes) => {
                        let n = bytes.len() as u64;
                        let (text, invalid) = decode_lossy_owned(bytes);
                        RawDoc::ok(doc_id, source, text, invalid, n)
                    }
                    Err(e) => RawDoc::failed(doc_id, source, format!("cannot read file: {e}")),
                }
            }
            Pending::JsonLine { block, range, line } => match block.bytes.get(range) {
                Some(bytes) => block.spec.parse_line(bytes, line),
                None => RawDoc::failed(line.to_string(), block.spec.source(line), LOST.into()),
            },
        }
    }

    /// The input bytes this document counts for in a batch.
    fn size(&self) -> usize {
        match self {
            Pending::Loaded(doc) => doc.text.len(),
            Pending::JsonLine { range, .. } => range.len(),
            // A stat is cheap beside the read; a file that cannot be stat'ed fails on read
            // and becomes an error row.
            Pending::File { path, .. } => std::fs::metadata(path)
                .map(|m| usize::try_from(m.len()).unwrap_or(usize::MAX))
                .unwrap_or(0),
        }
    }
}

/// The largest document read, in bytes. Arrow string columns hold at most 2 GiB a batch;
/// larger files become error rows instead of failing the batch.
pub const MAX_DOC_BYTES: u64 = 1 << 30;

fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_DOC_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_DOC_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_DOC_BYTES >> 20),
        ));
    }
    Ok(bytes)
}

/// Decodes UTF-8, replacing each invalid sequence with U+FFFD (as
/// `String::from_utf8_lossy`), and counts the replacements. Valid input is borrowed.
pub fn decode_lossy(bytes: &[u8]) -> (Cow<'_, str>, u64) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(s), 0);
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    let mut invalid = 0u64;
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push(char::REPLACEMENT_CHARACTER);
            invalid += 1;
        }
    }
    (Cow::Owned(out), invalid)
}

/// [`decode_lossy`] of a buffer the caller gives up: valid input becomes the string
/// without a copy.
fn decode_lossy_owned(bytes: Vec<u8>) -> (String, u64) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, 0),
        Err(e) => {
            let (s, invalid) = decode_lossy(e.as_bytes());
            (s.into_owned(), invalid)
        }
    }
}

/// Hands out the documents of a [`Source`] batch by batch.
pub(crate) struct Reader {
    kind: ReaderKind,
}

enum ReaderKind {
    Files {
        paths: std::vec::IntoIter<PathBuf>,
        ids: Option<std::vec::IntoIter<String>>,
    },
    Jsonl(JsonlReader),
    Arrow(ArrowReader),
    Texts {
        texts: TextStream,
        ids: Option<std::vec::IntoIter<String>>,
        next_index: usize,
        name: String,
    },
}

fn check_ids(what: &str, docs: usize, ids: &Option<Vec<String>>) -> Result<()> {
    match ids {
        Some(ids) if ids.len() != docs => Err(Error::Input(format!(
            "{docs} {what} but {} ids: give one id per document",
            ids.len()
        ))),
        _ => Ok(()),
    }
}

impl Reader {
    /// Opens the source. Fails only when the source as a whole is unusable (a missing JSONL
    /// or Parquet file, a file that is not Parquet, a missing text column).
    pub(crate) fn open(source: Source) -> Result<Self> {
        let kind = match source {
            Source::Files { paths, ids } => {
                check_ids("files", paths.len(), &ids)?;
                ReaderKind::Files {
                    paths: paths.into_iter(),
                    ids: ids.map(Vec::into_iter),
                }
            }
            Source::Texts { texts, ids, name } => {
                check_ids("texts", texts.len(), &ids)?;
                ReaderKind::Texts {
                    texts: Box::new(texts.into_iter().map(Ok)),
                    ids: ids.map(Vec::into_iter),
                    next_index: 0,
                    name,
                }
            }
            Source::Stream { texts, name } => ReaderKind::Texts {
                texts,
                ids: None,
                next_index: 0,
                name,
            },
            Source::Jsonl {
                path,
                text_column,
                id_column,
            } => {
                let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
                ReaderKind::Jsonl(JsonlReader {
                    input: jsonl_input(&path, file),
                    line: 0,
                    spec: Arc::new(JsonlSpec {
                        path,
                        text_column,
                        id_column,
                    }),
                    carry: Vec::new(),
                    recent: Vec::new(),
                    done: false,
                    broken: None,
                })
            }
            Source::Parquet {
                path,
                text_column,
                id_column,
            } => ReaderKind::Arrow(ArrowReader::parquet(path, text_column, id_column)?),
            Source::Arrow {
                reader,
                name,
                text_column,
                id_column,
            } => ReaderKind::Arrow(ArrowReader::new(reader, name, text_column, id_column)?),
        };
        Ok(Reader { kind })
    }

    /// The next batch: up to `max_docs` documents, stopping early once `max_bytes` of text
    /// are in (files count by their size on disk). `None` at the
    /// end. An error here means the source broke off (a corrupt Parquet page): the batch
    /// so far is lost and the run stops. A JSONL file that breaks off (a truncated gzip)
    /// hands out every complete line before the break first, and the error after them.
    pub(crate) fn next_batch(
        &mut self,
        max_docs: usize,
        max_bytes: usize,
    ) -> Result<Option<Vec<Pending>>> {
        let max_docs = max_docs.max(1);
        if let ReaderKind::Jsonl(reader) = &mut self.kind {
            return reader.next_batch(max_docs, max_bytes);
        }
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while batch.len() < max_docs && bytes < max_bytes {
            let next = match &mut self.kind {
                ReaderKind::Files { paths, ids } => match paths.next() {
                    None => None,
                    Some(path) => {
                        let doc_id = match ids.as_mut().and_then(Iterator::next) {
                            Some(id) => id,
                            None => path.display().to_string(),
                        };
                        Some(Pending::File { path, doc_id })
                    }
                },
                ReaderKind::Texts {
                    texts,
                    ids,
                    next_index,
                    name,
                } => match texts.next().transpose()? {
                    None => None,
                    Some(text) => {
                        let doc_id = match ids.as_mut().and_then(Iterator::next) {
                            Some(id) => id,
                            None => next_index.to_string(),
                        };
                        *next_index += 1;
                        let n = text.len() as u64;
                        Some(Pending::Loaded(RawDoc::ok(
                            doc_id,
                            name.clone(),
                            text,
                            0,
                            n,
                        )))
                    }
                },
                // Read a whole batch at a time, above.
                ReaderKind::Jsonl(_) => None,
                ReaderKind::Arrow(reader) => reader.next_doc()?.map(Pending::Loaded),
            };
            match next {
                None => break,
                Some(pending) => {
                    bytes += pending.size();
                    batch.push(pending);
                }
            }
        }
        Ok(if batch.is_empty() { None } else { Some(batch) })
    }
}

/// A JSONL file's bytes, gunzipped on the fly when the name ends in `.gz`.
fn jsonl_input(path: &std::path::Path, file: File) -> Box<dyn Read + Send> {
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else {
        Box::new(file)
    }
}

/// Bytes asked of the input per read.
const READ_CHUNK: u64 = 1 << 20;

/// Why a JSONL line is missing from its block (cannot happen: the reader makes the ranges).
const LOST: &str = "internal error: the line is outside its block";

struct JsonlReader {
    input: Box<dyn Read + Send>,
    /// Lines seen so far (blank ones included), for 1-based line numbers.
    line: usize,
    spec: Arc<JsonlSpec>,
    /// Bytes read past the last batch's last line: the start of the next batch.
    carry: Vec<u8>,
    /// The blocks of the last batches, reused once their lines are parsed.
    recent: Vec<Arc<JsonlBlock>>,
    /// No more input: the end of the file, or the read error in `broken`.
    done: bool,
    /// The read error that ended the input, reported after the lines before it.
    broken: Option<Error>,
}

impl JsonlReader {
    /// The next batch of non-blank lines, unparsed: up to `max_docs` lines, closing once
    /// they reach `max_bytes`. The input is read in large chunks straight into the batch's
    /// block, and split at newlines.
    fn next_batch(&mut self, max_docs: usize, max_bytes: usize) -> Result<Option<Vec<Pending>>> {
        let mut bytes = self.free_block(max_bytes);
        bytes.append(&mut self.carry);
        let mut lines: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        let (mut start, mut scanned, mut total) = (0, 0, 0);
        let mut full = false;
        while !full {
            for newline in memchr::memchr_iter(b'\n', &bytes[scanned..]) {
                let end = scanned + newline + 1;
                self.take_line(&bytes, start..end, &mut lines, &mut total);
                start = end;
                if lines.len() >= max_docs || total >= max_bytes {
                    full = true;
                    break;
                }
            }
            if full {
                break;
            }
            scanned = bytes.len();
            if self.done {
                // The last line may lack its newline; after a read error it is cut off.
                if start < bytes.len() {
                    if self.broken.is_none() {
                        self.take_line(&bytes, start..bytes.len(), &mut lines, &mut total);
                    }
                    start = bytes.len();
                }
                break;
            }
            // On an error, what was read before it is in `bytes`: its complete lines are
            // handed out first, the error after them.
            match (&mut self.input).take(READ_CHUNK).read_to_end(&mut bytes) {
                Ok(read) => self.done = read == 0,
                Err(e) => {
                    self.done = true;
                    self.broken = Some(Error::io(&self.spec.path, e));
                }
            }
        }
        self.carry.extend_from_slice(&bytes[start..]);
        bytes.truncate(start);
        if lines.is_empty() {
            return match self.broken.take() {
                Some(error) => Err(error),
                None => Ok(None),
            };
        }
        let block = Arc::new(JsonlBlock {
            bytes,
            spec: Arc::clone(&self.spec),
        });
        self.recent.push(Arc::clone(&block));
        let batch = lines
            .into_iter()
            .map(|(range, line)| Pending::JsonLine {
                block: Arc::clone(&block),
                range,
                line,
            })
            .collect();
        Ok(Some(batch))
    }

    /// Counts the line and keeps it unless it is blank.
    fn take_line(
        &mut self,
        bytes: &[u8],
        range: std::ops::Range<usize>,
        lines: &mut Vec<(std::ops::Range<usize>, usize)>,
        total: &mut usize,
    ) {
        self.line += 1;
        if !bytes[range.clone()].iter().all(u8::is_ascii_whitespace) {
            *total += range.len();
            lines.push((range, self.line));
        }
    }

    /// An empty buffer for the next block: that of an earlier batch whose lines have all
    /// been parsed (its capacity kept unless an outsized line grew it), or a new one.
    fn free_block(&mut self, max_bytes: usize) -> Vec<u8> {
        let (free, busy): (Vec<_>, Vec<_>) = self
            .recent
            .drain(..)
            .partition(|block| Arc::strong_count(block) == 1);
        self.recent = busy;
        let limit = 2 * (max_bytes + READ_CHUNK as usize);
        let mut bytes = free
            .into_iter()
            .filter_map(Arc::into_inner)
            .map(|block| block.bytes)
            .find(|bytes| bytes.capacity() <= limit)
            .unwrap_or_default();
        bytes.clear();
        bytes
    }
}

impl JsonlSpec {
    /// The `source` of line `line`: "path:line".
    fn source(&self, line: usize) -> String {
        format!("{}:{}", self.path.display(), line)
    }

    fn parse_line(&self, bytes: &[u8], line: usize) -> RawDoc {
        let source = self.source(line);
        let default_id = line.to_string();
        let (text, invalid) = decode_lossy(bytes);
        let seed = RecordSeed {
            text_column: &self.text_column,
            id_column: self.id_column.as_deref(),
        };
        let mut de = serde_json::Deserializer::from_str(&text);
        let record = match seed.deserialize(&mut de).and_then(|r| de.end().map(|()| r)) {
            Ok(r) => r,
            // A data error can only be the top level's type: the fields are read as any value.
            Err(e) if e.is_data() => {
                return RawDoc::failed(default_id, source, "not a JSON object".into())
            }
            Err(e) => return RawDoc::failed(default_id, source, format!("invalid JSON: {e}")),
        };
        let doc_id = match record.id {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => default_id,
        };
        match record.text {
            Some(serde_json::Value::String(text)) => {
                RawDoc::ok(doc_id, source, text, invalid, bytes.len() as u64)
            }
            Some(other) => RawDoc::failed(
                doc_id,
                source,
                format!(
                    "field {:?} is not a string (it is {})",
                    self.text_column,
                    json_kind(&other)
                ),
            ),
            None => RawDoc::failed(doc_id, source, format!("no field {:?}", self.text_column)),
        }
    }
}

/// Reads one JSONL record, building only its text and id fields: the others (records often
/// carry the page's HTML and metadata too) are skipped without being built. As with a JSON
/// object read whole, a repeated field counts by its last value.
struct RecordSeed<'s> {
    text_column: &'s str,
    id_column: Option<&'s str>,
}

#[derive(Default)]
struct Record {
    text: Option<serde_json::Value>,
    id: Option<serde_json::Value>,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Record;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Record;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut record = Record::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == self.text_column {
                record.text = Some(map.next_value()?);
            } else if Some(key.as_str()) == self.id_column {
                record.id = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(record)
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

struct ArrowReader {
    batches:
        Box<dyn Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>> + Send>,
    name: String,
    text_column: String,
    id_column: Option<String>,
    buffered: VecDeque<RawDoc>,
    next_row: usize,
}

impl ArrowReader {
    fn parquet(path: PathBuf, text_column: String, id_column: Option<String>) -> Result<Self> {
        let context = || format!("{} (Parquet)", path.display());
        std::panic::catch_unwind(|| Self::parquet_inner(&path, text_column, id_column))
            .unwrap_or_else(|panic| Err(Error::arrow(context(), corrupt(panic))))
    }

    fn parquet_inner(
        path: &std::path::Path,
        text_column: String,
        id_column: Option<String>,
    ) -> Result<Self> {
        let path = path.to_path_buf();
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let context = || format!("{} (Parquet)", path.display());
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| Error::arrow(context(), e))?;
        let schema = builder.schema().clone();
        let id_column = id_column.filter(|c| schema.field_with_name(c).is_ok());
        check_text_column(&schema, &text_column, &context())?;
        // Read only the columns we need.
        let parquet_schema = builder.parquet_schema();
        let wanted: Vec<usize> = parquet_schema
            .columns()
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let top = c.path().parts().first().map(String::as_str);
                top == Some(text_column.as_str()) || top == id_column.as_deref()
            })
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::leaves(parquet_schema, wanted);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(1024)
            .build()
            .map_err(|e| Error::arrow(context(), e))?;
        Ok(ArrowReader {
            batches: Box::new(reader),
            name: path.display().to_string(),
            text_column,
            id_column,
            buffered: VecDeque::new(),
            next_row: 0,
        })
    }

    fn new(
        reader: Box<dyn RecordBatchReader + Send>,
        name: String,
        text_column: String,
        id_column: Option<String>,
    ) -> Result<Self> {
        let schema = reader.schema();
        check_text_column(&schema, &text_column, &name)?;
        let id_column = id_column.filter(|c| schema.field_with_name(c).is_ok());
        Ok(ArrowReader {
            batches: Box::new(reader),
            name,
            text_column,
            id_column,
            buffered: VecDeque::new(),
            next_row: 0,
        })
    }

    fn next_doc(&mut self) -> Result<Option<RawDoc>> {
        while self.buffered.is_empty() {
            // The Parquet reader panics on some corrupt files (a negative column offset in
            // the metadata, found by fuzz/corpus_parquet): that is a bad file, not a crash.
            let batches = &mut self.batches;
            let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| batches.next()))
                .map_err(|panic| Error::arrow(self.name.clone(), corrupt(panic)))?;
            match next {
                None => return Ok(None),
                Some(Err(e)) => return Err(Error::arrow(self.name.clone(), e)),
                Some(Ok(batch)) => self.buffer(&batch)?,
            }
        }
        Ok(self.buffered.pop_front())
    }

    fn buffer(&mut self, batch: &RecordBatch) -> Result<()> {
        let text = batch
            .column_by_name(&self.text_column)
            .ok_or_else(|| {
                Error::Input(format!("{}: no column {:?}", self.name, self.text_column))
            })?
            .clone();
        let ids = match &self.id_column {
            Some(c) => batch.column_by_name(c).cloned(),
            None => None,
        };
        // The Parquet reader does not check every page it decodes: a corrupt file can give a
        // string column with invalid UTF-8 or offsets out of bounds, and reading a value from
        // it is then undefined behaviour (found by fuzz/corpus_parquet). Check the columns
        // we read first (one pass, like `str::from_utf8`).
        for column in std::iter::once(&text).chain(ids.as_ref()) {
            column
                .to_data()
                .validate_full()
                .map_err(|e| Error::arrow(self.name.clone(), e))?;
        }
        for row in 0..batch.num_rows() {
            let index = self.next_row + row;
            let doc_id = ids
                .as_ref()
                .and_then(|ids| id_at(ids.as_ref(), row))
                .unwrap_or_else(|| index.to_string());
            let doc = match text_at(text.as_ref(), row) {
                Ok((text, invalid, bytes)) => {
                    RawDoc::ok(doc_id, self.name.clone(), text, invalid, bytes)
                }
                Err(reason) => RawDoc::failed(doc_id, self.name.clone(), reason),
            };
            self.buffered.push_back(doc);
        }
        self.next_row += batch.num_rows();
        Ok(())
    }
}

fn check_text_column(schema: &arrow_schema::Schema, column: &str, context: &str) -> Result<()> {
    let field = schema.field_with_name(column).map_err(|_| {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        Error::Input(format!(
            "{context}: no text column {column:?} (columns: {})",
            names.join(", ")
        ))
    })?;
    match field.data_type() {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView => Ok(()),
        other => Err(Error::Input(format!(
            "{context}: text column {column:?} has type {other}, not a string"
        ))),
    }
}

/// The text at `row`: (text, invalid UTF-8 count, bytes), or why there is none.
fn text_at(array: &dyn Array, row: usize) -> std::result::Result<(String, u64, u64), String> {
    if array.is_null(row) {
        return Err("the text is null".into());
    }
    let valid = |s: &str| (s.to_string(), 0, s.len() as u64);
    let lossy = |b: &[u8]| {
        let (s, invalid) = decode_lossy(b);
        (s.into_owned(), invalid, b.len() as u64)
    };
    if let Some(a) = array.as_string_opt::<i32>() {
        Ok(valid(a.value(row)))
    } else if let Some(a) = array.as_string_opt::<i64>() {
        Ok(valid(a.value(row)))
    } else if let Some(a) = array.as_string_view_opt() {
        Ok(valid(a.value(row)))
    } else if let Some(a) = array.as_binary_opt::<i32>() {
        Ok(lossy(a.value(row)))
    } else if let Some(a) = array.as_binary_opt::<i64>() {
        Ok(lossy(a.value(row)))
    } else if let Some(a) = array.as_binary_view_opt() {
        Ok(lossy(a.value(row)))
    } else {
        Err(format!("the text column has type {}", array.data_type()))
    }
}

/// The id at `row` as a string (string and integer columns), `None` when null or of
/// another type.
fn id_at(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    macro_rules! int {
        ($($t:ty),*) => {
            $(if let Some(a) = array.as_primitive_opt::<$t>() {
                return Some(a.value(row).to_string());
            })*
        };
    }
    int!(Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type);
    if let Some(a) = array.as_string_opt::<i32>() {
        Some(a.value(row).to_string())
    } else if let Some(a) = array.as_string_opt::<i64>() {
        Some(a.value(row).to_string())
    } else {
        array.as_string_view_opt().map(|a| a.value(row).to_string())
    }
}

/// The message for a reader that panicked on corrupt data.
fn corrupt(panic: Box<dyn std::any::Any + Send>) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into());
    format!("corrupt data (the reader failed: {what})")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `parse_line` gives when the whole record is read as a JSON value (its previous
    /// way): (doc id, text, error).
    fn parse_reference(spec: &JsonlSpec, line: &str) -> (String, String, Option<String>) {
        let default_id = "1".to_string();
        let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str(line) else {
            return (default_id, String::new(), Some("error".into()));
        };
        let doc_id = match spec.id_column.as_deref().and_then(|c| object.get(c)) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => default_id,
        };
        match object.remove(&spec.text_column) {
            Some(serde_json::Value::String(text)) => (doc_id, text, None),
            Some(other) => (doc_id, String::new(), Some(json_kind(&other).into())),
            None => (doc_id, String::new(), Some("no field".into())),
        }
    }

    #[test]
    fn records_read_two_fields_as_whole_values_would() {
        let spec = JsonlSpec {
            path: PathBuf::from("in.jsonl"),
            text_column: "body".into(),
            id_column: Some("url".into()),
        };
        let lines = [
            r#"{"url": "u1", "html": "<p>big</p>", "body": "Kharkiv.", "meta": {"a": [1, {"b": null}]}}"#,
            r#"{"meta": [true, false, 1.5e300, "x\"y"], "body": "Izium \u00e9 \ud83d\ude00", "url": 12}"#,
            r#"{"body": "first", "body": "second", "url": "dup"}"#,
            r#"{"b\u006fdy": "escaped key", "url": "esc"}"#,
            r#"{"body": null, "url": "n"}"#,
            r#"{"body": ["list"], "url": "l"}"#,
            r#"{"url": "missing"}"#,
            r#"{"url": {"nested": 1}, "body": "object id"}"#,
            r#"{}"#,
            r#"[1, 2]"#,
            r#""just a string""#,
            r#"{"body": "unterminated"#,
            r#"{"body": "x"} trailing"#,
            r#"{"body": "bad escape \q"}"#,
            r#"{"body": "lone \ud800 surrogate"}"#,
            "  {\"body\": \"spaces around\"}  \r",
        ];
        for line in lines {
            let got = spec.parse_line(line.as_bytes(), 1);
            let (id, text, error) = parse_reference(&spec, line);
            assert_eq!(
                got.error.is_some(),
                error.is_some(),
                "{line}: {:?}",
                got.error
            );
            assert_eq!(
                (got.doc_id.as_str(), got.text.as_str()),
                (id.as_str(), text.as_str())
            );
            match (got.error.as_deref(), error.as_deref()) {
                (Some(g), Some("no field")) => assert_eq!(g, "no field \"body\"", "{line}"),
                (Some(g), Some("error")) => {
                    assert!(
                        g == "not a JSON object" || g.starts_with("invalid JSON"),
                        "{g}"
                    )
                }
                (Some(g), Some(kind)) => assert!(g.ends_with(&format!("(it is {kind})")), "{g}"),
                _ => {}
            }
        }
        // Invalid UTF-8 is replaced before parsing, and counted.
        let doc = spec.parse_line(b"{\"body\": \"a \xff b\"}", 4);
        assert_eq!((doc.text.as_str(), doc.invalid_utf8), ("a \u{FFFD} b", 1));
        assert_eq!(doc.doc_id, "4");
    }

    /// The batches a line-by-line reader makes of `input` (its way before the block reader):
    /// per batch, (line number, line bytes) of each non-blank line.
    fn batches_line_by_line(
        input: &[u8],
        max_docs: usize,
        max_bytes: usize,
    ) -> Vec<Vec<(usize, Vec<u8>)>> {
        let mut lines = input.split_inclusive(|&b| b == b'\n').enumerate();
        let mut batches = Vec::new();
        loop {
            let (mut batch, mut bytes) = (Vec::new(), 0);
            while batch.len() < max_docs && bytes < max_bytes {
                match lines.next() {
                    None => break,
                    Some((_, line)) if line.iter().all(u8::is_ascii_whitespace) => {}
                    Some((i, line)) => {
                        bytes += line.len();
                        batch.push((i + 1, line.to_vec()));
                    }
                }
            }
            if batch.is_empty() {
                return batches;
            }
            batches.push(batch);
        }
    }

    /// The block reader cuts the same batches of the same lines as reading line by line:
    /// lines longer than a read chunk, blank and whitespace-only lines, CRLF, a last line
    /// without its newline, batches closed by count or by bytes, and blocks reused.
    #[test]
    fn jsonl_blocks_hold_the_lines_a_line_reader_would_read() {
        let dir =
            std::env::temp_dir().join(format!("newsprep-jsonl-blocks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut rng = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        for case in 0..12 {
            let mut input = Vec::new();
            for i in 0..(40 + rng.next_u64() % 200) {
                let len = match rng.next_u64() % 20 {
                    0 => (READ_CHUNK as usize) + (rng.next_u64() % 5000) as usize,
                    1 => 0,
                    2..=5 => (rng.next_u64() % 100_000) as usize,
                    _ => (rng.next_u64() % 3000) as usize,
                };
                match rng.next_u64() % 12 {
                    0 => input.extend_from_slice(b"\n"),
                    1 => input.extend_from_slice(b"  \t\r\n"),
                    _ => {}
                }
                let text: String = (0..len)
                    .map(|j| ["a", "é", " ", "Ж", "\\n", "z"][(j * 7 + i as usize) % 6])
                    .collect();
                let eol = if rng.next_u64().is_multiple_of(4) {
                    "\r\n"
                } else {
                    "\n"
                };
                input.extend_from_slice(
                    format!("{{\"id\": {i}, \"text\": \"{text}\"}}{eol}").as_bytes(),
                );
            }
            if case % 2 == 1 {
                // No newline after the last line.
                while input.last().is_some_and(u8::is_ascii_whitespace) {
                    input.pop();
                }
            }
            let path = dir.join(format!("case{case}.jsonl"));
            std::fs::write(&path, &input).unwrap();
            let (max_docs, max_bytes) =
                [(7, 1 << 30), (1_000, 200_000), (3, 50_000), (1, 1)][case % 4];
            let mut reader = Reader::open(Source::Jsonl {
                path: path.clone(),
                text_column: "text".into(),
                id_column: Some("id".into()),
            })
            .unwrap();
            let mut got = Vec::new();
            while let Some(batch) = reader.next_batch(max_docs, max_bytes).unwrap() {
                let lines: Vec<(usize, Vec<u8>)> = batch
                    .into_iter()
                    .map(|pending| match pending {
                        Pending::JsonLine { block, range, line } => {
                            (line, block.bytes[range].to_vec())
                        }
                        other => panic!("{other:?}"),
                    })
                    .collect();
                got.push(lines);
            }
            let expected = batches_line_by_line(&input, max_docs, max_bytes);
            assert_eq!(got.len(), expected.len(), "case {case}: batches");
            for (g, e) in got.iter().zip(&expected) {
                assert!(g == e, "case {case}: a batch differs");
            }
            let ReaderKind::Jsonl(jsonl) = &reader.kind else {
                unreachable!()
            };
            // Every batch was dropped as soon as it was read: its block was free to reuse.
            assert!(jsonl.recent.len() <= 1, "case {case}: blocks not reused");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn decode_lossy_borrows_valid_text_and_counts_replacements() {
        assert!(matches!(
            decode_lossy(b"ok \xc3\xa9"),
            (Cow::Borrowed("ok é"), 0)
        ));
        let (s, n) = decode_lossy(b"a\xffb\xc3");
        assert_eq!((s.as_ref(), n), ("a\u{FFFD}b\u{FFFD}", 2));
        assert_eq!(
            decode_lossy_owned(b"a\xffb".to_vec()),
            ("a\u{FFFD}b".to_string(), 1)
        );
        assert_eq!(
            decode_lossy_owned(b"plain".to_vec()),
            ("plain".to_string(), 0)
        );
    }
}
