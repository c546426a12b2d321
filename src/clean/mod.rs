//! Boilerplate cleanup: one scraped page of plain text in, an [`Article`] out.
//!
//! SKELETON: the API is fixed here; the implementation is being built.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::parallel;

/// Why a line (or a piece of one) was removed. A small, fixed vocabulary so an analyst can
/// audit and count what the cleaner dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DropReason {
    /// Icon-font labels ("icon bookmarkicon cameraicon ...").
    Icons,
    /// Menus, breadcrumbs, share and login widgets, footers.
    Navigation,
    /// Photo captions and credits ("© Sputnik / ...").
    Caption,
    /// Teasers, "READ MORE", newsletter pitches, related-article lists, ads.
    Promo,
    /// Title, date, byline and scraper headers, moved to the article's fields.
    Metadata,
    /// Comment counters, cookie banners and other short page furniture.
    Boilerplate,
}

impl DropReason {
    /// The reason as the lowercase word used in Python and in output files.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::Icons => "icons",
            DropReason::Navigation => "navigation",
            DropReason::Caption => "caption",
            DropReason::Promo => "promo",
            DropReason::Metadata => "metadata",
            DropReason::Boilerplate => "boilerplate",
        }
    }
}

/// One removed line (or part of a line) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub line: String,
    pub reason: DropReason,
}

/// A cleaned article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Article {
    /// The body only, paragraphs separated by one blank line.
    pub text: String,
    pub title: Option<String>,
    /// ISO 8601, partial allowed ("2022-09").
    pub date: Option<String>,
    pub byline: Option<String>,
    /// What was removed, in input order.
    pub dropped: Vec<Dropped>,
}

/// Cleans one scraped page.
pub fn clean(text: &str) -> Article {
    let paragraphs: Vec<&str> = text
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    Article {
        text: paragraphs.join("\n\n"),
        ..Article::default()
    }
}

/// Cleans many pages in parallel; the output is in input order.
pub fn clean_many<S: AsRef<str> + Sync>(
    texts: &[S],
    threads: Option<usize>,
) -> Result<Vec<Article>> {
    parallel::install(threads, || {
        texts.par_iter().map(|t| clean(t.as_ref())).collect()
    })
}

/// Removes icon-font label noise ("icon bookmarkicon cameraicon ...") from text, also when
/// it shares a line with real text.
pub fn strip_icons(text: &str) -> String {
    text.to_string()
}
