//! # newsprep
//!
//! Clean the text that scrapers keep of news articles and tag the people, places and
//! organisations of a gazetteer in it, fast.
//!
//! ## Overview
//!
//! * [`clean`] turns one scraped page (plain text) into an [`Article`]: the body with the
//!   boilerplate gone (menus, share widgets, icon text, captions, promos), glued paragraphs
//!   split, and the title, date and byline pulled out. [`clean_many`] does a batch in
//!   parallel.
//! * [`Gazetteer`] holds entities with all their spellings and finds them in text with
//!   word boundaries, Unicode case folding and offsets in Unicode scalar values (what Python
//!   `str` indices count).
//! * [`corpus::Run`] processes whole corpora (text files, JSONL, Parquet, Arrow, texts in
//!   memory) batch by batch into Arrow record batches and atomically written Parquet/JSONL
//!   parts, with error rows, progress and cancellation.
//!
//! The crate knows nothing of Python: the bindings live in `src/python.rs`, behind the
//! `python` feature that maturin turns on.
//!
//! ## Crate features
//!
//! * `python`: build the `newsprep._core` extension module (pyo3, abi3).

pub mod clean;
pub mod corpus;
pub mod error;
mod hash;
pub mod parallel;
pub mod tag;
#[cfg(test)]
mod testing;

#[cfg(feature = "python")]
mod python;

pub use clean::{clean, clean_many, strip_icons, Article, DropReason, Dropped};
pub use error::Error;
pub use tag::{Gazetteer, Mention};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
