//! The one error type of the core. The bindings map each variant to a Python exception class.

use std::path::PathBuf;

/// Everything that can go wrong in newsprep's core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A gazetteer record or file is malformed: `origin` names the file (or "records"),
    /// `line` is 1-based (the record's index for in-memory records), `field` the bad field.
    #[error("{origin} line {line}{}: {reason}", field.as_ref().map(|f| format!(", field {f:?}")).unwrap_or_default())]
    Gazetteer {
        origin: String,
        line: usize,
        field: Option<String>,
        reason: String,
    },
    /// Input the caller passed is unusable (a bad option value, an unknown format...).
    #[error("{0}")]
    Input(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Arrow or Parquet data could not be read or written: `context` says which file or
    /// column, `reason` what the Arrow/Parquet library reported.
    #[error("{context}: {reason}")]
    Arrow { context: String, reason: String },
    /// A corpus run was stopped through its cancellation flag (Ctrl-C in Python).
    #[error("the run was cancelled")]
    Cancelled,
    /// Threads could not be started: the rayon pool for an explicit thread count, or the
    /// thread a corpus batch runs on.
    #[error("could not start {threads} thread(s): {reason}")]
    ThreadPool { threads: usize, reason: String },
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl Error {
    /// An Arrow/Parquet error with what was being read or written.
    pub fn arrow(context: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::Arrow {
            context: context.into(),
            reason: reason.to_string(),
        }
    }
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
