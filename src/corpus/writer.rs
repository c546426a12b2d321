//! Writing finished batches to an output directory, atomically.
//!
//! Layout: `DIR/documents/part-00000.parquet`, `DIR/mentions/part-00000.parquet`, ... (or
//! `.jsonl`), one pair per batch, and `DIR/newsprep.json` (counts, format) once the run has
//! finished. Each part is first written under a hidden temporary name in the same folder
//! (`.part-00000.parquet.tmp`) and renamed when complete, so a crash or Ctrl-C never leaves
//! a half-written part under a real name; a failed or cancelled write removes its
//! temporary files.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use crate::error::{Error, Result};

/// The file format of an output directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet(Codec),
    Jsonl,
}

impl Format {
    /// Parquet compressed with snappy, the format a run writes unless told otherwise.
    pub const PARQUET: Format = Format::Parquet(Codec::Snappy);

    /// The format named `name` ("parquet", "jsonl"), with the Parquet page compression
    /// `compression` names ([`Codec`]; None: snappy). A compression with JSON Lines is an
    /// error rather than ignored.
    pub fn new(name: &str, compression: Option<&str>) -> Result<Self> {
        match (name.parse()?, compression) {
            (Format::Parquet(_), Some(codec)) => Ok(Format::Parquet(codec.parse()?)),
            (Format::Jsonl, Some(codec)) => Err(Error::Input(format!(
                "compression {codec:?} applies to Parquet output, not JSON Lines"
            ))),
            (format, None) => Ok(format),
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet(_) => "parquet",
            Format::Jsonl => "jsonl",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "parquet" => Ok(Format::PARQUET),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            other => Err(Error::Input(format!(
                "unknown output format {other:?}: use \"parquet\" or \"jsonl\""
            ))),
        }
    }
}

/// How the pages of Parquet output are compressed: a trade of writing speed against size.
/// On the dev pages' documents table (`cargo test --release --lib write_speed -- --ignored
/// --nocapture`): snappy ~300 MB/s, LZ4 ~400 MB/s at the same size, zstd (level 1) ~230
/// MB/s and 28% smaller files, none ~1.1 GB/s and 70% larger files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Codec {
    /// What most Parquet writers use and every reader knows.
    #[default]
    Snappy,
    /// LZ4 without framing (Parquet's `LZ4_RAW`; pyarrow >= 8, polars, DuckDB, Spark >= 3.4).
    Lz4,
    /// Zstandard at level 1: smallest files.
    Zstd,
    /// No compression: fastest writes, largest files.
    Uncompressed,
}

impl Codec {
    /// The name [`Codec::from_str`](std::str::FromStr) reads back.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Snappy => "snappy",
            Codec::Lz4 => "lz4",
            Codec::Zstd => "zstd",
            Codec::Uncompressed => "none",
        }
    }

    fn parquet(self) -> Compression {
        match self {
            Codec::Snappy => Compression::SNAPPY,
            Codec::Lz4 => Compression::LZ4_RAW,
            Codec::Zstd => Compression::ZSTD(ZstdLevel::default()),
            Codec::Uncompressed => Compression::UNCOMPRESSED,
        }
    }
}

impl std::str::FromStr for Codec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "snappy" => Ok(Codec::Snappy),
            "lz4" | "lz4_raw" => Ok(Codec::Lz4),
            "zstd" => Ok(Codec::Zstd),
            "none" | "uncompressed" => Ok(Codec::Uncompressed),
            other => Err(Error::Input(format!(
                "unknown compression {other:?}: use \"snappy\", \"lz4\", \"zstd\" or \"none\""
            ))),
        }
    }
}

/// The two tables a run writes, as folder names under the output directory.
pub const TABLES: [&str; 2] = ["documents", "mentions"];

/// Writes batches as numbered part files.
#[derive(Debug)]
pub struct Writer {
    dir: PathBuf,
    format: Format,
    next_part: usize,
}

fn is_part_file(name: &str) -> bool {
    (name.starts_with("part-") && (name.ends_with(".parquet") || name.ends_with(".jsonl")))
        || (name.starts_with(".part-") && name.ends_with(".tmp"))
}

impl Writer {
    /// Prepares `dir` (created when missing). Part files of an earlier run there are an
    /// error unless `overwrite`, which removes them (and only them) first.
    pub fn create(dir: impl Into<PathBuf>, format: Format, overwrite: bool) -> Result<Self> {
        let dir = dir.into();
        for table in TABLES {
            let sub = dir.join(table);
            fs::create_dir_all(&sub).map_err(|e| Error::io(&sub, e))?;
            let entries = fs::read_dir(&sub).map_err(|e| Error::io(&sub, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::io(&sub, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !is_part_file(&name) {
                    continue;
                }
                if !overwrite {
                    return Err(Error::Input(format!(
                        "{} already holds output of an earlier run ({name}): choose another \
                         directory or overwrite it",
                        sub.display()
                    )));
                }
                let path = entry.path();
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        let manifest = dir.join(MANIFEST);
        if manifest.exists() {
            fs::remove_file(&manifest).map_err(|e| Error::io(&manifest, e))?;
        }
        Ok(Writer {
            dir,
            format,
            next_part: 0,
        })
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// How many part pairs have been written.
    pub fn parts(&self) -> usize {
        self.next_part
    }

    /// Writes one batch: `documents` and `mentions` parts with the next number. Both are
    /// written to temporary files first and renamed only when both are complete.
    pub fn write(&mut self, documents: &RecordBatch, mentions: &RecordBatch) -> Result<()> {
        let part = self.next_part;
        let pairs = [(TABLES[0], documents), (TABLES[1], mentions)];
        let mut written: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(2);
        for (table, batch) in pairs {
            let name = format!("part-{part:05}.{}", self.format.extension());
            let final_path = self.dir.join(table).join(&name);
            let tmp = self.dir.join(table).join(format!(".{name}.tmp"));
            if let Err(e) = write_file(&tmp, batch, self.format) {
                let _ = fs::remove_file(&tmp);
                for (t, _) in &written {
                    let _ = fs::remove_file(t);
                }
                return Err(e);
            }
            written.push((tmp, final_path));
        }
        for (tmp, final_path) in &written {
            if let Err(e) = fs::rename(tmp, final_path) {
                for (t, _) in &written {
                    let _ = fs::remove_file(t);
                }
                return Err(Error::io(final_path, e));
            }
        }
        self.next_part += 1;
        Ok(())
    }

    /// Writes `DIR/newsprep.json` (atomically), which marks the run as complete.
    pub fn finish(&self, documents: u64, mentions: u64, errors: u64) -> Result<()> {
        let mut manifest = serde_json::json!({
            "format": self.format.extension(),
            "parts": self.next_part,
            "documents": documents,
            "mentions": mentions,
            "errors": errors,
        });
        if let Format::Parquet(codec) = self.format {
            manifest["compression"] = codec.name().into();
        }
        let path = self.dir.join(MANIFEST);
        let tmp = self.dir.join(format!(".{MANIFEST}.tmp"));
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::Input(format!("cannot write the manifest: {e}")))?;
        let result = fs::write(&tmp, text + "\n")
            .and_then(|_| fs::rename(&tmp, &path))
            .map_err(|e| Error::io(&path, e));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// The name of the file that marks a finished run.
pub const MANIFEST: &str = "newsprep.json";

fn write_file(path: &Path, batch: &RecordBatch, format: Format) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    match format {
        Format::Parquet(codec) => {
            // Dictionary pages only where values repeat: not for the document texts and ids
            // (measured: ~25% faster writes, same size).
            let mut props = WriterProperties::builder().set_compression(codec.parquet());
            if batch.schema().field_with_name("chars_in").is_ok() {
                for column in ["doc_id", "text"] {
                    props = props.set_column_dictionary_enabled(ColumnPath::from(column), false);
                }
            }
            let props = props.build();
            let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props))
                .map_err(|e| Error::arrow(path.display().to_string(), e))?;
            writer
                .write(batch)
                .map_err(|e| Error::arrow(path.display().to_string(), e))?;
            let file = writer
                .into_inner()
                .map_err(|e| Error::arrow(path.display().to_string(), e))?;
            file.sync_all().map_err(|e| Error::io(path, e))
        }
        Format::Jsonl => {
            let mut out = BufWriter::with_capacity(1 << 20, file);
            write_jsonl(&mut out, batch).map_err(|e| Error::io(path, e))?;
            let file = out
                .into_inner()
                .map_err(|e| Error::io(path, e.into_error()))?;
            file.sync_all().map_err(|e| Error::io(path, e))
        }
    }
}

/// Writes a record batch as JSON Lines: one object a row, columns in schema order. Handles
/// the column types of the documents and mentions tables (strings, dictionary strings,
/// 64-bit integers, lists of strings); others are written as null.
pub fn write_jsonl(out: &mut impl Write, batch: &RecordBatch) -> std::io::Result<()> {
    let schema = batch.schema();
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| serde_json::to_string(f.name()).unwrap_or_else(|_| "\"?\"".into()))
        .collect();
    let mut line = String::new();
    for row in 0..batch.num_rows() {
        line.clear();
        line.push('{');
        for (i, column) in batch.columns().iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&names[i]);
            line.push(':');
            json_value(&mut line, column.as_ref(), row);
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn push_json_str(line: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => line.push_str(&quoted),
        Err(_) => line.push_str("null"),
    }
}

fn json_value(line: &mut String, array: &dyn Array, row: usize) {
    if array.is_null(row) {
        line.push_str("null");
        return;
    }
    match array.data_type() {
        DataType::Utf8 => push_json_str(line, array.as_string::<i32>().value(row)),
        DataType::Int64 => {
            let v = array
                .as_primitive::<arrow_array::types::Int64Type>()
                .value(row);
            line.push_str(&v.to_string());
        }
        DataType::Dictionary(_, _) => match array.as_dictionary_opt::<Int32Type>() {
            Some(dict) => {
                let key = dict.keys().value(row);
                json_value(line, dict.values().as_ref(), key as usize);
            }
            None => line.push_str("null"),
        },
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let values = list.value(row);
            line.push('[');
            for i in 0..values.len() {
                if i > 0 {
                    line.push(',');
                }
                json_value(line, values.as_ref(), i);
            }
            line.push(']');
        }
        _ => line.push_str("null"),
    }
}
