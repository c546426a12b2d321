use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};

use super::*;
use crate::clean::clean;
use crate::tag::{AliasSpec, EntityRecord, GazetteerOptions};

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "newsprep-corpus-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn dev_texts(limit: usize) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cleanup-dev");
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".noisy.txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .take(limit)
        .map(|p| fs::read_to_string(p).unwrap())
        .collect()
}

fn gazetteer() -> Arc<Gazetteer> {
    let record = |id: &str, label: &str, name: &str, aliases: &[&str]| EntityRecord {
        id: id.into(),
        label: label.into(),
        name: name.into(),
        aliases: aliases
            .iter()
            .map(|a| AliasSpec::Text(a.to_string()))
            .collect(),
    };
    let records = vec![
        record("L-kharkiv", "PLACE", "Kharkiv", &["Kharkov"]),
        record("L-izium", "PLACE", "Izium", &["Izyum"]),
        record("L-russia", "PLACE", "Russia", &[]),
        record("L-ukraine", "PLACE", "Ukraine", &[]),
        record("L-moscow", "PLACE", "Moscow", &[]),
        record(
            "P-zelensky",
            "PERSON",
            "Volodymyr Zelensky",
            &["Zelensky", "Zelenskyy"],
        ),
        record("O-un", "ORG", "United Nations", &["UN"]),
        record("L-georgia", "PLACE", "Georgia", &[]),
        record(
            "L-georgia-us",
            "PLACE",
            "Georgia (U.S. state)",
            &["Georgia"],
        ),
    ];
    Arc::new(Gazetteer::new(records, GazetteerOptions::default()).unwrap())
}

/// Every row of a batch as strings, one Vec per row, for order-sensitive comparisons.
fn rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for row in 0..b.num_rows() {
            let mut cells = Vec::new();
            for c in b.columns() {
                let mut s = String::new();
                writer_cell(&mut s, c.as_ref(), row);
                cells.push(s);
            }
            out.push(cells);
        }
    }
    out
}

fn writer_cell(s: &mut String, a: &dyn Array, row: usize) {
    let mut buf = Vec::new();
    let batch =
        RecordBatch::try_from_iter([("c", arrow_array::make_array(a.slice(row, 1).to_data()))])
            .unwrap();
    write_jsonl(&mut buf, &batch).unwrap();
    s.push_str(&String::from_utf8(buf).unwrap());
}

fn run_all(
    source: Source,
    gaz: Option<Arc<Gazetteer>>,
    options: Options,
) -> (Vec<RecordBatch>, Vec<RecordBatch>) {
    let mut docs = Vec::new();
    let mut mentions = Vec::new();
    for batch in Run::new(source, gaz, options).unwrap() {
        let batch = batch.unwrap();
        docs.push(batch.documents);
        mentions.push(batch.mentions);
    }
    (docs, mentions)
}

fn texts(texts: Vec<String>) -> Source {
    Source::Texts {
        texts,
        ids: None,
        name: "list".into(),
    }
}

fn column_str(batches: &[RecordBatch], name: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let c = b.column_by_name(name).unwrap().as_string::<i32>().clone();
            (0..c.len())
                .map(|i| (!c.is_null(i)).then(|| c.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn column_i64(batches: &[RecordBatch], name: &str) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name(name)
                .unwrap()
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect()
}

#[test]
fn batches_are_equal_whatever_the_batch_size() {
    let corpus = dev_texts(60);
    let gaz = gazetteer();
    let mut reference = None;
    for (batch_size, batch_bytes, threads) in [
        (1000, 16 << 20, None),
        (1, 16 << 20, Some(2)),
        (7, 16 << 20, Some(1)),
        (1000, 20_000, Some(2)),
    ] {
        let options = Options {
            batch_size,
            batch_bytes,
            threads,
            ..Options::default()
        };
        let (docs, mentions) = run_all(texts(corpus.clone()), Some(gaz.clone()), options);
        assert!(docs.iter().all(|b| b.num_rows() <= batch_size));
        let got = (rows(&docs), rows(&mentions));
        assert_eq!(got.0.len(), corpus.len());
        match &reference {
            None => reference = Some(got),
            Some(r) => assert_eq!(
                r, &got,
                "batch_size {batch_size}, batch_bytes {batch_bytes}"
            ),
        }
    }
}

#[test]
fn results_equal_a_per_document_clean_and_tag_loop() {
    let corpus = dev_texts(40);
    let gaz = gazetteer();
    let (docs, mentions) = run_all(texts(corpus.clone()), Some(gaz.clone()), Options::default());
    let cleaned: Vec<String> = corpus.iter().map(|t| clean(t).text).collect();
    let got_text: Vec<String> = column_str(&docs, "text")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(got_text, cleaned);
    let chars_in: Vec<i64> = corpus.iter().map(|t| t.chars().count() as i64).collect();
    assert_eq!(column_i64(&docs, "chars_in"), chars_in);
    let titles: Vec<Option<String>> = corpus.iter().map(|t| clean(t).title).collect();
    assert_eq!(column_str(&docs, "title"), titles);

    let mut expected = Vec::new();
    for (i, text) in cleaned.iter().enumerate() {
        for m in gaz.tag(text) {
            expected.push((
                i.to_string(),
                m.start as i64,
                m.end as i64,
                text[m.byte_start..m.byte_end].to_string(),
            ));
        }
    }
    let ids = column_str(&mentions, "doc_id");
    let starts = column_i64(&mentions, "start");
    let ends = column_i64(&mentions, "end");
    let surfaces = column_str(&mentions, "text");
    let got: Vec<_> = (0..ids.len())
        .map(|i| {
            (
                ids[i].clone().unwrap(),
                starts[i],
                ends[i],
                surfaces[i].clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn no_clean_keeps_the_text_as_read() {
    let corpus = vec!["  a\n\nb  ".to_string(), String::new()];
    let options = Options {
        clean: false,
        ..Options::default()
    };
    let (docs, _) = run_all(texts(corpus.clone()), None, options);
    let got: Vec<String> = column_str(&docs, "text")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(got, corpus);
    assert_eq!(column_str(&docs, "title"), vec![None, None]);
}

#[test]
fn ids_default_to_indexes_and_can_be_given() {
    let (docs, _) = run_all(
        texts(vec!["a".into(), "b".into()]),
        None,
        Options::default(),
    );
    assert_eq!(doc_ids(&docs[0]), vec!["0", "1"]);
    let source = Source::Texts {
        texts: vec!["a".into(), "b".into()],
        ids: Some(vec!["x".into(), "y".into()]),
        name: "df".into(),
    };
    let (docs, _) = run_all(source, None, Options::default());
    assert_eq!(doc_ids(&docs[0]), vec!["x", "y"]);
    let bad = Source::Texts {
        texts: vec!["a".into()],
        ids: Some(vec![]),
        name: "df".into(),
    };
    assert!(matches!(
        Run::new(bad, None, Options::default()),
        Err(Error::Input(_))
    ));
}

/// A stream source is pulled a batch ahead, not drained up front, and an error from it
/// stops the run after the batches before it.
#[test]
fn a_stream_is_read_as_the_run_goes_and_its_error_stops_the_run() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let stream = (0..100).map(move |i| {
        counter.fetch_add(1, Ordering::Relaxed);
        if i == 75 {
            Err(Error::Input("the feed broke".into()))
        } else {
            Ok(format!("Document {i}."))
        }
    });
    let source = Source::Stream {
        texts: Box::new(stream),
        name: "feed".into(),
    };
    let options = Options {
        batch_size: 10,
        ..Options::default()
    };
    let mut run = Run::new(source, None, options).unwrap();
    assert_eq!(pulled.load(Ordering::Relaxed), 0);
    let first = run.next_batch().unwrap().unwrap();
    assert_eq!(
        doc_ids(&first.documents),
        (0..10).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(
        pulled.load(Ordering::Relaxed),
        20,
        "this batch and the one read ahead"
    );
    let mut docs = 10;
    let error = loop {
        match run.next_batch() {
            Ok(Some(batch)) => docs += batch.documents.num_rows(),
            Ok(None) => panic!("the run ended without the stream's error"),
            Err(e) => break e,
        }
    };
    assert_eq!(docs, 70, "the batches before the one the error broke off");
    assert!(matches!(error, Error::Input(m) if m == "the feed broke"));
    assert_eq!(
        pulled.load(Ordering::Relaxed),
        76,
        "nothing is read after the error"
    );
    assert!(run.next_batch().unwrap().is_none());
}

#[test]
fn a_missing_file_is_an_error_row_and_the_run_goes_on() {
    let dir = TempDir::new("files");
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    fs::write(&a, "First article.").unwrap();
    fs::write(&b, "Second article.").unwrap();
    let missing = dir.path().join("gone.txt");
    let source = Source::Files {
        paths: vec![a.clone(), missing.clone(), b.clone()],
        ids: Some(vec!["a".into(), "gone".into(), "b".into()]),
    };
    let (docs, _) = run_all(source, Some(gazetteer()), Options::default());
    assert_eq!(doc_ids(&docs[0]), vec!["a", "gone", "b"]);
    let errors = column_str(&docs, "error");
    assert!(errors[0].is_none() && errors[2].is_none());
    assert!(
        errors[1].as_deref().unwrap().contains("cannot read file"),
        "{errors:?}"
    );
    let text = column_str(&docs, "text");
    assert_eq!(text[1].as_deref(), Some(""));
    assert_eq!(text[2], Some(clean("Second article.").text));
    assert_eq!(
        column_str(&docs, "source")[1].as_deref(),
        Some(missing.to_str().unwrap())
    );
}

#[test]
fn invalid_utf8_is_replaced_and_counted() {
    let dir = TempDir::new("utf8");
    let bytes = b"Kharkiv \xff\xfe news \xc3 end \xe2\x82".to_vec();
    let path = dir.path().join("bad.txt");
    fs::write(&path, &bytes).unwrap();
    let source = Source::Files {
        paths: vec![path],
        ids: None,
    };
    let options = Options {
        clean: false,
        ..Options::default()
    };
    let (docs, _) = run_all(source, None, options);
    let expected = String::from_utf8_lossy(&bytes).into_owned();
    let replaced = expected.matches('\u{FFFD}').count() as i64;
    assert_eq!(replaced, 4);
    assert_eq!(
        column_str(&docs, "text")[0].as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(column_i64(&docs, "invalid_utf8"), vec![replaced]);
    assert_eq!(
        column_i64(&docs, "chars_in"),
        vec![expected.chars().count() as i64]
    );
}

#[test]
fn jsonl_bad_lines_become_error_rows() {
    let dir = TempDir::new("jsonl");
    let path = dir.path().join("in.jsonl");
    let lines = [
        r#"{"id": "a", "text": "Kharkiv today."}"#,
        r#"{"id": 7, "text": "Izium."}"#,
        "not json",
        "",
        r#"{"id": "c", "body": "no text field"}"#,
        r#"{"id": "d", "text": 12}"#,
        r#"[1, 2]"#,
        r#"{"text": "no id"}"#,
    ];
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n{\"id\": \"e\", \"text\": \"bad \xff byte\"}\n");
    fs::write(&path, bytes).unwrap();
    let source = Source::Jsonl {
        path: path.clone(),
        text_column: "text".into(),
        id_column: Some("id".into()),
    };
    let (docs, _) = run_all(
        source,
        None,
        Options {
            clean: false,
            ..Options::default()
        },
    );
    assert_eq!(
        doc_ids(&docs[0]),
        vec!["a", "7", "3", "c", "d", "7", "8", "e"]
    );
    let errors = column_str(&docs, "error");
    let is_err: Vec<bool> = errors.iter().map(Option::is_some).collect();
    assert_eq!(
        is_err,
        vec![false, false, true, true, true, true, false, false]
    );
    assert!(errors[2].as_deref().unwrap().starts_with("invalid JSON"));
    assert!(errors[3].as_deref().unwrap().contains("no field \"text\""));
    assert!(errors[4].as_deref().unwrap().contains("not a string"));
    assert_eq!(
        column_str(&docs, "source")[2].as_deref(),
        Some(format!("{}:3", path.display()).as_str())
    );
    assert_eq!(
        column_str(&docs, "text")[7].as_deref(),
        Some("bad \u{FFFD} byte")
    );
    assert_eq!(column_i64(&docs, "invalid_utf8")[7], 1);
    // Missing files are an error for the whole run.
    let missing = Source::Jsonl {
        path: dir.path().join("nope.jsonl"),
        text_column: "text".into(),
        id_column: None,
    };
    assert!(matches!(
        Run::new(missing, None, Options::default()),
        Err(Error::Io { .. })
    ));
}

fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A written documents part, read back as a Parquet source (ids and texts as written, no
/// cleaning).
fn read_documents_part(path: PathBuf) -> Vec<RecordBatch> {
    let source = Source::Parquet {
        path,
        text_column: "text".into(),
        id_column: Some("doc_id".into()),
    };
    let options = Options {
        clean: false,
        ..Options::default()
    };
    run_all(source, None, options).0
}

#[test]
fn output_parts_are_written_atomically_and_read_back() {
    let corpus = dev_texts(25);
    let out = TempDir::new("out");
    let options = Options {
        batch_size: 10,
        ..Options::default()
    };
    let run = Run::new(texts(corpus.clone()), Some(gazetteer()), options)
        .unwrap()
        .with_output(out.path(), Format::PARQUET, false)
        .unwrap();
    let mut docs = Vec::new();
    let summary = run.run(|b| docs.push(b.documents)).unwrap();
    assert_eq!(summary.batches, 3);
    assert_eq!(summary.documents, 25);
    for table in TABLES {
        assert_eq!(
            list_dir(&out.path().join(table)),
            vec![
                "part-00000.parquet",
                "part-00001.parquet",
                "part-00002.parquet"
            ]
        );
    }
    assert!(out.path().join(MANIFEST).exists());
    assert!(!list_dir(out.path()).iter().any(|n| n.ends_with(".tmp")));

    // Round trip: the written documents, read back as a Parquet source without cleaning,
    // give the same ids and texts.
    let mut back_ids = Vec::new();
    let mut back_texts = Vec::new();
    for part in 0..3 {
        let d = read_documents_part(out.path().join(format!("documents/part-{part:05}.parquet")));
        back_ids.extend(column_str(&d, "doc_id"));
        back_texts.extend(column_str(&d, "text"));
    }
    assert_eq!(back_ids, column_str(&docs, "doc_id"));
    assert_eq!(back_texts, column_str(&docs, "text"));

    // A second run into the same directory needs overwrite.
    let again = Run::new(texts(vec!["x".into()]), None, Options::default())
        .unwrap()
        .with_output(out.path(), Format::PARQUET, false);
    assert!(matches!(again, Err(Error::Input(_))));
    let again = Run::new(texts(vec!["x".into()]), None, Options::default())
        .unwrap()
        .with_output(out.path(), Format::PARQUET, true)
        .unwrap();
    again.run(|_| ()).unwrap();
    assert_eq!(
        list_dir(&out.path().join("documents")),
        vec!["part-00000.parquet"]
    );
}

#[test]
fn each_codec_writes_parquet_that_reads_back() {
    use parquet::basic::Compression;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let corpus = dev_texts(12);
    let (docs, _) = run_all(texts(corpus), None, Options::default());
    for (codec, expected) in [
        (Codec::Snappy, "SNAPPY"),
        (Codec::Lz4, "LZ4_RAW"),
        (Codec::Zstd, "ZSTD"),
        (Codec::Uncompressed, "UNCOMPRESSED"),
    ] {
        let out = TempDir::new("codec");
        let mut writer = Writer::create(out.path(), Format::Parquet(codec), false).unwrap();
        for batch in &docs {
            writer
                .write(batch, &RecordBatch::new_empty(mentions_schema()))
                .unwrap();
        }
        writer.finish(12, 0, 0).unwrap();
        let path = out.path().join("documents/part-00000.parquet");
        let file = fs::File::open(&path).unwrap();
        let meta = SerializedFileReader::new(file).unwrap().metadata().clone();
        for column in meta.row_group(0).columns() {
            let name = match column.compression() {
                Compression::ZSTD(_) => "ZSTD".to_string(),
                other => other.to_string(),
            };
            assert_eq!(name, expected, "{codec:?}");
        }
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.path().join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(manifest["compression"], codec.name());
        assert_eq!(codec.name().parse::<Codec>().unwrap(), codec);
        let back = read_documents_part(path);
        assert_eq!(column_str(&back, "text"), column_str(&docs, "text"));
    }
}

#[test]
fn formats_and_codecs_are_named() {
    assert_eq!(Format::new("parquet", None).unwrap(), Format::PARQUET);
    assert_eq!(
        Format::new("Parquet", Some("ZSTD")).unwrap(),
        Format::Parquet(Codec::Zstd)
    );
    assert_eq!(
        Format::new("parquet", Some("lz4_raw")).unwrap(),
        Format::Parquet(Codec::Lz4)
    );
    assert_eq!(
        Format::new("parquet", Some("uncompressed")).unwrap(),
        Format::Parquet(Codec::Uncompressed)
    );
    assert_eq!(Format::new("jsonl", None).unwrap(), Format::Jsonl);
    for (name, codec, message) in [
        ("csv", None, "unknown output format"),
        ("parquet", Some("gzip"), "unknown compression"),
        ("jsonl", Some("snappy"), "applies to Parquet output"),
    ] {
        match Format::new(name, codec) {
            Err(Error::Input(m)) => assert!(m.contains(message), "{m}"),
            other => panic!("{name} {codec:?}: {other:?}"),
        }
    }
}

#[test]
fn jsonl_output_is_one_object_a_row() {
    let out = TempDir::new("jsonl-out");
    let corpus = vec!["Kharkiv \"quoted\"\nline".to_string(), "Izium".to_string()];
    let run = Run::new(
        texts(corpus),
        Some(gazetteer()),
        Options {
            clean: false,
            ..Options::default()
        },
    )
    .unwrap()
    .with_output(out.path(), Format::Jsonl, false)
    .unwrap();
    run.run(|_| ()).unwrap();
    let text = fs::read_to_string(out.path().join("documents/part-00000.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["text"], "Kharkiv \"quoted\"\nline");
    assert_eq!(rows[0]["doc_id"], "0");
    assert_eq!(rows[0]["title"], serde_json::Value::Null);
    assert_eq!(rows[1]["chars_in"], 5);
    assert!(out.path().join("mentions/part-00000.jsonl").exists());
}

#[test]
fn a_cancelled_run_stops_and_leaves_no_temporary_files() {
    let out = TempDir::new("cancel");
    let corpus = dev_texts(30);
    let mut run = Run::new(
        texts(corpus),
        None,
        Options {
            batch_size: 10,
            ..Options::default()
        },
    )
    .unwrap()
    .with_output(out.path(), Format::PARQUET, false)
    .unwrap();
    assert!(run.next_batch().unwrap().is_some());
    run.cancel_flag().store(true, Ordering::Relaxed);
    assert!(matches!(run.next_batch(), Err(Error::Cancelled)));
    assert!(run.next_batch().unwrap().is_none());
    for table in TABLES {
        assert_eq!(
            list_dir(&out.path().join(table)),
            vec!["part-00000.parquet"]
        );
    }
    assert!(!out.path().join(MANIFEST).exists());
    assert_eq!(run.progress().docs(), 10);
}

/// A batch checks the flag before each document: once it is set, no further document is
/// read or processed and the batch reports the cancellation (no partial batch comes back).
/// Tested on the batch itself, where the check lives, so that no thread race decides the
/// outcome.
#[test]
fn cancelling_inside_a_batch_stops_it() {
    let dir = TempDir::new("cancel");
    let pending: Vec<source::Pending> = (0..40)
        .map(|i| {
            let path = dir.path().join(format!("{i}.txt"));
            fs::write(&path, "Some article text.").unwrap();
            source::Pending::File {
                path,
                doc_id: i.to_string(),
            }
        })
        .collect();
    let progress = Progress::default();
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let result = parallel::install(Some(1), || {
        batch::process_batch(pending, true, None, &cancel, &progress)
    })
    .unwrap();
    assert!(matches!(result, Err(Error::Cancelled)));
    assert_eq!(progress.docs(), 0);
}

#[test]
fn parquet_source_errors_are_clear() {
    let dir = TempDir::new("pq");
    let not_parquet = dir.path().join("x.parquet");
    fs::write(&not_parquet, "hello").unwrap();
    let source = Source::Parquet {
        path: not_parquet,
        text_column: "text".into(),
        id_column: None,
    };
    assert!(matches!(
        Run::new(source, None, Options::default()),
        Err(Error::Arrow { .. })
    ));

    // A Parquet file without the text column.
    let out = TempDir::new("pq-out");
    Run::new(texts(vec!["a".into()]), None, Options::default())
        .unwrap()
        .with_output(out.path(), Format::PARQUET, false)
        .unwrap()
        .run(|_| ())
        .unwrap();
    let source = Source::Parquet {
        path: out.path().join("documents/part-00000.parquet"),
        text_column: "body".into(),
        id_column: None,
    };
    let err = Run::new(source, None, Options::default()).unwrap_err();
    assert!(err.to_string().contains("no text column \"body\""), "{err}");
}

#[test]
fn progress_counts_documents_and_bytes() {
    let corpus = vec!["abc".to_string(), "défg".to_string()];
    let run = Run::new(texts(corpus), None, Options::default()).unwrap();
    let progress = run.progress();
    let summary = run.run(|_| ()).unwrap();
    assert_eq!(progress.docs(), 2);
    assert_eq!(progress.bytes(), 3 + 5);
    assert_eq!(summary.bytes, 8);
    assert_eq!(summary.errors, 0);
}

#[test]
fn run_is_send() {
    fn is_send<T: Send>() {}
    is_send::<Run>();
    is_send::<Batch>();
}

#[test]
fn mentions_are_laid_out_with_entities_and_candidates() {
    use crate::tag::Mention;
    let gaz = gazetteer();
    let index = |id: &str| gaz.entities().iter().position(|e| e.id == id).unwrap() as u32;
    let text = "Ще Kharkiv and Georgia.".to_string();
    let kharkiv = text.find("Kharkiv").unwrap();
    let georgia = text.find("Georgia").unwrap();
    let mention = |byte: usize, len: usize, entity: u32, candidates: Vec<u32>| Mention {
        start: text[..byte].chars().count(),
        end: text[..byte].chars().count() + len,
        byte_start: byte,
        byte_end: byte + len,
        entity,
        candidates,
    };
    let doc = batch::DocOut {
        doc_id: "d1".into(),
        source: "s".into(),
        title: None,
        date: None,
        byline: None,
        chars_in: 0,
        chars_out: 0,
        invalid_utf8: 0,
        error: None,
        mentions: vec![
            mention(kharkiv, 7, index("L-kharkiv"), vec![index("L-kharkiv")]),
            mention(
                georgia,
                7,
                index("L-georgia"),
                vec![index("L-georgia"), index("L-georgia-us")],
            ),
            // A span that is not on char boundaries is skipped, not a panic.
            Mention {
                start: 0,
                end: 1,
                byte_start: 0,
                byte_end: 1,
                entity: 0,
                candidates: vec![0],
            },
        ],
        text,
    };
    let batch = batch::mentions_batch(&[doc], Some(&gaz)).unwrap();
    let rows = rows(&[batch]);
    let cell = |s: &str| format!("{{\"c\":{s}}}\n");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        vec![
            cell("\"d1\""),
            cell("3"),
            cell("10"),
            cell("\"Kharkiv\""),
            cell("\"L-kharkiv\""),
            cell("\"PLACE\""),
            cell("\"Kharkiv\""),
            cell("null"),
        ]
    );
    assert_eq!(rows[1][1], cell("15"));
    assert_eq!(rows[1][7], cell("[\"L-georgia\",\"L-georgia-us\"]"));
}

/// Timing of the Parquet writer settings (run by hand:
/// `cargo test --release --lib write_speed -- --ignored --nocapture`).
#[test]
#[ignore]
fn write_speed() {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::{EnabledStatistics, WriterProperties};
    let corpus: Vec<String> = dev_texts(200).into_iter().cycle().take(2000).collect();
    let (docs, _) = run_all(
        texts(corpus),
        None,
        Options {
            clean: false,
            ..Options::default()
        },
    );
    let batch = &docs[0];
    let mb = batch.get_array_memory_size() as f64 / 1e6;
    let dir = TempDir::new("speed");
    let variants: Vec<(&str, WriterProperties)> = vec![
        (
            "default+snappy",
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        ),
        (
            "nodict+snappy",
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_dictionary_enabled(false)
                .build(),
        ),
        (
            "nodict+snappy+chunkstats",
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_dictionary_enabled(false)
                .set_statistics_enabled(EnabledStatistics::Chunk)
                .build(),
        ),
        (
            "nodict+lz4raw",
            WriterProperties::builder()
                .set_compression(Compression::LZ4_RAW)
                .set_dictionary_enabled(false)
                .build(),
        ),
        (
            "nodict+zstd1",
            WriterProperties::builder()
                .set_compression(Compression::ZSTD(Default::default()))
                .set_dictionary_enabled(false)
                .build(),
        ),
        (
            "nodict+none",
            WriterProperties::builder()
                .set_compression(Compression::UNCOMPRESSED)
                .set_dictionary_enabled(false)
                .build(),
        ),
    ];
    for (name, props) in variants {
        for sync in [false, true] {
            let path = dir.path().join(format!("{name}.parquet"));
            let t = std::time::Instant::now();
            let file = fs::File::create(&path).unwrap();
            let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props.clone())).unwrap();
            w.write(batch).unwrap();
            let f = w.into_inner().unwrap();
            if sync {
                f.sync_all().unwrap();
            }
            let s = t.elapsed().as_secs_f64();
            let size = fs::metadata(&path).unwrap().len() as f64 / 1e6;
            println!(
                "{name:28} sync={sync:5} {mb:.0} MB in {s:.3}s = {:.0} MB/s, file {size:.1} MB",
                mb / s
            );
        }
    }
}

#[test]
fn a_failed_write_stops_the_run_with_the_error() {
    let out = TempDir::new("write-fail");
    let corpus = dev_texts(30);
    let mut run = Run::new(
        texts(corpus),
        None,
        Options {
            batch_size: 10,
            ..Options::default()
        },
    )
    .unwrap()
    .with_output(out.path(), Format::PARQUET, false)
    .unwrap();
    assert!(run.next_batch().unwrap().is_some());
    // The output folder vanishes under the run: a later write fails. The background writer
    // may be creating a part in it at this moment, so removal can race it: retry.
    let documents = out.path().join("documents");
    let mut removed = fs::remove_dir_all(&documents);
    for _ in 0..100 {
        if removed.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        removed = fs::remove_dir_all(&documents);
    }
    removed.unwrap();
    let mut result = Ok(None);
    for _ in 0..3 {
        result = run.next_batch();
        if result.is_err() {
            break;
        }
    }
    assert!(matches!(result, Err(Error::Io { .. })), "{result:?}");
    assert!(run.next_batch().unwrap().is_none());
    assert!(!out.path().join(MANIFEST).exists());
}

#[test]
fn gzipped_jsonl_is_read() {
    use std::io::Write;
    let dir = TempDir::new("gz");
    let path = dir.path().join("in.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    for i in 0..5 {
        writeln!(gz, "{{\"id\": \"d{i}\", \"text\": \"text {i}\"}}").unwrap();
    }
    gz.finish().unwrap();
    let source = Source::Jsonl {
        path,
        text_column: "text".into(),
        id_column: Some("id".into()),
    };
    let (docs, _) = run_all(
        source,
        None,
        Options {
            clean: false,
            ..Options::default()
        },
    );
    assert_eq!(doc_ids(&docs[0]), vec!["d0", "d1", "d2", "d3", "d4"]);
    assert_eq!(column_str(&docs, "text")[4].as_deref(), Some("text 4"));
}

/// A source that breaks off (a truncated gzip) reports its error after every batch read
/// before the break, in order, even though the next batch is read while one is processed.
#[test]
fn a_source_that_breaks_off_reports_after_the_batches_before_it() {
    use std::io::Write;
    let dir = TempDir::new("gz-cut");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..20_000 {
        writeln!(
            gz,
            "{{\"id\": \"d{i}\", \"text\": \"text {i} {}\"}}",
            i * 7919
        )
        .unwrap();
    }
    let mut bytes = gz.finish().unwrap();
    bytes.truncate(bytes.len() * 2 / 3);
    // The complete lines before the break, as a plain decoder sees them.
    let mut decoded = Vec::new();
    let cut = std::io::Read::read_to_end(
        &mut flate2::read::MultiGzDecoder::new(bytes.as_slice()),
        &mut decoded,
    );
    assert!(cut.is_err());
    let complete_lines = decoded.iter().filter(|&&b| b == b'\n').count();
    // Every complete line before the break is processed, then the error is reported.
    assert!(
        complete_lines >= 2_000,
        "{complete_lines} lines before the break"
    );
    let path = dir.path().join("cut.jsonl.gz");
    fs::write(&path, bytes).unwrap();
    let source = Source::Jsonl {
        path,
        text_column: "text".into(),
        id_column: Some("id".into()),
    };
    let options = Options {
        clean: false,
        batch_size: 1_000,
        ..Options::default()
    };
    let mut run = Run::new(source, None, options).unwrap();
    let mut ids = Vec::new();
    let error = loop {
        match run.next_batch() {
            Ok(Some(batch)) => ids.extend(doc_ids(&batch.documents)),
            Ok(None) => panic!("a truncated gzip must not end quietly"),
            Err(e) => break e,
        }
    };
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert_eq!(ids.len(), complete_lines);
    let in_order = ids.iter().enumerate().all(|(i, id)| *id == format!("d{i}"));
    assert!(in_order, "documents out of order");
    assert!(
        run.next_batch().unwrap().is_none(),
        "the run is over after an error"
    );
}

/// Found by fuzzing (fuzz/regressions/files): corrupt Parquet files made the reader hand out
/// a string column of invalid UTF-8 (undefined behaviour when read) or panic on a negative
/// column offset. Both are now typed errors.
#[test]
fn regression_corrupt_parquet_is_a_typed_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/files");
    for name in [
        "invalid-utf8-string-view.parquet",
        "negative-column-offset.parquet",
    ] {
        let source = Source::Parquet {
            path: dir.join(name),
            text_column: "text".into(),
            id_column: Some("id".into()),
        };
        let result =
            Run::new(source, Some(gazetteer()), Options::default()).and_then(|run| run.run(|_| ()));
        match result {
            Err(Error::Arrow { reason, .. }) => {
                assert!(!reason.is_empty(), "{name}");
            }
            other => panic!("{name}: expected an Arrow error, got {other:?}"),
        }
    }
}

/// The mentions table's dictionary columns (entity_id, label, name) are what arrow's
/// `StringDictionaryBuilder` makes of the same rows: each distinct string once, in
/// first-seen order, and the same keys.
#[test]
fn mention_dictionaries_are_those_of_arrows_dictionary_builder() {
    use arrow_array::builder::StringDictionaryBuilder;
    use arrow_array::types::Int32Type;
    let gaz = Arc::new(Gazetteer::default_world().unwrap());
    let options = Options {
        batch_size: 16,
        ..Options::default()
    };
    let (_, mentions) = run_all(texts(dev_texts(48)), Some(gaz), options);
    let mut rows = 0;
    for batch in &mentions {
        rows += batch.num_rows();
        for column in ["entity_id", "label", "name"] {
            let dict = batch
                .column_by_name(column)
                .unwrap()
                .as_dictionary::<Int32Type>();
            let values = dict.values().as_string::<i32>();
            let mut builder = StringDictionaryBuilder::<Int32Type>::new();
            for key in dict.keys().values() {
                builder.append_value(values.value(*key as usize));
            }
            let rebuilt = builder.finish();
            assert_eq!(rebuilt.keys(), dict.keys(), "{column}: keys");
            let rebuilt_values = rebuilt.values().as_string::<i32>();
            assert_eq!(rebuilt_values, values, "{column}: values");
        }
    }
    assert!(rows > 200, "{rows} mentions");
}
