//! Boilerplate cleanup: one scraped page of plain text in, an [`Article`] out.
//!
//! The pipeline, per page:
//!
//! 1. **Lines.** Split at newlines, normalise whitespace (NBSP, NUL, zero-width...), strip
//!    icon-font runs ([`strip_icons`]), take off a scraper's `date 2022-09-10` header.
//! 2. **Repair.** Split glued paragraphs at "week.The" ([`text::glue_points`]); merge lines a
//!    scraper cut at links ("Rafael Nadal" / "kept Spain's hopes", [`text::continues`]).
//! 3. **Rules.** Unambiguous furniture is dropped by rule: comment counters, "READ MORE:"
//!    teasers, newsletter pitches, © captions, cookie banners; the page title is found.
//! 4. **Classifier.** Every other line gets ~56 language-agnostic features (its shape, its
//!    neighbours', where it sits relative to the densest run of sentence-like lines) and a
//!    small gradient-boosted tree ensemble ([`model`]) decides body or not.
//! 5. **Metadata.** Date, byline and title lines around the body go to the article's fields;
//!    a dateline glued to the first paragraph ("MoscowRussian troops") is split off.
//!
//! The whole thing runs to a fixpoint on its own output, so `clean` is idempotent.

mod date;
mod features;
mod icons;
mod model;
mod text;
mod title;

use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::parallel;

pub use date::find_date;
pub use model::{shipped as shipped_model, Model};

use features::{Stats, UnitCtx, N_FEAT};
use text::flag;
use title::{lower_words, TitleWords};

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
    clean_with(text, model::shipped())
}

/// How many times `clean` may re-run on its own output before giving up on a page.
const MAX_REPASSES: usize = 12;

#[cfg(test)]
static GIVE_UPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Cleans one page with an explicit model (`None`: the rule-only fallback). For training
/// and cross-validation harnesses; [`clean`] uses the shipped model.
#[doc(hidden)]
pub fn clean_with(text: &str, model: Option<&Model>) -> Article {
    let first = run_pass(text, model, None);
    let mut art = Article {
        text: String::new(),
        title: first.title,
        date: first.date,
        byline: first.byline,
        dropped: Vec::new(),
    };
    let mut drops: Vec<(usize, Dropped)> = first.dropped;
    let mut paras: Vec<Para<'_>> = first.paras;
    // Run again on our own output until nothing changes (on real pages at once: the model
    // was trained on clean pages too): this makes `clean` idempotent even where
    // context-dependent decisions shift on a shorter page. Each extra pass only removes
    // lines; a page still shrinking after MAX_REPASSES (a cascade, seen only on synthetic
    // junk and huge concatenations) keeps the last pass's text. The kept lines' statistics
    // are handed on, so a re-pass costs little more than the classifier.
    let mut converged = None;
    for _ in 0..MAX_REPASSES {
        let (joined, starts) = join_paras(&paras);
        let again = run_pass(&joined, model, Some((&starts, &paras)));
        // A paragraph borrowing the bytes where `joined` holds the old one's text is that
        // text, with no comparison.
        let unchanged = |(a, (b, &at)): (&Para, (&Para, &usize))| {
            borrows_at(&a.text, &joined, at, b.text.len()) || a.text == b.text
        };
        if again.paras.len() == paras.len()
            && again
                .paras
                .iter()
                .zip(paras.iter().zip(&starts))
                .all(unchanged)
        {
            // The input of this pass is the article's text.
            drop(again);
            converged = Some(joined);
            break;
        }
        let map = |off: usize| -> usize {
            let k = starts.partition_point(|&s| s <= off).saturating_sub(1);
            paras.get(k).map_or(0, |p| p.origin)
        };
        drops.extend(again.dropped.into_iter().map(|(o, d)| (map(o), d)));
        // This pass's text dies with the loop: its paragraphs take their own copies.
        paras = again
            .paras
            .into_iter()
            .map(|p| Para {
                text: Cow::Owned(p.text.into_owned()),
                origin: map(p.origin),
                stats: p.stats,
                line: p.line,
            })
            .collect();
    }
    if converged.is_none() {
        // Still shrinking after MAX_REPASSES: keep what the last pass kept. Emptying the
        // page would be stable, but it would silently lose a whole article (seen on a
        // 100 MB page of concatenated articles); a page that changes once more on a
        // further clean is the lesser harm.
        #[cfg(test)]
        GIVE_UPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    art.text = converged.unwrap_or_else(|| join_paras(&paras).0);
    drops.sort_by_key(|(o, _)| *o);
    art.dropped = drops.into_iter().map(|(_, d)| d).collect();
    art
}

/// A kept paragraph: its text, the offset of its source line, and the statistics of its
/// text when a pass computed them (a re-pass reuses them).
struct Para<'a> {
    text: Cow<'a, str>,
    origin: usize,
    stats: Option<Stats>,
    /// What segmentation knew of the paragraph when it was a whole line of its pass.
    line: Option<WholeLine>,
}

/// A unit that is a whole line of its pass as segmentation left it: not a piece of a glued
/// line, nothing merged into it. A re-pass neither scans it for its flags again nor looks
/// for glue points in it (there were none, or it would be a piece).
#[derive(Debug, Clone, Copy)]
struct WholeLine {
    /// Its [`text::line_flags`].
    flags: u8,
    /// Borrowed from the pass input as it was: the line was normalised already and held no
    /// icon runs, so the re-pass does not look for either.
    untouched: bool,
}

/// Whether `text` is the very `len` bytes of `input` at offset `at` (then it equals them,
/// with no comparison; a text of its own never lies inside `input`).
fn borrows_at(text: &str, input: &str, at: usize, len: usize) -> bool {
    text.len() == len && std::ptr::eq(text.as_ptr(), input.as_ptr().wrapping_add(at))
}

fn join_paras(paras: &[Para<'_>]) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(paras.iter().map(|p| p.text.len() + 2).sum());
    let mut starts = Vec::with_capacity(paras.len());
    for (i, Para { text: t, .. }) in paras.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        starts.push(out.len());
        out.push_str(t);
    }
    (out, starts)
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
    icons::strip_icons(text)
}

// ---------------------------------------------------------------------------------------
// One pass.

/// A line (or a piece of a glued line, or several cut lines merged) being classified.
#[derive(Debug, Clone)]
struct Unit<'a> {
    /// Borrowed from the pass input unless repair changed it.
    text: Cow<'a, str>,
    /// Byte offset of its (first) source line in the pass input.
    origin: usize,
    block: u32,
    gap_before: bool,
    gap_after: bool,
    glued: bool,
    merged: u32,
    /// A rule's decision, taken before the classifier.
    forced: Option<DropReason>,
    /// The [`text::line_flags`] of the (repaired) line the unit comes from: its own when it
    /// is neither glued nor merged.
    flags: u8,
}

impl Unit<'_> {
    /// The unit's [`Para::line`] when it is kept.
    fn whole_line(&self) -> Option<WholeLine> {
        (!self.glued && self.merged == 0).then_some(WholeLine {
            flags: self.flags,
            untouched: matches!(self.text, Cow::Borrowed(_)),
        })
    }
}

struct Segmented<'a> {
    units: Vec<Unit<'a>>,
    pre_drops: Vec<(usize, Dropped)>,
    header_date: Option<String>,
}

/// "date 2022-09-10 ..." at the start of a page: a scraper's header. Returns the header,
/// its date and the rest of the line.
fn scraper_header(line: &str) -> Option<(&str, String, &str)> {
    let rest = line.strip_prefix("date ")?;
    let end = rest.find(' ').unwrap_or(rest.len());
    let value = rest.get(..end)?;
    let ok = value.len() >= 4
        && value.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && value.bytes().take(4).all(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    let d = date::find_date(value).or_else(|| {
        let y = value.get(..4)?;
        (value.len() == 4).then(|| y.to_string())
    })?;
    let cut = 5 + end;
    Some((
        line.get(..cut)?,
        d,
        line.get(cut..).unwrap_or("").trim_start(),
    ))
}

/// [`segment_known`] of a page with no known paragraphs (for tests and profiling).
#[cfg(test)]
fn segment(input: &str) -> Segmented<'_> {
    segment_known(input, None)
}

/// Splits a pass's input into units: lines, pieces of glued lines, cut lines merged. In a
/// re-pass, the lines that are whole `known` paragraphs take their flags from them.
fn segment_known<'a>(input: &'a str, known: Option<Known<'_>>) -> Segmented<'a> {
    let Some((starts, paras)) = known else {
        // A first pass: compiled without the look-ups.
        return segment_with(input, |_, _| None);
    };
    // Every known paragraph starts a line (the input is joined from them): they are met in
    // order.
    let mut known_paras = starts.iter().zip(paras).peekable();
    segment_with(input, move |origin, len| {
        let &(&start, p) = known_paras.peek()?;
        if start != origin {
            return None;
        }
        known_paras.next();
        // The line is the paragraph when it is as long.
        p.line.filter(|_| p.text.len() == len)
    })
}

/// [`segment_known`], asking `known_line(origin, len)` what is known of each line.
fn segment_with<'a>(
    input: &'a str,
    mut known_line: impl FnMut(usize, usize) -> Option<WholeLine>,
) -> Segmented<'a> {
    // At most a unit per line but for glued lines: sized once rather than grown (and
    // copied) a doubling at a time.
    let lines = count_newlines(input.as_bytes()) + 1;
    let mut units: Vec<Unit<'_>> = Vec::with_capacity(lines);
    let mut pre_drops = Vec::new();
    let mut header_date = None;
    let mut gap = true;
    let mut block = 0u32;
    let mut first_line = true;
    // Whether the last unit's text holds " | ".
    let mut last_menu = false;
    // Byte offset of the next line in `input`.
    let mut from = 0;
    while from <= input.len() {
        let end = line_end(input.as_bytes(), from);
        let origin = from;
        let raw = input.get(from..end).unwrap_or("");
        from = end + 1;
        // One pass over the bytes tells which of the closer looks below a line needs; it is
        // taken again only when a step changes the text.
        let known = known_line(origin, raw.len());
        let untouched = known.is_some_and(|k| k.untouched);
        let raw_flags = known.map_or_else(|| text::line_flags(raw.as_bytes()), |k| k.flags);
        let norm = if untouched {
            Cow::Borrowed(raw)
        } else {
            text::normalize_ws_flagged(raw, raw_flags)
        };
        if norm.is_empty() {
            gap = true;
            continue;
        }
        let mut flags = match norm {
            Cow::Borrowed(_) => raw_flags,
            Cow::Owned(ref n) => text::line_flags(n.as_bytes()),
        };
        let (mut line, removed) = if flags & flag::ICON != 0 && !untouched {
            let (kept, removed) = icons::strip_line(&norm);
            if removed.is_empty() {
                // No icon runs: `kept` is a copy of the line.
                (norm, removed)
            } else {
                flags = text::line_flags(kept.as_bytes());
                (Cow::Owned(kept), removed)
            }
        } else {
            (norm, Vec::new())
        };
        for r in removed {
            pre_drops.push((
                origin,
                Dropped {
                    line: r,
                    reason: DropReason::Icons,
                },
            ));
        }
        if first_line {
            first_line = false;
            if let Some((hdr, d, rest)) = scraper_header(&line) {
                header_date = Some(d);
                pre_drops.push((
                    origin,
                    Dropped {
                        line: hdr.to_string(),
                        reason: DropReason::Metadata,
                    },
                ));
                line = Cow::Owned(rest.to_string());
                flags = text::line_flags(line.as_bytes());
            }
        }
        if line.is_empty() {
            continue;
        }
        if gap {
            block += 1;
            if let Some(prev) = units.last_mut() {
                prev.gap_after = true;
            }
        }
        // Most lines are one piece: no list of pieces for them.
        let mut piece = Piece {
            units: &mut units,
            last_menu: &mut last_menu,
            origin,
            block,
            gap,
            flags,
        };
        match line {
            _ if flags & flag::GLUE == 0 => piece.add(line, 0, false),
            // Still the known paragraph (borrowed: nothing changed it): it has no glue
            // points.
            Cow::Borrowed(_) if known.is_some() => piece.add(line, 0, false),
            Cow::Borrowed(l) => {
                let parts = text::split_glued(l);
                let glued = parts.len() > 1;
                for (k, p) in parts.into_iter().enumerate() {
                    piece.add(Cow::Borrowed(p), k, glued);
                }
            }
            Cow::Owned(ref l) => {
                let parts = text::split_glued(l);
                let glued = parts.len() > 1;
                for (k, p) in parts.into_iter().enumerate() {
                    piece.add(Cow::Owned(p.to_string()), k, glued);
                }
            }
        }
        gap = false;
    }
    if let Some(last) = units.last_mut() {
        last.gap_after = true;
    }
    Segmented {
        units,
        pre_drops,
        header_date,
    }
}

/// Where the line of `b` starting at `from` ends: at the next b'\n', or at the end of `b`.
/// On x86-64, memchr's SSE2 search is called directly: the dispatching `memchr` (an indirect
/// call, then a length check before an AVX2 search) costs more than it saves on lines of a
/// few dozen bytes.
#[inline]
fn line_end(b: &[u8], from: usize) -> usize {
    let rest = b.get(from..).unwrap_or(&[]);
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let at = memchr::arch::x86_64::sse2::memchr::One::new(b'\n')
        .map_or_else(|| memchr::memchr(b'\n', rest), |newline| newline.find(rest));
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let at = memchr::memchr(b'\n', rest);
    at.map_or(b.len(), |p| from + p)
}

/// How many b'\n' bytes `b` holds: 64 bytes at a time, counted in a byte per lane (a loop
/// the compiler turns into vector code).
fn count_newlines(b: &[u8]) -> usize {
    let mut chunks = b.chunks_exact(64);
    let mut n = 0;
    for c in &mut chunks {
        n += usize::from(c.iter().fold(0u8, |k, &x| k + u8::from(x == b'\n')));
    }
    n + chunks.remainder().iter().filter(|&&x| x == b'\n').count()
}

/// Where the pieces of one line go: [`segment`]'s units, and what they need to know of the
/// line.
struct Piece<'u, 'a> {
    units: &'u mut Vec<Unit<'a>>,
    /// Whether the last unit's text holds " | ".
    last_menu: &'u mut bool,
    origin: usize,
    block: u32,
    gap: bool,
    flags: u8,
}

impl<'a> Piece<'_, 'a> {
    /// Adds piece `k` of the line as a unit, or merges it into the unit before.
    fn add(&mut self, p: Cow<'a, str>, k: usize, glued: bool) {
        let menu = self.flags & flag::MENU != 0 && (!glued || text::has_menu_sep(p.as_bytes()));
        // Merge a line a scraper cut at a link into the line before (same block only).
        if k == 0 && !self.gap {
            if let Some(prev) = self.units.last_mut() {
                // A byline ("By Jane Doe") does not run on into the date under it.
                if prev.block == self.block
                    && text::continues_menu_known(&prev.text, *self.last_menu, &p, menu)
                    && byline_name(&prev.text).is_none()
                {
                    let join = prev.text.len();
                    let space = !matches!(
                        prev.text.chars().next_back(),
                        Some('(' | '[' | '“' | '‘' | '/')
                    ) && !matches!(
                        p.chars().next(),
                        Some(',' | '.' | ';' | ')' | '!' | '?' | '%' | ']' | ':')
                    );
                    // One allocation for the joined text, not one per push.
                    let extra = usize::from(space) + p.len();
                    let mut t = match std::mem::take(&mut prev.text) {
                        Cow::Owned(mut t) => {
                            t.reserve(extra);
                            t
                        }
                        Cow::Borrowed(b) => {
                            let mut t = String::with_capacity(b.len() + extra);
                            t.push_str(b);
                            t
                        }
                    };
                    if space {
                        t.push(' ');
                    }
                    t.push_str(&p);
                    prev.text = Cow::Owned(t);
                    prev.merged += 1;
                    // Neither part held " | " (or they would not merge): only the join can.
                    let b = prev.text.as_bytes();
                    let window = b.get(join.saturating_sub(2)..(join + 3).min(b.len()));
                    *self.last_menu = window.is_some_and(text::has_menu_sep);
                    return;
                }
            }
        }
        self.units.push(Unit {
            text: p,
            origin: self.origin,
            block: self.block,
            gap_before: self.gap && k == 0,
            gap_after: false,
            glued,
            merged: 0,
            forced: None,
            flags: self.flags,
        });
        *self.last_menu = menu;
    }
}

/// Lowercase prefixes (at most 32), with filters on the first two bytes of a line.
struct Prefixes {
    all: &'static [&'static str],
    /// Per ASCII byte: bit `k` set when prefix `k` starts with it.
    by_first: [u32; 128],
    /// Per ASCII byte: bit `k` set when prefix `k`'s second byte is it, or when prefix `k`
    /// is not all ASCII (lowercasing may then turn a line's second character into it).
    by_second: [u32; 128],
    /// Bit `k` set when prefix `k` is all ASCII (compared byte by byte).
    ascii: u32,
    /// Bit `k` set when prefix `k` is not all ASCII.
    non_ascii: u32,
}

impl Prefixes {
    const fn new(all: &'static [&'static str]) -> Self {
        assert!(all.len() <= 32);
        let mut by_first = [0u32; 128];
        let mut by_second = [0u32; 128];
        let mut ascii = 0u32;
        let mut non_ascii = 0u32;
        let mut k = 0;
        while k < all.len() {
            let b = all[k].as_bytes();
            assert!(b.len() >= 2);
            if b[0].is_ascii() {
                by_first[b[0] as usize] |= 1 << k;
            }
            if all[k].is_ascii() {
                ascii |= 1 << k;
                by_second[b[1] as usize] |= 1 << k;
            } else {
                non_ascii |= 1 << k;
                let mut c = 0;
                while c < 128 {
                    by_second[c] |= 1 << k;
                    c += 1;
                }
            }
            k += 1;
        }
        Prefixes {
            all,
            by_first,
            by_second,
            ascii,
            non_ascii,
        }
    }
}

/// Case-insensitive "starts with one of the prefixes".
fn starts_with_any(s: &str, prefixes: &Prefixes) -> bool {
    let bytes = s.as_bytes();
    match bytes.first() {
        None => false,
        Some(&b) if b.is_ascii() => {
            // Most lines fail here, on their first two bytes.
            let mut candidates = prefixes
                .by_first
                .get(usize::from(b.to_ascii_lowercase()))
                .copied()
                .unwrap_or(0);
            if candidates == 0 {
                return false;
            }
            candidates &= match bytes.get(1) {
                Some(&second) if second.is_ascii() => prefixes
                    .by_second
                    .get(usize::from(second.to_ascii_lowercase()))
                    .copied()
                    .unwrap_or(0),
                _ => prefixes.non_ascii,
            };
            while candidates != 0 {
                let k = candidates.trailing_zeros() as usize;
                let ascii = prefixes.ascii >> k & 1 != 0;
                candidates &= candidates - 1;
                let hit = prefixes.all.get(k).is_some_and(|p| {
                    if ascii {
                        s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))
                    } else {
                        // "leia também": ASCII first byte, other characters later.
                        starts_with_lowercased(s, p)
                    }
                });
                if hit {
                    return true;
                }
            }
            false
        }
        Some(_) => {
            let Some(first) = s.chars().next().and_then(|c| c.to_lowercase().next()) else {
                return false;
            };
            // The line's first 24 characters, lowercased, must start with the prefix.
            let mut candidates = prefixes.non_ascii;
            while candidates != 0 {
                let k = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                if prefixes
                    .all
                    .get(k)
                    .is_some_and(|p| p.starts_with(first) && starts_with_lowercased(s, p))
                {
                    return true;
                }
            }
            false
        }
    }
}

/// Does `s`, lowercased, start with the lowercase `prefix`? (Only `s`'s first 24
/// characters are lowercased.)
fn starts_with_lowercased(s: &str, prefix: &str) -> bool {
    let mut head = s.chars().take(24).flat_map(char::to_lowercase);
    prefix.chars().all(|c| head.next() == Some(c))
}

/// `t` without the dashes, bullets, "*", ">" and spaces that open it.
fn trim_bullets(t: &str) -> &str {
    // Most lines open with a letter: no character pattern to run then. ('–', '—' and '•'
    // start with the byte 0xE2.)
    match t.as_bytes().first() {
        Some(b'-' | b'*' | b'>' | b' ' | 0xE2) => {
            t.trim_start_matches(['-', '–', '—', '•', '*', '>', ' '])
        }
        _ => t,
    }
}

/// [`TEASERS`] with their filters.
static TEASER_PREFIXES: Prefixes = Prefixes::new(TEASERS);

const TEASERS: &[&str] = &[
    "read more",
    "read also",
    "also read",
    "see also",
    "related:",
    "related articles",
    "related stories",
    "recommended:",
    "more:",
    "watch:",
    "listen:",
    "leia mais",
    "leia também",
    "veja também",
    "veja mais",
    "saiba mais",
    "читайте также",
    "смотрите также",
    "lesen sie auch",
    "mehr zum thema",
    "leggi anche",
    "baca juga",
    "simak juga",
];

const BY_WORDS: &[&str] = &[
    "by",
    "por",
    "von",
    "di",
    "oleh",
    "par",
    "door",
    "автор",
    "text:",
    "texto:",
];

/// Byte length of the longest byline word.
const BY_WORD_MAX: usize = text::longest_len(BY_WORDS);

/// Per byte `b`: bit `n` set when some byline word of `n` bytes (not counting the colon it
/// may end with) starts with `b`, in either ASCII case.
const BY_WORD_LENGTHS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < BY_WORDS.len() {
        let w = BY_WORDS[i].as_bytes();
        let n = if w[w.len() - 1] == b':' {
            w.len() - 1
        } else {
            w.len()
        };
        assert!(n < 16);
        t[w[0].to_ascii_lowercase() as usize] |= 1 << n;
        t[w[0].to_ascii_uppercase() as usize] |= 1 << n;
        i += 1;
    }
    t
};

/// Can a byline word start with the byte `b`?
fn starts_by_word(b: u8) -> bool {
    BY_WORD_LENGTHS[usize::from(b)] != 0
}

/// "By Jane Doe", "– Ranjith Perera –": the author's name, when the line is a byline.
fn byline_of(s: &str) -> Option<String> {
    let name = unglue_role(byline_name(s)?);
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    Some(words.join(" "))
}

/// A name with a role or outlet glued on by the scraper ("Meg JamesStaff Writer", "Jonathan
/// GarberFOXBusiness"): cut where a capitalised word of five or more letters runs straight
/// into a capital. Shorter heads are name prefixes ("McDonald", "MacArthur", "DeVito",
/// "FitzGerald") and are left whole.
fn unglue_role(name: &str) -> &str {
    let mut word_start = true;
    // Letters of the current word so far, when it is capitalised and all lowercase after.
    let mut capitalised: Option<usize> = None;
    for (i, c) in name.char_indices() {
        if c == ' ' {
            word_start = true;
            capitalised = None;
            continue;
        }
        if word_start {
            word_start = false;
            capitalised = c.is_uppercase().then_some(1);
            continue;
        }
        capitalised = match capitalised {
            Some(n) if c.is_lowercase() => Some(n + 1),
            Some(n) if c.is_uppercase() && n >= 5 => return name.get(..i).unwrap_or(name),
            _ => None,
        };
    }
    name
}

/// The name part of a byline line, unallocated (words may be separated by several spaces).
fn byline_name(s: &str) -> Option<&str> {
    // Most lines start with a visible ASCII character that neither is a dash nor starts a
    // byline word: turned away before any trimming (which cannot move such a start).
    let first = *s.as_bytes().first()?;
    if first.is_ascii_graphic() && first != b'-' && !starts_by_word(first) {
        return None;
    }
    let st = s.trim();
    // Cheap rejections first: most lines neither start with a dash nor with "By".
    let dashed = st.starts_with(['-', '–', '—']);
    let by_rest = if dashed { None } else { Some(by_prefix(st)?) };
    if st.split(' ').count() > 12 {
        return None;
    }
    let dashes = |c: char| matches!(c, '-' | '–' | '—' | '|' | '•' | ' ');
    let candidate = match by_rest {
        // "– Ranjith Perera –"; a dash-led line that does not close with one is no byline
        // (its first word, starting with a dash, cannot be "By").
        None => st
            .strip_prefix(['-', '–', '—'])
            .and_then(|r| r.strip_suffix(['-', '–', '—']))?
            .trim_matches(dashes),
        Some(rest) => by_name_end(rest)?,
    };
    let words = || candidate.split(' ').filter(|w| !w.is_empty());
    let count = words().count();
    if count == 0 || count > 6 {
        return None;
    }
    let particles = [
        "de", "da", "do", "dos", "van", "von", "der", "bin", "al", "el", "la", "and", "e",
    ];
    let name_like = words().all(|w| {
        let c = w.chars().next().unwrap_or(' ');
        (c.is_uppercase() || particles.contains(&w)) && !w.chars().any(|c| c.is_ascii_digit())
    });
    if !name_like
        || !words()
            .next()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
    {
        return None;
    }
    Some(candidate)
}

/// What follows "By", "Por", "Von"... opening the line.
fn by_prefix(st: &str) -> Option<&str> {
    // Most lines start with no byline word's first byte: one look at it first.
    if !starts_by_word(*st.as_bytes().first()?) {
        return None;
    }
    // The first word, up to the first space: turned away as soon as it is longer than any
    // byline word (not counting the colons it may end with), without a search to its end.
    let mut space = None;
    for (i, &c) in st.as_bytes().iter().enumerate() {
        if c == b' ' {
            space = Some(i);
            break;
        }
        if i >= BY_WORD_MAX && c != b':' {
            return None;
        }
    }
    let space = space?;
    let (first, rest) = (st.get(..space)?, st.get(space + 1..)?);
    let f = first.trim_end_matches(':');
    // Most first words are as long as no byline word with their first byte.
    let lengths = st
        .as_bytes()
        .first()
        .map_or(0, |&b| BY_WORD_LENGTHS[usize::from(b)]);
    if lengths.checked_shr(f.len() as u32).unwrap_or(0) & 1 == 0 {
        return None;
    }
    // "By" may take a colon ("By: Jane Doe"); "Text:" needs its own ("Text Input:" is a
    // form label).
    BY_WORDS
        .iter()
        .any(|b| match b.strip_suffix(':') {
            Some(_) => b.eq_ignore_ascii_case(first),
            None => b.eq_ignore_ascii_case(f),
        })
        .then_some(rest)
}

/// After "By": the name runs to a separator: ",", "|", " - ", a date, "Updated"...
fn by_name_end(rest: &str) -> Option<&str> {
    let mut end = rest.len();
    for sep in [",", "|", " - ", " – ", " — ", " / ", " on ", " em ", " am "] {
        if let Some(p) = rest.find(sep) {
            end = end.min(p);
        }
    }
    Some(rest.get(..end)?.trim())
}

/// How many "| Section" suffixes [`strip_site_suffix`] takes off one title.
const MAX_TITLE_SUFFIXES: usize = 6;

/// Splits "Title - Site" style suffixes off a page title. Returns the title and whether a
/// suffix (or a dangling separator) was removed.
fn strip_site_suffix(s: &str) -> (String, bool) {
    let mut t = s.trim().to_string();
    let mut stripped = false;
    // Sites stack their sections too: "Title | Editorial | Opinion | The Guardian".
    for _ in 0..MAX_TITLE_SUFFIXES {
        let trimmed = t
            .trim_end_matches([' ', '|', '-', '–', '—', '·', '»', ':'])
            .to_string();
        if trimmed.len() != t.len()
            && trimmed
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || text::is_closer(c) || c == '?' || c == '!')
        {
            t = trimmed;
            stripped = true;
            continue;
        }
        let Some((p, l)) = last_title_separator(&t) else {
            break;
        };
        let (head, tail) = (t.get(..p).unwrap_or(""), t.get(p + l..).unwrap_or(""));
        let tail_words: Vec<&str> = tail.split(' ').filter(|w| !w.is_empty()).collect();
        let site_like = !tail_words.is_empty()
            && tail_words.len() <= 4
            && (tail.contains('.')
                || tail_words.iter().all(|w| {
                    w.chars().next().is_some_and(|c| {
                        c.is_uppercase() || c.is_ascii_digit() || !c.is_alphabetic()
                    })
                }));
        if site_like && head.split(' ').count() >= 2 {
            t = head.trim().to_string();
            stripped = true;
        } else {
            break;
        }
    }
    (t, stripped)
}

/// Separators between a title and a site name or section.
const TITLE_SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " » ", " · "];

/// The last [`TITLE_SEPARATORS`] in `t`: its offset and length. Every separator starts with
/// a space, so only the spaces are looked at, from the end (no searcher built per
/// separator).
fn last_title_separator(t: &str) -> Option<(usize, usize)> {
    let b = t.as_bytes();
    memchr::memrchr_iter(b' ', b).find_map(|p| {
        let rest = b.get(p..)?;
        TITLE_SEPARATORS
            .iter()
            .find(|sep| rest.starts_with(sep.as_bytes()))
            .map(|sep| (p, sep.len()))
    })
}

fn title_like(s: &Stats, text: &str) -> bool {
    let words_ok = if s.cjk * 2 > s.chars {
        (4..=120).contains(&s.chars)
    } else {
        (2..=30).contains(&s.words)
    };
    let end_ok = !s.terminal_end || (text.ends_with(['?', '!']) && s.words <= 20);
    words_ok && end_ok && !s.date_line && !s.byline && s.letters >= 4
}

/// The output of one pass.
struct PassOut<'a> {
    paras: Vec<Para<'a>>,
    dropped: Vec<(usize, Dropped)>,
    title: Option<String>,
    date: Option<String>,
    byline: Option<String>,
}

thread_local! {
    /// The feature matrix's buffer, reused from page to page on each thread.
    static FEATURE_BUFFER: std::cell::Cell<Vec<f32>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Everything up to the classifier: units, their stats, rule decisions, features.
struct Prepared<'a> {
    seg: Segmented<'a>,
    stats: Vec<Stats>,
    /// The feature matrix: its first `feats_len` values (the buffer is reused from page to
    /// page and may be longer). Column [`features::TITLE_SIM`] holds 0 until filled from
    /// `title_sims`.
    feats: Vec<f32>,
    feats_len: usize,
    /// Row of each unit in `feats` (`usize::MAX` for units a rule decided).
    rows: Vec<usize>,
    /// Unit of each row of `feats`.
    row_units: Vec<usize>,
    title: Option<(usize, String)>,
    title_sims: TitleSims,
}

impl Prepared<'_> {
    /// Fills the whole column [`features::TITLE_SIM`] of the feature matrix.
    fn fill_title_sims(&mut self) {
        for row in 0..self.row_units.len() {
            let sim = self
                .title_sims
                .of_row(row, &self.row_units, &self.seg.units, &self.stats);
            if let Some(f) = self.feats.get_mut(row * N_FEAT + features::TITLE_SIM) {
                *f = sim;
            }
        }
    }
}

/// The units' title similarity (a feature), computed on demand: only two trees late in the
/// model read it, so only the rows still undecided there need it (a tenth of them; see
/// [`Model::keep_rows_deferring`]).
struct TitleSims {
    words: Option<TitleWords>,
    /// Each unit's distinct text ([`line_ids`]).
    unit_ids: Vec<u32>,
    /// Per distinct text, its similarity once computed (NaN: not yet).
    cache: Vec<f32>,
    buf: String,
}

impl TitleSims {
    fn new(words: Option<TitleWords>, unit_ids: Vec<u32>, distinct: usize) -> TitleSims {
        let cache = if words.is_some() {
            vec![f32::NAN; distinct]
        } else {
            Vec::new()
        };
        TitleSims {
            words,
            unit_ids,
            cache,
            buf: String::new(),
        }
    }

    /// The similarity of feature row `row` (its unit from `row_units`) to the title.
    fn of_row(&mut self, row: usize, row_units: &[usize], units: &[Unit], stats: &[Stats]) -> f32 {
        let i = row_units.get(row).copied().unwrap_or(usize::MAX);
        match (units.get(i), stats.get(i)) {
            (Some(u), Some(s)) => self.of(i, &u.text, s),
            _ => 0.0,
        }
    }

    /// The similarity of unit `i`, with text `text` and statistics `stats`, to the title (0
    /// for a line of more than 30 words, or with no title).
    fn of(&mut self, i: usize, text: &str, stats: &Stats) -> f32 {
        match &self.words {
            Some(tw) if stats.words <= 30 && !tw.words.is_empty() => {
                let cached = self
                    .unit_ids
                    .get(i)
                    .and_then(|&id| self.cache.get_mut(id as usize));
                match cached {
                    Some(c) if !c.is_nan() => *c,
                    Some(c) => {
                        *c = tw.similarity(text, &mut self.buf);
                        *c
                    }
                    None => tw.similarity(text, &mut self.buf),
                }
            }
            _ => 0.0,
        }
    }
}

/// A hash of a line from its length and its first and last 24 bytes, read eight at a time
/// (a long paragraph is not hashed whole; equal hashes still compare whole lines).
fn line_hash(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let word = |at: usize| -> u64 {
        b.get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let n = b.len();
    let mix = |h: u64, x: u64| (h.rotate_left(26) ^ x).wrapping_mul(K);
    let mut h = (n as u64).wrapping_mul(K);
    if n >= 8 {
        // Overlapping reads cover a line of 8 to 48 bytes whole.
        h = mix(mix(h, word(0)), word(n - 8));
        if n > 16 {
            h = mix(mix(h, word(8)), word(n - 16));
        }
        if n > 32 {
            h = mix(mix(h, word(16)), word(n - 24));
        }
    } else {
        h = mix(h, b.iter().rev().fold(0, |k, &c| k << 8 | u64::from(c)));
    }
    h ^ h >> 29
}

/// Numbers the distinct texts of the units in order of first appearance. Returns each
/// unit's id, and per id how many units have the text and the first of them.
fn line_ids(units: &[Unit]) -> (Vec<u32>, Vec<u32>, Vec<usize>) {
    let n = units.len();
    // An open-addressing table (linear probing, at least half its slots empty): a slot holds
    // 1 + the id of a distinct text, 0 when empty. Cheaper than a `HashMap` entry per unit:
    // a probe compares the stored hash of the id before the texts.
    let mask = (2 * n).next_power_of_two().max(2) - 1;
    let mut slots = vec![0u32; mask + 1];
    // Per id: its text's hash, how many units have it, the first of them.
    let mut hashes: Vec<u64> = Vec::with_capacity(n);
    let mut counts: Vec<u32> = Vec::with_capacity(n);
    let mut firsts: Vec<usize> = Vec::with_capacity(n);
    let ids = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let text = u.text.as_ref();
            let h = line_hash(text.as_bytes());
            let mut at = h as usize & mask;
            loop {
                let Some(slot) = slots.get_mut(at) else {
                    // Not reached: `at` is masked to the table.
                    return 0;
                };
                let Some(id) = slot.checked_sub(1) else {
                    let id = counts.len() as u32;
                    *slot = id + 1;
                    hashes.push(h);
                    counts.push(1);
                    firsts.push(i);
                    return id;
                };
                let k = id as usize;
                let same = hashes.get(k) == Some(&h)
                    && firsts
                        .get(k)
                        .and_then(|&f| units.get(f))
                        .is_some_and(|f| f.text.as_ref() == text);
                if same {
                    if let Some(c) = counts.get_mut(k) {
                        *c += 1;
                    }
                    return id;
                }
                at = (at + 1) & mask;
            }
        })
        .collect();
    (ids, counts, firsts)
}

/// [`line_ids`] with a `HashMap` of the texts (its reference in tests).
#[cfg(test)]
fn line_ids_reference(units: &[Unit]) -> (Vec<u32>, Vec<u32>, Vec<usize>) {
    let mut by_text: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let (mut counts, mut firsts) = (Vec::new(), Vec::new());
    let ids = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let next = counts.len() as u32;
            let id = *by_text.entry(u.text.as_ref()).or_insert(next);
            if id == next {
                counts.push(0);
                firsts.push(i);
            }
            counts[id as usize] += 1;
            id
        })
        .collect();
    (ids, counts, firsts)
}

/// `t.to_ascii_lowercase().contains(word)` for a lowercase ASCII `word`, without the copy.
fn contains_ignore_ascii_case(t: &str, word: &[u8]) -> bool {
    let Some(&first) = word.first() else {
        return true;
    };
    let b = t.as_bytes();
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), b).any(|i| {
        b.get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    })
}

/// Statistics of one line, with its date-line and byline flags (short lines only).
fn line_stats(text: &str) -> Stats {
    let mut s = Stats::of(text);
    if s.eff <= 15.0 && s.digits >= 4 {
        s.date_line = date::has_date(text);
    }
    if s.words <= 12 {
        s.byline = byline_name(text).is_some();
    }
    s
}

/// The kept paragraphs of the previous pass, with their start offsets in this pass's input
/// (which is [`join_paras`] of them).
type Known<'a> = (&'a [usize], &'a [Para<'a>]);

/// `reads`: the features the classifier reads (bit `f`: feature `f`), `u64::MAX` for all.
fn prepare<'a>(input: &'a str, known: Option<Known<'_>>, reads: u64) -> Prepared<'a> {
    let mut seg = segment_known(input, known);
    let units = &mut seg.units;
    // A unit that is exactly a paragraph of the previous pass keeps its statistics.
    let reuse = |u: &Unit| -> Option<Stats> {
        let (starts, paras) = known?;
        let k = starts.binary_search(&u.origin).ok()?;
        let p = paras.get(k)?;
        // The input holds the paragraph's text at its start: a unit borrowing those very
        // bytes is the paragraph, with no comparison.
        if borrows_at(&u.text, input, u.origin, p.text.len()) || p.text == u.text {
            p.stats.clone()
        } else {
            None
        }
    };
    // Duplicates: the same line elsewhere on the page (menus repeat, body lines do not).
    // Each distinct text gets an id (a unique text is hashed once and never compared).
    let (unit_ids, counts, firsts) = line_ids(units);
    // The first unit with each unit's text (itself unless it repeats an earlier line).
    let first_of: Vec<usize> = unit_ids
        .iter()
        .enumerate()
        .map(|(i, &id)| firsts.get(id as usize).copied().unwrap_or(i))
        .collect();
    // A repeated line (a fifth of the lines of a page: menus, share buttons) has the
    // statistics of its first occurrence: they depend on the text alone.
    let mut stats: Vec<Stats> = Vec::with_capacity(units.len());
    // Units that are a kept paragraph of the previous pass: no rule dropped that text then,
    // and none will now (the rules look at the text and its statistics alone).
    let mut kept_before = vec![false; units.len()];
    for (i, (u, &first)) in units.iter().zip(&first_of).enumerate() {
        let s = match stats.get(first) {
            Some(s) if first < i => s.clone(),
            _ => match reuse(u) {
                Some(s) => {
                    kept_before[i] = true;
                    s
                }
                None => line_stats(&u.text),
            },
        };
        stats.push(s);
    }
    // Rules (they too look at the text alone: a repeat takes its first's decision).
    for (i, &first) in first_of.iter().enumerate() {
        if first < i {
            units[i].forced = units[first].forced;
            continue;
        }
        if kept_before[i] {
            continue;
        }
        let (u, s) = (&mut units[i], &stats[i]);
        let t = u.text.as_ref();
        let lower_cookie = s.cues & features::CUE_NAV != 0
            && s.eff <= 60.0
            && contains_ignore_ascii_case(t, b"cookie");
        // Comment counters ("12 Comments", "No Comment") and bare numbers or symbols ("52").
        let counter = (s.words <= 4 && (s.cues & features::CUE_COMMENT != 0) && s.eff <= 4.0)
            || (s.letters == 0 && s.cjk == 0 && s.chars <= 12);
        // "READ MORE: ..." teasers and newsletter pitches.
        let teaser = (s.eff <= 40.0 && starts_with_any(trim_bullets(t), &TEASER_PREFIXES))
            || (s.eff <= 25.0 && s.cues & features::CUE_PROMO != 0 && {
                let l = t.to_lowercase();
                l.contains("newsletter")
                    || l.contains("emailed to you")
                    || l.contains("sign up for")
            });
        u.forced = if counter {
            Some(DropReason::Boilerplate)
        } else if teaser {
            Some(DropReason::Promo)
        } else if s.eff <= 40.0
            // "©" and "ⓒ" are legal cues; cues are only looked for in lines up to 400 bytes.
            && (s.cues & features::CUE_LEGAL != 0 || t.len() > features::CUE_MAX_LINE)
            && (t.contains('©') || t.contains('ⓒ'))
        {
            let before = t.split(['©', 'ⓒ']).next().unwrap_or("");
            if before.chars().filter(|c| c.is_alphabetic()).count() >= 3 {
                Some(DropReason::Caption)
            } else {
                Some(DropReason::Boilerplate)
            }
        } else if lower_cookie && s.eff <= 60.0 {
            Some(DropReason::Boilerplate)
        } else {
            None
        };
    }

    // Title: the first line that is neither a date nor a byline, if title-shaped and backed
    // by evidence a cleaned body would not have (a site suffix, metadata right after it, or
    // a repeat of it further down).
    let mut title = None;
    if let Some(i) = (0..units.len().min(4))
        .find(|&i| !stats[i].date_line && !stats[i].byline && units[i].forced.is_none())
    {
        if title_like(&stats[i], &units[i].text) {
            let (t, had_suffix) = strip_site_suffix(&units[i].text);
            let meta_near = (i + 1..units.len().min(i + 4))
                .any(|j| stats[j].date_line || stats[j].byline)
                || (0..i).any(|j| stats[j].date_line || stats[j].byline);
            let repeated = units
                .iter()
                .skip(i + 1)
                .take(400)
                .any(|u| u.text == t || u.text == units[i].text);
            if had_suffix || meta_near || repeated {
                units[i].forced = Some(DropReason::Metadata);
                title = Some((i, t));
            }
        }
    }

    let title_words = title.as_ref().map(|(_, t)| TitleWords::new(lower_words(t)));
    let n = units.len();
    // Size of each unit's block (lines between blank lines), capped.
    let mut block_sizes = vec![0u32; n];
    let mut a = 0;
    while a < n {
        let mut b = a;
        while b + 1 < n && units[b + 1].block == units[a].block {
            b += 1;
        }
        let size = ((b - a + 1) as u32).min(101);
        for x in block_sizes.iter_mut().take(b + 1).skip(a) {
            *x = size;
        }
        a = b + 1;
    }
    // Lines a rule already decided are left out of the classifier's context.
    let mut rows = vec![usize::MAX; n];
    let mut row_units = Vec::with_capacity(n);
    let mut ctxs = Vec::with_capacity(n);
    for i in 0..n {
        let u = &units[i];
        if u.forced.is_some() {
            continue;
        }
        rows[i] = ctxs.len();
        row_units.push(i);
        let block_len = block_sizes[i];
        ctxs.push(UnitCtx {
            stats: &stats[i],
            // How many other units have the text.
            dup: unit_ids
                .get(i)
                .and_then(|&id| counts.get(id as usize))
                .map_or(0, |c| c.saturating_sub(1)),
            gap_before: u.gap_before,
            gap_after: u.gap_after,
            glued: u.glued,
            merged: u.merged,
            block_len,
            block_first: i == 0 || units[i - 1].block != u.block,
            // Filled in on demand from `title_sims`.
            title_sim: 0.0,
        });
    }
    let mut feats = FEATURE_BUFFER.with(std::cell::Cell::take);
    let feats_len = if reads & features::UNREAD_BY_SHIPPED == 0 {
        features::features_into::<true>(&ctxs, &mut feats)
    } else {
        features::features_into::<false>(&ctxs, &mut feats)
    };
    drop(ctxs);
    // Like the statistics, once per distinct text.
    let title_sims = TitleSims::new(title_words, unit_ids, counts.len());
    Prepared {
        seg,
        stats,
        feats,
        feats_len,
        rows,
        row_units,
        title,
        title_sims,
    }
}

/// Is unit `j`'s text unique on the page (menus and teasers repeat; a standfirst does not)?
fn dups_of(units: &[Unit], j: usize) -> bool {
    let Some(t) = units.get(j).map(|u| u.text.as_ref()) else {
        return false;
    };
    units.iter().filter(|u| u.text == t).take(2).count() == 1
}

/// The reason given to a line the classifier dropped.
fn reason_for(s: &Stats) -> DropReason {
    use features::*;
    if s.cues & CUE_LEGAL != 0 || s.cues & CUE_COMMENT != 0 {
        DropReason::Boilerplate
    } else if s.cues & CUE_PROMO != 0 {
        DropReason::Promo
    } else if s.cues & CUE_CAPTION != 0 {
        DropReason::Caption
    } else if s.cues & (CUE_NAV | CUE_SOCIAL) != 0 || s.eff <= 6.0 {
        DropReason::Navigation
    } else {
        DropReason::Boilerplate
    }
}

/// Splits "MoscowRussian troops are ..." into ("Moscow", "Russian troops are ...") when both
/// halves of the glued first word occur as words elsewhere on the page.
fn split_dateline(first: &str, page: &str) -> Option<(usize, usize)> {
    let word_end = first.find(' ').unwrap_or(first.len());
    let word = first.get(..word_end)?;
    let cs: Vec<(usize, char)> = word.char_indices().collect();
    if cs.len() < 5 || !cs.first().is_some_and(|c| c.1.is_uppercase()) {
        return None;
    }
    let k = (2..cs.len().saturating_sub(1))
        .find(|&k| cs[k - 1].1.is_lowercase() && cs[k].1.is_uppercase())?;
    let cut = cs[k].0;
    let (a, b) = (word.get(..cut)?, word.get(cut..)?);
    let b_core = b.trim_end_matches(|c: char| !c.is_alphanumeric());
    if !a.chars().all(char::is_alphabetic)
        || b_core.chars().count() < 2
        || !b_core.chars().all(char::is_alphabetic)
    {
        return None;
    }
    let standalone = |w: &str| {
        page.split(|c: char| !c.is_alphanumeric())
            .filter(|t| *t == w)
            .take(2)
            .count()
            >= 1
    };
    (standalone(a) && standalone(b_core)).then_some((cut, cut))
}

fn run_pass<'a>(input: &'a str, model: Option<&Model>, known: Option<Known<'_>>) -> PassOut<'a> {
    let prep = prepare(input, known, model.map_or(u64::MAX, Model::reads));
    let Prepared {
        seg,
        stats,
        mut feats,
        feats_len,
        rows,
        row_units,
        title,
        mut title_sims,
    } = prep;
    let Segmented {
        units,
        mut pre_drops,
        header_date,
    } = seg;
    let n = units.len();

    // Classify.
    let mut keep = vec![false; n];
    // A dropped line's reason when a rule or a later step gave it one (else `reason_for`
    // its statistics, asked only of the lines dropped in the end).
    let mut reason: Vec<Option<DropReason>> = vec![None; n];
    let row_keep = model.map(|m| {
        let x = feats.get_mut(..feats_len).unwrap_or_default();
        m.keep_rows_deferring(x, features::TITLE_SIM, |row| {
            title_sims.of_row(row, &row_units, &units, &stats)
        })
    });
    FEATURE_BUFFER.with(|b| b.set(feats));
    for i in 0..n {
        if let Some(r) = units[i].forced {
            reason[i] = Some(r);
            continue;
        }
        keep[i] = match &row_keep {
            Some(k) => k.get(rows[i]).copied().unwrap_or(false),
            None => stats[i].bodyish(),
        };
    }

    // Nothing kept at all: fall back to the sentence-like lines, then to the longest line.
    if !keep.iter().any(|&k| k) && n > 0 {
        for i in 0..n {
            if units[i].forced.is_none() && stats[i].bodyish() {
                keep[i] = true;
            }
        }
        if !keep.iter().any(|&k| k) {
            if let Some(i) = (0..n)
                .filter(|&i| units[i].forced.is_none() && stats[i].eff >= 3.0)
                .max_by(|&a, &b| stats[a].eff.total_cmp(&stats[b].eff))
            {
                keep[i] = true;
            }
        }
    }

    // A standfirst: the sentence-shaped line right above the body (rule-dropped lines such
    // as a photo credit in between do not count) belongs to it.
    if let Some(fk) = keep.iter().position(|&k| k) {
        let mut j = fk;
        let mut steps = 0;
        while j > 0 && steps < 3 {
            j -= 1;
            steps += 1;
            if units[j].forced.is_some() && title.as_ref().is_none_or(|(ti, _)| *ti != j) {
                continue;
            }
            let s = &stats[j];
            let sentence_like = s.eff >= 10.0
                && s.eff <= 60.0
                && (s.stop_words * 8 >= s.words || s.cjk * 2 > s.chars)
                && s.cues == 0
                && !s.date_line
                && !s.byline
                && !s.starts_bullet
                && !s.starts_lower
                && (s.upper as f32) < 0.5 * s.letters as f32;
            if units[j].forced.is_none() && sentence_like && dups_of(&units, j) {
                keep[j] = true;
            }
            break;
        }
    }

    let first_kept = keep.iter().position(|&k| k);
    let last_kept = keep.iter().rposition(|&k| k);

    // Short kept lines before a date or byline line at the top are header furniture
    // (captions, kickers) rather than body.
    if let Some(fk) = first_kept {
        let limit = (fk + 8).min(n);
        if let Some(m) = (fk..limit).rfind(|&j| stats[j].date_line || stats[j].byline) {
            if (fk..m).all(|j| !keep[j] || !stats[j].bodyish()) {
                for j in fk..m {
                    if keep[j] {
                        keep[j] = false;
                        reason[j] = Some(DropReason::Caption);
                    }
                }
            }
        }
    }
    let first_kept = keep.iter().position(|&k| k);

    // Date: the scraper header, else the nearest date line above the body, else the first
    // short date line in or just after it.
    let mut date = header_date;
    let mut meta_lines: Vec<usize> = Vec::new();
    if let Some(fk) = first_kept {
        if date.is_none() {
            let lo = fk.saturating_sub(40);
            if let Some(j) = (lo..fk).rev().find(|&j| stats[j].date_line) {
                date = date::find_date(&units[j].text);
                meta_lines.push(j);
            }
        }
        if date.is_none() {
            let hi = last_kept.map_or(n, |l| (l + 4).min(n));
            if let Some(j) = (fk..hi).find(|&j| stats[j].date_line && stats[j].eff <= 8.0) {
                date = date::find_date(&units[j].text);
                meta_lines.push(j);
            }
        }
    } else if date.is_none() {
        if let Some(j) = (0..n.min(20)).find(|&j| stats[j].date_line) {
            date = date::find_date(&units[j].text);
            meta_lines.push(j);
        }
    }

    // Byline: near the top of the body, else just after its end.
    let mut byline = None;
    if let Some(fk) = first_kept {
        let lo = fk.saturating_sub(15);
        let hi = (fk + 3).min(n);
        let mut found = (lo..hi).find(|&j| stats[j].byline && stats[j].words <= 12);
        if found.is_none() {
            if let Some(lk) = last_kept {
                found = (lk..(lk + 4).min(n)).find(|&j| stats[j].byline);
            }
        }
        if let Some(j) = found {
            byline = byline_of(&units[j].text);
            meta_lines.push(j);
        }
    }
    for j in meta_lines {
        keep[j] = false;
        reason[j] = Some(DropReason::Metadata);
    }
    // Other dropped date and byline lines are metadata too; short plain lines between the
    // title and the first date line are its photo caption or kicker.
    let first_date = (0..first_kept.unwrap_or(n)).find(|&j| stats[j].date_line);
    for j in 0..n {
        if keep[j] || units[j].forced.is_some() {
            continue;
        }
        if stats[j].date_line || stats[j].byline {
            reason[j] = Some(DropReason::Metadata);
        } else if let (Some((ti, _)), Some(fd)) = (&title, first_date) {
            if j > *ti && j < fd && stats[j].eff >= 4.0 && stats[j].cues == 0 {
                reason[j] = Some(DropReason::Caption);
            }
        }
    }
    // Repeats of the title (the page's <h1> after its <title>) are metadata too.
    if let Some((ti, t)) = &title {
        for j in 0..n {
            if j != *ti && !keep[j] && (units[j].text == *t || units[j].text == units[*ti].text) {
                reason[j] = Some(DropReason::Metadata);
            }
        }
    }

    // A dateline glued to the first paragraph.
    // Sized once for every unit (a kept one makes one paragraph): a `Para` is large, and
    // growing the list a doubling at a time copied it over and over.
    let mut paras: Vec<Para> = Vec::with_capacity(n);
    let mut dropped: Vec<(usize, Dropped)> = Vec::with_capacity(n);
    dropped.append(&mut pre_drops);
    let mut first = true;
    for (i, (u, st)) in units.into_iter().zip(stats).enumerate() {
        if keep[i] {
            if first {
                first = false;
                if let Some((cut, rest_at)) = split_dateline(&u.text, input) {
                    let head = u.text.get(..cut).unwrap_or("").to_string();
                    let rest = u.text.get(rest_at..).unwrap_or("").to_string();
                    dropped.push((
                        u.origin,
                        Dropped {
                            line: head,
                            reason: DropReason::Metadata,
                        },
                    ));
                    paras.push(Para {
                        text: Cow::Owned(rest),
                        origin: u.origin,
                        stats: None,
                        line: None,
                    });
                    continue;
                }
            }
            let line = u.whole_line();
            paras.push(Para {
                text: u.text,
                origin: u.origin,
                stats: Some(st),
                line,
            });
        } else {
            dropped.push((
                u.origin,
                Dropped {
                    line: u.text.into_owned(),
                    reason: reason[i].unwrap_or_else(|| reason_for(&st)),
                },
            ));
        }
    }
    dropped.sort_by_key(|(o, _)| *o);
    PassOut {
        paras,
        dropped,
        title: title.map(|(_, t)| t),
        date,
        byline,
    }
}

/// Per-unit features of the first pass, for training: (line, features, rule decision).
#[doc(hidden)]
pub fn debug_units(input: &str) -> Vec<(String, Vec<f32>, Option<DropReason>)> {
    let mut prep = prepare(input, None, u64::MAX);
    prep.fill_title_sims();
    prep.seg
        .units
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            let r = prep.rows[i];
            let f = prep
                .feats
                .get(r.saturating_mul(N_FEAT)..r.saturating_add(1).saturating_mul(N_FEAT))
                .unwrap_or(&[])
                .to_vec();
            (u.text.into_owned(), f, u.forced)
        })
        .collect()
}

/// Names of the classifier's features, in order.
#[doc(hidden)]
pub fn feature_names() -> &'static [&'static str] {
    &features::FEATURE_NAMES
}

#[cfg(test)]
mod tests;
