//! The Python bindings: the one module that uses pyo3.
//!
//! Each wrapper converts its inputs into owned Rust values, releases the GIL for the work
//! ([`Python::detach`]) and converts the results back; the core does the rest. The batch
//! calls (`clean_many`, `tag_many`) convert their input chunk by chunk while the pool works
//! ([`map_texts`]). Core errors become Python exceptions in one place ([`to_py_err`]).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::TrySendError;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{
    PyFileExistsError, PyFileNotFoundError, PyOSError, PyPermissionError, PyRuntimeError,
    PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use rayon::prelude::*;

use crate::clean::{self as core_clean, Article};
use crate::error::Error;
use crate::tag::{Gazetteer, GazetteerOptions, Mention};

create_exception!(
    newsprep.exceptions,
    NewsprepError,
    PyValueError,
    "Base class of newsprep's errors about bad input (a ValueError)."
);
create_exception!(
    newsprep.exceptions,
    GazetteerError,
    NewsprepError,
    "A gazetteer file or record is malformed; `origin`, `line` and `field` say where."
);
create_exception!(
    newsprep.exceptions,
    InputError,
    NewsprepError,
    "An argument or input document is unusable (a bad option value, an unknown format...)."
);

/// Maps a core error to the Python exception a user expects: our own classes for bad input,
/// the built-in OSError family for I/O.
fn to_py_err(err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Gazetteer {
            origin,
            line,
            field,
            reason,
        } => Python::attach(|py| {
            let py_err = GazetteerError::new_err(message);
            let value = py_err.value(py);
            // Attribute assignment on a fresh exception instance cannot fail in practice;
            // if it ever does, the message still says everything.
            let _ = value.setattr("origin", origin);
            let _ = value.setattr("line", line);
            let _ = value.setattr("field", field);
            let _ = value.setattr("reason", reason);
            py_err
        }),
        Error::Input(_) => InputError::new_err(message),
        Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            std::io::ErrorKind::AlreadyExists => PyFileExistsError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        Error::ThreadPool { .. } => PyRuntimeError::new_err(message),
        Error::Arrow { .. } => InputError::new_err(message),
        Error::Cancelled => pyo3::exceptions::PyKeyboardInterrupt::new_err(message),
    }
}

/// Reads a Python str. Lone surrogates (which UTF-8 cannot hold) become U+FFFD: one code point
/// for one, so Python offsets into the original string stay valid.
fn text_of<'a>(s: &'a Bound<'_, PyString>) -> Cow<'a, str> {
    match s.to_cow() {
        Ok(text) => text,
        Err(_) => Cow::Owned(replace_lone_surrogates(s)),
    }
}

/// The slow path of [`text_of`]: through UTF-32, one unit per Python code point, so that
/// each surrogate becomes one U+FFFD. (Through UTF-16, a high surrogate followed by a low one,
/// two code points in Python, would decode as one character and shift every offset after it;
/// pyo3's lossy conversion would give three U+FFFD.)
fn replace_lone_surrogates(s: &Bound<'_, PyString>) -> String {
    let text: Option<String> = s
        .call_method1("encode", ("utf-32-le", "surrogatepass"))
        .ok()
        .and_then(|b| {
            b.cast::<PyBytes>().ok().map(|b| {
                b.as_bytes()
                    .chunks_exact(4)
                    .map(|unit| {
                        let cp = u32::from_le_bytes([unit[0], unit[1], unit[2], unit[3]]);
                        char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER)
                    })
                    .collect()
            })
        });
    text.unwrap_or_else(|| s.to_string_lossy().into_owned())
}

/// The Rust string of one item of an iterable of str; anything else is a TypeError.
fn owned_text_of(item: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = item.cast::<PyString>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "expected str items, got {}",
            item.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "?".into())
        ))
    })?;
    Ok(text_of(s).into_owned())
}

/// Texts converted per message to the pool: enough that the channel costs nothing, few
/// enough that the workers start at once and share out the last ones evenly.
const FEED_CHUNK_BYTES: usize = 64 * 1024;
const FEED_CHUNK_TEXTS: usize = 256;
/// Converted chunks waiting for a worker, at most: bounds the text held ahead of the work.
const FEED_CHUNKS_AHEAD: usize = 16;

/// Reads the next chunk of `items`, numbered from `*next_index` on; `true` once `items` is
/// exhausted. The chunk ends early once `stop` is set (a slow generator would otherwise
/// hold a cancelled run for a whole chunk).
fn feed_chunk(
    items: &mut Bound<'_, pyo3::types::PyIterator>,
    next_index: &mut usize,
    stop: &AtomicBool,
) -> PyResult<(Vec<(usize, String)>, bool)> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    while chunk.len() < FEED_CHUNK_TEXTS
        && bytes < FEED_CHUNK_BYTES
        && !stop.load(Ordering::Relaxed)
    {
        let Some(item) = items.next() else {
            return Ok((chunk, true));
        };
        let text = owned_text_of(&item?)?;
        bytes += text.len();
        chunk.push((*next_index, text));
        *next_index += 1;
    }
    Ok((chunk, false))
}

/// Applies `work` to every str of `texts` on the thread pool; the results are in input order.
///
/// A Python str must be converted to UTF-8 with the GIL held, and an abi3 build for Python
/// 3.9 encodes it anew each time (measured: about a tenth of cleanup's own time on the dev
/// pages, most of which are not ASCII). So this thread converts chunk after chunk while the
/// pool already works on the chunks before: the conversion overlaps the work instead of
/// preceding it, and converted text is freed as soon as it is done with. The GIL is released
/// whenever this thread waits for the pool. Input that fits in one chunk is simply
/// converted, then worked on with the GIL released.
fn map_texts<T, F>(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    threads: Option<usize>,
    work: F,
) -> PyResult<Vec<T>>
where
    T: Send,
    F: Fn(&str) -> T + Sync,
{
    let mut items = texts.try_iter()?;
    let mut next_index = 0;
    let never = AtomicBool::new(false);
    let (first, exhausted) = feed_chunk(&mut items, &mut next_index, &never)?;
    if exhausted {
        return py
            .detach(|| {
                crate::parallel::install(threads, || {
                    first.par_iter().map(|(_, text)| work(text)).collect()
                })
            })
            .map_err(to_py_err);
    }
    let (sender, receiver) = std::sync::mpsc::sync_channel(FEED_CHUNKS_AHEAD);
    let work = &work;
    std::thread::scope(|scope| {
        let pool_side = crate::parallel::spawn_beside(scope, "newsprep-feed", move || {
            crate::parallel::install(threads, || {
                let mut done: Vec<(usize, T)> = receiver
                    .into_iter()
                    .par_bridge()
                    .flat_map_iter(|chunk: Vec<(usize, String)>| {
                        chunk.into_iter().map(|(i, text)| (i, work(&text)))
                    })
                    .collect();
                done.sort_unstable_by_key(|&(i, _)| i);
                done.into_iter()
                    .map(|(_, result)| result)
                    .collect::<Vec<T>>()
            })
        })
        .map_err(to_py_err)?;
        let mut fed = Ok(());
        let mut chunk = first;
        loop {
            // The GIL is held only while converting: waiting for room in the channel lets
            // other Python threads run. A send fails only when the pool side has stopped
            // early: its error is below.
            let sent = match sender.try_send(chunk) {
                Ok(()) => Ok(()),
                Err(TrySendError::Full(chunk)) => py.detach(|| sender.send(chunk)).map_err(drop),
                Err(TrySendError::Disconnected(_)) => Err(()),
            };
            if sent.is_err() {
                break;
            }
            match feed_chunk(&mut items, &mut next_index, &never) {
                Ok((next, false)) => chunk = next,
                Ok((last, true)) => {
                    let _ = py.detach(|| sender.send(last));
                    break;
                }
                Err(e) => {
                    fed = Err(e);
                    break;
                }
            }
        }
        drop(sender);
        let results = py.detach(|| crate::parallel::join(pool_side));
        fed?;
        results.map_err(to_py_err)
    })
}

// ------------------------------------------------------------------------------- cleanup

/// A cleaned article: the body, the metadata found, and what was dropped and why.
#[pyclass(name = "Article", module = "newsprep", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct PyArticle {
    /// The article body, paragraphs separated by one blank line.
    text: String,
    title: Option<String>,
    /// ISO 8601 date, possibly partial ("2022-09").
    date: Option<String>,
    byline: Option<String>,
    /// (line, reason) pairs for what the cleaner removed, in input order. The reasons the
    /// cleaner gives are static strings: no allocation per dropped line.
    dropped: Vec<(String, Cow<'static, str>)>,
}

impl From<Article> for PyArticle {
    fn from(a: Article) -> Self {
        PyArticle {
            text: a.text,
            title: a.title,
            date: a.date,
            byline: a.byline,
            dropped: a
                .dropped
                .into_iter()
                .map(|d| (d.line, Cow::Borrowed(d.reason.as_str())))
                .collect(),
        }
    }
}

#[pymethods]
impl PyArticle {
    #[new]
    #[pyo3(signature = (text, title=None, date=None, byline=None, dropped=Vec::new()))]
    fn new(
        text: String,
        title: Option<String>,
        date: Option<String>,
        byline: Option<String>,
        dropped: Vec<(String, String)>,
    ) -> Self {
        PyArticle {
            text,
            title,
            date,
            byline,
            dropped: dropped
                .into_iter()
                .map(|(line, reason)| (line, Cow::Owned(reason)))
                .collect(),
        }
    }

    fn __repr__(&self) -> String {
        let preview: String = self.text.chars().take(60).collect();
        let more = if self.text.chars().nth(60).is_some() {
            "..."
        } else {
            ""
        };
        format!(
            "Article(title={:?}, date={:?}, byline={:?}, text={:?}{more}, dropped={} lines)",
            self.title,
            self.date,
            self.byline,
            preview,
            self.dropped.len()
        )
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Vec<(String, Cow<'static, str>)>,
        ),
    )> {
        let a = slf.get();
        Ok((
            slf.get_type().into_any(),
            (
                a.text.clone(),
                a.title.clone(),
                a.date.clone(),
                a.byline.clone(),
                a.dropped.clone(),
            ),
        ))
    }

    /// The article as a plain dict (text, title, date, byline, dropped).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("text", &self.text)?;
        d.set_item("title", &self.title)?;
        d.set_item("date", &self.date)?;
        d.set_item("byline", &self.byline)?;
        d.set_item("dropped", &self.dropped)?;
        Ok(d)
    }

    /// Notebook display (rendered by `newsprep.display`).
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        py.import("newsprep.display")?
            .call_method1("article_html", (slf,))?
            .extract()
    }
}

/// Cleans one scraped page: see `newsprep.clean`.
#[pyfunction]
fn clean(py: Python<'_>, text: &Bound<'_, PyString>) -> PyArticle {
    let text = text_of(text).into_owned();
    py.detach(|| core_clean::clean(&text)).into()
}

/// Cleans many pages in parallel (GIL released): see `newsprep.clean_many`.
#[pyfunction]
#[pyo3(signature = (texts, threads=None))]
fn clean_many(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<Vec<PyArticle>> {
    // Each Article is converted for Python on the pool too.
    map_texts(py, texts, threads, |text| {
        PyArticle::from(core_clean::clean(text))
    })
}

/// Removes icon-font label noise: see `newsprep.strip_icons`.
#[pyfunction]
fn strip_icons(text: &Bound<'_, PyString>) -> String {
    core_clean::strip_icons(&text_of(text))
}

// ------------------------------------------------------------------------------- tagging

/// One entity mention in a text: `text[start:end]` is the surface.
#[pyclass(name = "Mention", module = "newsprep", frozen, get_all, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyMention {
    start: usize,
    end: usize,
    text: String,
    entity_id: String,
    label: String,
    name: String,
    /// Every entity id the matched alias belongs to, the primary first.
    candidates: Vec<String>,
}

impl PyMention {
    fn from_core(gazetteer: &Gazetteer, text: &str, m: &Mention) -> Self {
        let entity = gazetteer.entity(m.entity);
        PyMention {
            start: m.start,
            end: m.end,
            text: text.get(m.byte_start..m.byte_end).unwrap_or("").to_string(),
            entity_id: entity.id.clone(),
            label: entity.label.clone(),
            name: entity.name.clone(),
            candidates: m
                .candidates
                .iter()
                .map(|&c| gazetteer.entity(c).id.clone())
                .collect(),
        }
    }
}

#[pymethods]
impl PyMention {
    #[new]
    #[pyo3(signature = (start, end, text, entity_id, label, name, candidates=Vec::new()))]
    fn new(
        start: usize,
        end: usize,
        text: String,
        entity_id: String,
        label: String,
        name: String,
        candidates: Vec<String>,
    ) -> Self {
        PyMention {
            start,
            end,
            text,
            entity_id,
            label,
            name,
            candidates,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Mention({}, {}, {:?}, entity_id={:?}, label={:?}, name={:?}{})",
            self.start,
            self.end,
            self.text,
            self.entity_id,
            self.label,
            self.name,
            if self.candidates.len() > 1 {
                format!(", candidates={:?}", self.candidates)
            } else {
                String::new()
            }
        )
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(
        Bound<'py, PyAny>,
        (usize, usize, String, String, String, String, Vec<String>),
    )> {
        let m = slf.get();
        Ok((
            slf.get_type().into_any(),
            (
                m.start,
                m.end,
                m.text.clone(),
                m.entity_id.clone(),
                m.label.clone(),
                m.name.clone(),
                m.candidates.clone(),
            ),
        ))
    }

    /// The mention as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        d.set_item("text", &self.text)?;
        d.set_item("entity_id", &self.entity_id)?;
        d.set_item("label", &self.label)?;
        d.set_item("name", &self.name)?;
        d.set_item("candidates", &self.candidates)?;
        Ok(d)
    }
}

/// The compiled gazetteer. Immutable and shared (`Arc`), so many Python threads may tag with
/// one at once; the Python class `newsprep.Gazetteer` wraps it.
#[pyclass(name = "Gazetteer", module = "newsprep._core", frozen)]
pub struct PyGazetteer {
    inner: Arc<Gazetteer>,
}

fn options(case_sensitive: bool, fold_diacritics: bool) -> GazetteerOptions {
    GazetteerOptions {
        case_sensitive,
        fold_diacritics,
    }
}

#[pymethods]
impl PyGazetteer {
    /// Builds from JSONL text, one record a line (blank lines skipped, so line numbers in
    /// errors are the text's own). `origin` names the source in error messages.
    #[staticmethod]
    #[pyo3(signature = (text, origin, case_sensitive=false, fold_diacritics=false))]
    fn from_jsonl_str(
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        origin: &str,
        case_sensitive: bool,
        fold_diacritics: bool,
    ) -> PyResult<Self> {
        let text = text_of(text).into_owned();
        let opts = options(case_sensitive, fold_diacritics);
        let inner = py
            .detach(|| Gazetteer::from_jsonl_str(&text, origin, opts))
            .map_err(to_py_err)?;
        Ok(PyGazetteer {
            inner: Arc::new(inner),
        })
    }

    /// Reads a JSONL gazetteer file.
    #[staticmethod]
    #[pyo3(signature = (path, case_sensitive=false, fold_diacritics=false))]
    fn from_jsonl(
        py: Python<'_>,
        path: std::path::PathBuf,
        case_sensitive: bool,
        fold_diacritics: bool,
    ) -> PyResult<Self> {
        let opts = options(case_sensitive, fold_diacritics);
        let inner = py
            .detach(|| {
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                let text = String::from_utf8(bytes).map_err(|e| Error::Gazetteer {
                    origin: path.display().to_string(),
                    line: 0,
                    field: None,
                    reason: format!("not UTF-8 text ({e})"),
                })?;
                Gazetteer::from_jsonl_str(&text, &path.display().to_string(), opts)
            })
            .map_err(to_py_err)?;
        Ok(PyGazetteer {
            inner: Arc::new(inner),
        })
    }

    /// The embedded default gazetteer (countries and cities of the world).
    #[staticmethod]
    fn default_world(py: Python<'_>) -> PyResult<Self> {
        let inner = py.detach(Gazetteer::default_world).map_err(to_py_err)?;
        Ok(PyGazetteer {
            inner: Arc::new(inner),
        })
    }

    /// The compact form that pickling sends (records and options; the automaton is rebuilt).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.inner.to_compact_bytes())
            .map_err(to_py_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Rebuilds a gazetteer from `to_bytes()`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let data = data.to_vec();
        let inner = py
            .detach(|| Gazetteer::from_compact_bytes(&data))
            .map_err(to_py_err)?;
        Ok(PyGazetteer {
            inner: Arc::new(inner),
        })
    }

    #[pyo3(signature = (text, overlapping=false))]
    fn tag(&self, text: &Bound<'_, PyString>, overlapping: bool) -> Vec<PyMention> {
        let text = text_of(text);
        let found = if overlapping {
            self.inner.tag_overlapping(&text)
        } else {
            self.inner.tag(&text)
        };
        found
            .iter()
            .map(|m| PyMention::from_core(&self.inner, &text, m))
            .collect()
    }

    #[pyo3(signature = (texts, threads=None, overlapping=false))]
    fn tag_many(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        threads: Option<usize>,
        overlapping: bool,
    ) -> PyResult<Vec<Vec<PyMention>>> {
        let gazetteer = &self.inner;
        map_texts(py, texts, threads, |text| {
            let found = if overlapping {
                gazetteer.tag_overlapping(text)
            } else {
                gazetteer.tag(text)
            };
            found
                .iter()
                .map(|m| PyMention::from_core(gazetteer, text, m))
                .collect()
        })
    }

    /// (id, label, name) of every entity, in record order.
    fn entities(&self) -> Vec<(String, String, String)> {
        self.inner
            .entities()
            .iter()
            .map(|e| (e.id.clone(), e.label.clone(), e.name.clone()))
            .collect()
    }

    #[getter]
    fn alias_count(&self) -> usize {
        self.inner.alias_count()
    }

    #[getter]
    fn case_sensitive(&self) -> bool {
        self.inner.options().case_sensitive
    }

    #[getter]
    fn fold_diacritics(&self) -> bool {
        self.inner.options().fold_diacritics
    }

    fn __len__(&self) -> usize {
        self.inner.entities().len()
    }
}

// ------------------------------------------------------------------------------- module

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    // Before the first batch allocates anything (see the function).
    crate::keep_freed_memory_for_next_batch();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NewsprepError", py.get_type::<NewsprepError>())?;
    m.add("GazetteerError", py.get_type::<GazetteerError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add_class::<PyArticle>()?;
    m.add_class::<PyMention>()?;
    m.add_class::<PyGazetteer>()?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(clean_many, m)?)?;
    m.add_function(wrap_pyfunction!(strip_icons, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    corpus_bindings::register(m)?;
    Ok(())
}

// ------------------------------------------------------------------------------- debug hook

/// Hidden test hook (tests/test_hostile.py): panics with `message`, on the calling thread or,
/// with `in_worker`, inside a rayon worker of a 2-thread pool with the GIL released, to prove
/// that a Rust panic reaches Python as `pyo3_runtime.PanicException`, never an abort.
#[pyfunction]
#[pyo3(signature = (message, in_worker=false))]
fn _debug_panic(py: Python<'_>, message: String, in_worker: bool) -> PyResult<()> {
    use rayon::prelude::*;
    if !in_worker {
        panic!("{message}");
    }
    py.detach(|| {
        crate::parallel::install(Some(2), || {
            (0..64u32).into_par_iter().for_each(|i| {
                if i == 63 {
                    panic!("{message}");
                }
            })
        })
    })
    .map_err(to_py_err)
}

// =============================================================================== corpus
// The corpus pipeline (`newsprep.process`): a streaming run whose batches come to Python as
// pyarrow RecordBatches, and the atomic part writer. The Python side is
// python/newsprep/corpus.py; the core is crate::corpus.

mod corpus_bindings {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    use pyo3::prelude::*;
    use pyo3::types::PyDict;
    use pyo3_arrow::{PyRecordBatch, PyRecordBatchReader, PySchema};

    use super::{feed_chunk, to_py_err, PyGazetteer};
    use crate::corpus::{self, Format, Options, Progress, Run, Source, Summary, Writer};
    use crate::error::Error;

    /// The texts of a Python iterable (a list or a generator), converted a chunk at a time as
    /// the run reads them, so that only the batches in flight are held in Rust. The GIL is
    /// taken once a chunk, by the thread that reads ahead while the pool works. An exception
    /// from the iterable, or an item that is not a str, stops the run: it is kept in
    /// `raised` and re-raised as it is. Once the run is cancelled, no more items are read
    /// (the run's flag is checked between items).
    struct PyTexts {
        items: Py<pyo3::types::PyIterator>,
        chunk: std::vec::IntoIter<(usize, String)>,
        next_index: usize,
        exhausted: bool,
        raised: Arc<Mutex<Option<PyErr>>>,
        cancel: Arc<AtomicBool>,
    }

    impl Iterator for PyTexts {
        type Item = crate::error::Result<String>;

        fn next(&mut self) -> Option<Self::Item> {
            if self.cancel.load(Ordering::Relaxed) {
                self.exhausted = true;
                return Some(Err(Error::Cancelled));
            }
            if let Some((_, text)) = self.chunk.next() {
                return Some(Ok(text));
            }
            if self.exhausted {
                return None;
            }
            let read = Python::attach(|py| {
                let mut items = self.items.bind(py).clone();
                feed_chunk(&mut items, &mut self.next_index, &self.cancel)
            });
            match read {
                Ok((chunk, exhausted)) => {
                    self.exhausted = exhausted;
                    self.chunk = chunk.into_iter();
                    self.chunk.next().map(|(_, text)| Ok(text))
                }
                Err(e) => {
                    self.exhausted = true;
                    let message = format!("the source raised {e}");
                    *self.raised.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    Some(Err(Error::Input(message)))
                }
            }
        }
    }

    /// One streaming corpus run (see `newsprep.process`). `next_batch` processes the next
    /// batch with the GIL released; `cancel` (from any thread) stops it between documents.
    #[pyclass(name = "CorpusRun", module = "newsprep._core", frozen)]
    pub struct PyCorpusRun {
        run: Mutex<Option<Run>>,
        cancel: Arc<AtomicBool>,
        progress: Arc<Progress>,
        summary: Mutex<Summary>,
        /// The exception a Python source raised, re-raised in place of the run's error.
        source_raised: Arc<Mutex<Option<PyErr>>>,
    }

    #[allow(clippy::too_many_arguments)]
    fn source_of(
        kind: &str,
        paths: Option<Vec<PathBuf>>,
        ids: Option<Vec<String>>,
        texts: Option<&Bound<'_, PyAny>>,
        path: Option<PathBuf>,
        stream: Option<PyRecordBatchReader>,
        name: String,
        text_column: String,
        id_column: Option<String>,
        raised: &Arc<Mutex<Option<PyErr>>>,
        cancel: &Arc<AtomicBool>,
    ) -> PyResult<Source> {
        let missing =
            |what: &str| to_py_err(Error::Input(format!("a {kind:?} source needs `{what}`")));
        Ok(match kind {
            "files" => Source::Files {
                paths: paths.ok_or_else(|| missing("paths"))?,
                ids,
            },
            "texts" if ids.is_some() => {
                return Err(to_py_err(Error::Input(
                    "a \"texts\" source numbers its documents: it takes no `ids`".into(),
                )))
            }
            "texts" => Source::Stream {
                texts: Box::new(PyTexts {
                    items: texts.ok_or_else(|| missing("texts"))?.try_iter()?.unbind(),
                    chunk: Vec::new().into_iter(),
                    next_index: 0,
                    exhausted: false,
                    raised: Arc::clone(raised),
                    cancel: Arc::clone(cancel),
                }),
                name,
            },
            "jsonl" => Source::Jsonl {
                path: path.ok_or_else(|| missing("path"))?,
                text_column,
                id_column,
            },
            "parquet" => Source::Parquet {
                path: path.ok_or_else(|| missing("path"))?,
                text_column,
                id_column,
            },
            "arrow" => Source::Arrow {
                reader: stream.ok_or_else(|| missing("stream"))?.into_reader()?,
                name,
                text_column,
                id_column,
            },
            other => {
                return Err(to_py_err(Error::Input(format!(
                    "unknown source kind {other:?}: use files, texts, jsonl, parquet or arrow"
                ))))
            }
        })
    }

    fn summary_dict<'py>(py: Python<'py>, s: &Summary) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("batches", s.batches)?;
        d.set_item("documents", s.documents)?;
        d.set_item("mentions", s.mentions)?;
        d.set_item("errors", s.errors)?;
        d.set_item("bytes", s.bytes)?;
        Ok(d)
    }

    #[pymethods]
    impl PyCorpusRun {
        #[new]
        #[pyo3(signature = (
            kind, *, paths=None, ids=None, texts=None, path=None, stream=None,
            name="", text_column="text", id_column=None,
            gazetteer=None, clean=true, threads=None, batch_size=2000,
            batch_bytes=16777216, out=None, format="parquet", compression=None, overwrite=false,
        ))]
        #[allow(clippy::too_many_arguments)]
        fn new(
            py: Python<'_>,
            kind: &str,
            paths: Option<Vec<PathBuf>>,
            ids: Option<Vec<String>>,
            texts: Option<&Bound<'_, PyAny>>,
            path: Option<PathBuf>,
            stream: Option<PyRecordBatchReader>,
            name: &str,
            text_column: &str,
            id_column: Option<String>,
            gazetteer: Option<PyRef<'_, PyGazetteer>>,
            clean: bool,
            threads: Option<usize>,
            batch_size: usize,
            batch_bytes: usize,
            out: Option<PathBuf>,
            format: &str,
            compression: Option<&str>,
            overwrite: bool,
        ) -> PyResult<Self> {
            let source_raised = Arc::new(Mutex::new(None));
            let cancel = Arc::new(AtomicBool::new(false));
            let source = source_of(
                kind,
                paths,
                ids,
                texts,
                path,
                stream,
                name.to_string(),
                text_column.to_string(),
                id_column,
                &source_raised,
                &cancel,
            )?;
            let format = Format::new(format, compression).map_err(to_py_err)?;
            let gazetteer = gazetteer.map(|g| Arc::clone(&g.inner));
            let options = Options {
                clean,
                batch_size,
                batch_bytes,
                threads,
            };
            let run = py
                .detach(move || {
                    let run = Run::new(source, gazetteer, options)?.with_cancel_flag(cancel);
                    match out {
                        Some(dir) => run.with_output(dir, format, overwrite),
                        None => Ok(run),
                    }
                })
                .map_err(to_py_err)?;
            Ok(PyCorpusRun {
                cancel: run.cancel_flag(),
                progress: run.progress(),
                run: Mutex::new(Some(run)),
                summary: Mutex::new(Summary::default()),
                source_raised,
            })
        }

        /// The next (documents, mentions) pair of pyarrow RecordBatches, or None at the end.
        /// Raises KeyboardInterrupt when the run was cancelled.
        fn next_batch<'py>(
            &self,
            py: Python<'py>,
        ) -> PyResult<Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
            let result = py.detach(|| {
                let mut guard = self.run.lock().unwrap_or_else(|p| p.into_inner());
                let Some(run) = guard.as_mut() else {
                    return Ok(None);
                };
                let result = run.next_batch();
                if let Ok(mut s) = self.summary.lock() {
                    *s = run.summary();
                }
                if !matches!(result, Ok(Some(_))) {
                    // Finished, failed or cancelled: free the source (closes files).
                    *guard = None;
                }
                result
            });
            let result = result.map_err(|e| {
                let raised = self.source_raised.lock().map(|mut r| r.take());
                match raised {
                    Ok(Some(raised)) => raised,
                    _ => to_py_err(e),
                }
            });
            match result? {
                None => Ok(None),
                Some(batch) => Ok(Some((
                    PyRecordBatch::new(batch.documents).into_pyarrow(py)?,
                    PyRecordBatch::new(batch.mentions).into_pyarrow(py)?,
                ))),
            }
        }

        /// Stops the run: the batch in progress ends after the documents being processed.
        fn cancel(&self) {
            self.cancel.store(true, Ordering::Relaxed);
        }

        /// (documents, bytes) processed so far, also while a batch runs.
        fn progress(&self) -> (u64, u64) {
            (self.progress.docs(), self.progress.bytes())
        }

        /// batches, documents, mentions, errors, bytes of the finished batches.
        fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
            let s = *self.summary.lock().unwrap_or_else(|p| p.into_inner());
            summary_dict(py, &s)
        }
    }

    /// Writes (documents, mentions) pairs of record batches as numbered parts in `dir`, the
    /// same layout and atomic writes as a run with an output directory.
    #[pyfunction]
    #[pyo3(signature = (dir, pairs, format="parquet", compression=None, overwrite=false))]
    fn write_parts(
        py: Python<'_>,
        dir: PathBuf,
        pairs: Vec<(PyRecordBatch, PyRecordBatch)>,
        format: &str,
        compression: Option<&str>,
        overwrite: bool,
    ) -> PyResult<()> {
        let format = Format::new(format, compression).map_err(to_py_err)?;
        let pairs: Vec<_> = pairs
            .into_iter()
            .map(|(d, m)| (d.into_inner(), m.into_inner()))
            .collect();
        py.detach(move || {
            let mut writer = Writer::create(dir, format, overwrite)?;
            let (mut docs, mut mentions, mut errors) = (0u64, 0u64, 0u64);
            for (d, m) in &pairs {
                writer.write(d, m)?;
                docs += d.num_rows() as u64;
                mentions += m.num_rows() as u64;
                errors += d
                    .column_by_name("error")
                    .map(|c| (c.len() - c.null_count()) as u64)
                    .unwrap_or(0);
            }
            writer.finish(docs, mentions, errors)
        })
        .map_err(to_py_err)
    }

    /// The pyarrow schemas of the documents and mentions tables.
    #[pyfunction]
    fn corpus_schemas(py: Python<'_>) -> PyResult<(Bound<'_, PyAny>, Bound<'_, PyAny>)> {
        Ok((
            PySchema::new(corpus::documents_schema()).into_pyarrow(py)?,
            PySchema::new(corpus::mentions_schema()).into_pyarrow(py)?,
        ))
    }

    pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add_class::<PyCorpusRun>()?;
        m.add_function(wrap_pyfunction!(write_parts, m)?)?;
        m.add_function(wrap_pyfunction!(corpus_schemas, m)?)?;
        Ok(())
    }
}
