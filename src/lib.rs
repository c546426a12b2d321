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

/// mimalloc's `mi_option_purge_delay` (the same index in its v2 and v3 headers), which
/// libmimalloc-sys does not name.
#[cfg(feature = "mimalloc")]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long (ms) freed memory stays with mimalloc before it goes back to the OS.
///
/// With mimalloc's default, a corpus run gave back each batch's buffers and faulted them in
/// again for the next one, the kernel zeroing every page anew: 54k page faults over 50k
/// documents instead of 6.8k, and 11% more CPU time. Ten seconds covers the gap between
/// batches and between quick successive calls; memory still goes back once work pauses.
#[cfg(feature = "mimalloc")]
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Sets mimalloc's purge delay to [`PURGE_DELAY_MS`], unless the user chose one
/// (`MIMALLOC_PURGE_DELAY`, or its old name `MIMALLOC_RESET_DELAY`). Call it early: the
/// Python module does at import. Set once the first batches have run, the same delay was
/// measured to change nothing (mimalloc has scheduled its purges by then).
pub fn keep_freed_memory_for_next_batch() {
    #[cfg(feature = "mimalloc")]
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
        && std::env::var_os("MIMALLOC_RESET_DELAY").is_none()
    {
        // SAFETY: mi_option_set stores an integer in mimalloc's option table (any value of
        // this option is valid) and may be called at any time from any thread.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

#[cfg(all(test, feature = "mimalloc"))]
mod tests {
    use super::*;

    #[test]
    fn freed_memory_is_kept_for_ten_seconds() {
        keep_freed_memory_for_next_batch();
        // SAFETY: mi_option_get only reads mimalloc's option table.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
            && std::env::var_os("MIMALLOC_RESET_DELAY").is_none()
        {
            assert_eq!(delay, PURGE_DELAY_MS);
        }
    }
}
