//! Corpus processing: whole corpora in, Arrow record batches (and Parquet or JSONL files)
//! out, streaming and in parallel.
//!
//! A [`Run`] reads a [`Source`] batch by batch; each batch is read, cleaned and tagged in
//! parallel (rayon) and comes out as a [`Batch`] of two Arrow record batches, `documents`
//! and `mentions` ([`documents_schema`], [`mentions_schema`]). Memory is bounded by the
//! batch size, not the corpus. A document that cannot be read or processed becomes a row
//! with its `error` set; the run goes on. A run can be stopped through its cancellation
//! flag ([`Run::cancel_flag`]), which is checked between documents, and reports
//! [`Progress`] as documents finish. With an output directory ([`Run::with_output`]) each
//! batch is written, atomically, as it completes. While the pool processes one batch, the
//! calling thread reads the next (so reading overlaps processing, and memory holds at most
//! two batches of input).
//!
//! ```
//! use newsprep::corpus::{Options, Run, Source};
//!
//! let source = Source::Texts {
//!     texts: vec!["Shelling in Izium-Balakliya.".into(), "".into()],
//!     ids: None,
//!     name: "list".into(),
//! };
//! let run = Run::new(source, None, Options::default()).unwrap();
//! let mut docs = 0;
//! for batch in run {
//!     docs += batch.unwrap().documents.num_rows();
//! }
//! assert_eq!(docs, 2);
//! ```

mod batch;
mod source;
mod writer;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::RecordBatch;

pub use batch::{documents_schema, mentions_schema, Progress};
pub use source::{decode_lossy, RawDoc, Source, TextStream, MAX_DOC_BYTES};
pub use writer::{write_jsonl, Codec, Format, Writer, MANIFEST, TABLES};

use crate::error::{Error, Result};
use crate::parallel;
use crate::tag::Gazetteer;
use source::{Pending, Reader};

/// How a run processes its documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Clean each document (`crate::clean`) before tagging; `false` tags the text as read.
    pub clean: bool,
    /// At most this many documents per batch.
    pub batch_size: usize,
    /// A batch closes once its texts reach this many bytes (files count by their size).
    pub batch_bytes: usize,
    /// `None`: rayon's global pool; `Some(n)`: a pool of `n` threads.
    pub threads: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clean: true,
            batch_size: 2_000,
            batch_bytes: 16 << 20,
            threads: None,
        }
    }
}

/// One finished batch.
#[derive(Debug, Clone)]
pub struct Batch {
    /// 0-based batch number (also the part number of written files).
    pub index: usize,
    pub documents: RecordBatch,
    pub mentions: RecordBatch,
}

/// What a finished run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub batches: usize,
    pub documents: u64,
    pub mentions: u64,
    /// Documents with an error row.
    pub errors: u64,
    /// Input bytes.
    pub bytes: u64,
}

/// A streaming corpus run: an iterator of [`Batch`]es.
///
/// Iterate it (or call [`Run::next_batch`]) to process the next batch; nothing is read
/// before the first batch is asked for, and then at most one batch ahead. After an error,
/// including [`Error::Cancelled`], the run is over and yields nothing more.
pub struct Run {
    reader: Reader,
    /// The batch read while the previous one was processed (with the reader's error, if
    /// reading it failed: reported in turn, after the batches before it).
    read_ahead: Option<Result<Option<Vec<Pending>>>>,
    gazetteer: Option<Arc<Gazetteer>>,
    options: Options,
    cancel: Arc<AtomicBool>,
    progress: Arc<Progress>,
    writer: Option<BackgroundWriter>,
    summary: Summary,
    finished: bool,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("options", &self.options)
            .field("summary", &self.summary)
            .field("writer", &self.writer.as_ref().map(|w| &w.dir))
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl Run {
    /// Opens `source` for processing. Fails when the source cannot be opened at all (a
    /// missing JSONL or Parquet file, a missing text column) or an option is unusable.
    pub fn new(
        source: Source,
        gazetteer: Option<Arc<Gazetteer>>,
        options: Options,
    ) -> Result<Self> {
        if options.batch_size == 0 {
            return Err(Error::Input("batch_size must be at least 1".into()));
        }
        if options.threads == Some(0) {
            return Err(Error::Input("threads must be at least 1".into()));
        }
        Ok(Run {
            reader: Reader::open(source)?,
            read_ahead: None,
            gazetteer,
            options,
            cancel: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(Progress::default()),
            writer: None,
            summary: Summary::default(),
            finished: false,
        })
    }

    /// Also writes each batch to `dir` as it completes (see [`Writer`]).
    pub fn with_output(
        mut self,
        dir: impl Into<PathBuf>,
        format: Format,
        overwrite: bool,
    ) -> Result<Self> {
        let writer = Writer::create(dir, format, overwrite)?;
        self.writer = Some(BackgroundWriter::start(writer)?);
        Ok(self)
    }

    /// Uses `flag` as the cancellation flag (e.g. one shared with a signal handler).
    pub fn with_cancel_flag(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = flag;
        self
    }

    /// The flag that stops the run: set it from any thread and the current batch stops
    /// after the documents already being processed; nothing more is written.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Documents and bytes done so far, readable from any thread while a batch runs.
    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// What the run has done so far.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The output directory, when there is one.
    pub fn output_dir(&self) -> Option<&std::path::Path> {
        self.writer.as_ref().map(|w| w.dir.as_path())
    }

    /// Processes (and writes) the next batch; `Ok(None)` when the corpus is done, which
    /// also writes the output manifest.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        if self.finished {
            return Ok(None);
        }
        let mut result = self.step();
        if !matches!(result, Ok(Some(_))) {
            self.finished = true;
            // Let the part being written finish (so no temporary file outlives the run);
            // at the end of the corpus, mark the output complete.
            if let Some(writer) = self.writer.take() {
                let written = writer.finish();
                if let Ok(None) = result {
                    let s = self.summary;
                    result = written
                        .and_then(|w| w.finish(s.documents, s.mentions, s.errors))
                        .map(|()| None);
                }
            }
        }
        result
    }

    fn step(&mut self) -> Result<Option<Batch>> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let (max_docs, max_bytes) = (self.options.batch_size, self.options.batch_bytes);
        let next = match self.read_ahead.take() {
            Some(read) => read,
            None => self.reader.next_batch(max_docs, max_bytes),
        };
        let Some(pending) = next? else {
            return Ok(None);
        };
        let gazetteer = self.gazetteer.as_deref();
        let (clean, threads) = (self.options.clean, self.options.threads);
        let (cancel, progress) = (&*self.cancel, &*self.progress);
        let reader = &mut self.reader;
        // The pool processes this batch on a thread of its own while this thread reads the
        // next one: reading is serial work that would otherwise leave the pool idle.
        let (processed, read_ahead) = std::thread::scope(|scope| {
            let spawned = parallel::spawn_beside(scope, "newsprep-batch", move || {
                parallel::install(threads, || {
                    let docs = batch::process_batch(pending, clean, gazetteer, cancel, progress)?;
                    // The two tables are laid out side by side (each is serial work).
                    let (documents, mentions) = rayon::join(
                        || batch::documents_batch(&docs),
                        || batch::mentions_batch(&docs, gazetteer),
                    );
                    Ok::<_, Error>((documents?, mentions?))
                })
            });
            let worker = match spawned {
                Ok(worker) => worker,
                Err(e) => return (Err(e), None),
            };
            let read_ahead = reader.next_batch(max_docs, max_bytes);
            (parallel::join(worker), Some(read_ahead))
        });
        self.read_ahead = read_ahead;
        let (documents, mentions) = processed??;
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        if let Some(w) = &mut self.writer {
            w.send(documents.clone(), mentions.clone())?;
        }
        let index = self.summary.batches;
        self.summary.batches += 1;
        self.summary.documents += documents.num_rows() as u64;
        self.summary.mentions += mentions.num_rows() as u64;
        self.summary.errors += count_errors(&documents);
        self.summary.bytes = self.progress.bytes();
        Ok(Some(Batch {
            index,
            documents,
            mentions,
        }))
    }

    /// Runs to the end, handing each batch to `on_batch`; returns the summary.
    pub fn run(mut self, mut on_batch: impl FnMut(Batch)) -> Result<Summary> {
        while let Some(batch) = self.next_batch()? {
            on_batch(batch);
        }
        Ok(self.summary)
    }
}

/// Writes parts on a thread of its own, so writing batch N overlaps processing batch N+1.
/// The hand-over is a rendezvous: at most one batch is being written while the next is
/// processed, so memory stays bounded.
struct BackgroundWriter {
    dir: PathBuf,
    tx: Option<std::sync::mpsc::SyncSender<(RecordBatch, RecordBatch)>>,
    handle: Option<std::thread::JoinHandle<Result<Writer>>>,
}

impl BackgroundWriter {
    fn start(mut writer: Writer) -> Result<Self> {
        let dir = writer.dir().to_path_buf();
        let (tx, rx) = std::sync::mpsc::sync_channel::<(RecordBatch, RecordBatch)>(0);
        let handle = std::thread::Builder::new()
            .name("newsprep-writer".into())
            .spawn(move || {
                for (documents, mentions) in rx {
                    writer.write(&documents, &mentions)?;
                }
                Ok(writer)
            })
            .map_err(|e| Error::io(&dir, e))?;
        Ok(BackgroundWriter {
            dir,
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Hands a batch to the writer thread (waiting until it has taken the previous one).
    /// A failed earlier write is reported here.
    fn send(&mut self, documents: RecordBatch, mentions: RecordBatch) -> Result<()> {
        let sent = match &self.tx {
            Some(tx) => tx.send((documents, mentions)).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The thread stopped: it failed on an earlier part.
            self.join()
                .and_then(|_| Err(Error::Input("the output writer stopped early".into())))
        }
    }

    fn join(&mut self) -> Result<Writer> {
        self.tx = None;
        match self.handle.take() {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|_| Err(Error::Input("the output writer thread panicked".into()))),
            None => Err(Error::Input("the output writer has already stopped".into())),
        }
    }

    /// Waits for the parts in flight and returns the writer.
    fn finish(mut self) -> Result<Writer> {
        self.join()
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        if self.handle.is_some() {
            let _ = self.join();
        }
    }
}

fn count_errors(documents: &RecordBatch) -> u64 {
    documents
        .column_by_name("error")
        .map(|c| (c.len() - c.null_count()) as u64)
        .unwrap_or(0)
}

impl Iterator for Run {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().transpose()
    }
}

/// The `doc_id` column of a documents or mentions batch, as strings (for tests and quick
/// looks).
pub fn doc_ids(batch: &RecordBatch) -> Vec<String> {
    batch
        .column_by_name("doc_id")
        .and_then(|c| c.as_string_opt::<i32>())
        .map(|a| {
            a.iter()
                .map(|v| v.unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
