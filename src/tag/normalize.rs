//! Text normalization for matching, with a map back to the original text.
//!
//! Every original character is mapped on its own (no context), in this order:
//!
//! 1. whitespace (`str.isspace` in Python terms: spaces, tabs, line breaks, NBSP, other Unicode
//!    spaces): a run of it becomes one `' '`;
//! 2. with `fold_diacritics`: canonical decomposition (NFD, Hangul excepted), combining marks
//!    dropped;
//! 3. with case folding: full case folding (`"ß"` -> `"ss"`, `"İ"` -> `"i̇"`), then step 2 again
//!    when folding diacritics (folding can bring marks back);
//! 4. typographic variants: `’ ‘ ʼ` -> `'`, `“ ”` -> `"`, `– —` -> `-`.
//!
//! The normalized text is UTF-8 bytes plus, for each byte, the byte offset in the original text
//! of the character that produced it (`map`, with one extra entry: the original length). A
//! position in the normalized text is a *unit boundary* when it is where one original
//! character's output starts or ends (`map[i] != map[i - 1]`): matches must start and end on
//! one, so a match never covers half of a folded "ß" -> "ss". Original characters that produce
//! nothing (dropped marks, the rest of a whitespace run) belong to the span before them.
//!
//! tests/reference_tagger.py implements the same mapping in Python from the same data.

use super::tables::{CASEFOLD, CLASS_RANGES, DECOMP};

/// What a character is for word boundaries and whitespace runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Other,
    /// A letter or digit (Unicode categories L* and N*).
    Word,
    /// A combining mark (M*): part of the word it follows.
    Mark,
    Space,
}

impl Class {
    /// Letters, digits and combining marks: no match may start or end next to one.
    #[inline]
    pub(crate) fn is_word(self) -> bool {
        matches!(self, Class::Word | Class::Mark)
    }
}

const fn ascii_classes() -> [Class; 128] {
    let mut t = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            Class::Word
        } else if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f) {
            Class::Space
        } else {
            Class::Other
        };
        b += 1;
    }
    t
}

static ASCII_CLASS: [Class; 128] = ascii_classes();

/// The class of `c` from the range table (binary search).
fn class_from_ranges(cp: u32) -> Class {
    let i = CLASS_RANGES.partition_point(|&(_, last, _)| last < cp);
    match CLASS_RANGES.get(i) {
        Some(&(first, _, k)) if first <= cp => match k {
            1 => Class::Word,
            2 => Class::Mark,
            3 => Class::Space,
            _ => Class::Other,
        },
        _ => Class::Other,
    }
}

/// Direct tables for the Basic Multilingual Plane (built once, ~80 KB): the class of each
/// character, and bitsets of the characters that case folding or decomposition change, so
/// common non-ASCII text (Cyrillic, Greek, CJK...) needs no binary search.
struct Bmp {
    /// Per character: its class (`CLASS_CODE`), and the `KEPT` bits.
    info: Vec<u8>,
    folds: Vec<u64>,
    decomposes: Vec<u64>,
}

/// In [`Bmp::info`]: normalization keeps the character (up to a typographic variant)...
const KEPT: u8 = 4;
/// ...and does so with diacritics folded too.
const KEPT_FOLDED: u8 = 8;
/// The character has a typographic variant (see [`typographic`]).
const TYPOGRAPHIC: u8 = 16;

const fn class_code(k: Class) -> u8 {
    match k {
        Class::Other => 0,
        Class::Word => 1,
        Class::Mark => 2,
        Class::Space => 3,
    }
}

#[inline]
fn class_from_code(code: u8) -> Class {
    match code & 3 {
        1 => Class::Word,
        2 => Class::Mark,
        3 => Class::Space,
        _ => Class::Other,
    }
}

fn bmp() -> &'static Bmp {
    static BMP: std::sync::OnceLock<Bmp> = std::sync::OnceLock::new();
    BMP.get_or_init(|| {
        let bits = |table: &[(u32, &str)]| {
            let mut v = vec![0u64; 0x10000 / 64];
            for &(cp, _) in table {
                if let Some(w) = v.get_mut(cp as usize / 64) {
                    *w |= 1 << (cp % 64);
                }
            }
            v
        };
        let folds = bits(&CASEFOLD);
        let decomposes = bits(&DECOMP);
        let set = |v: &[u64], cp: u32| {
            v.get(cp as usize / 64)
                .is_none_or(|w| w & (1 << (cp % 64)) != 0)
        };
        let info = (0..0x10000u32)
            .map(|cp| {
                let class = class_from_ranges(cp);
                let mut info = class_code(class);
                if char::from_u32(cp).is_some_and(|c| typographic(c) != c) {
                    info |= TYPOGRAPHIC;
                }
                if !set(&folds, cp) {
                    info |= KEPT;
                    if class != Class::Mark && !set(&decomposes, cp) {
                        info |= KEPT_FOLDED;
                    }
                }
                info
            })
            .collect();
        Bmp {
            info,
            folds,
            decomposes,
        }
    })
}

/// The class of `c` (from Python's unicodedata, see tables.rs).
#[inline]
pub(crate) fn class_of(c: char) -> Class {
    let cp = c as u32;
    if cp < 128 {
        return ASCII_CLASS[cp as usize];
    }
    if cp < 0x10000 {
        if let Some(&info) = bmp().info.get(cp as usize) {
            return class_from_code(info);
        }
    }
    class_from_ranges(cp)
}

#[inline]
fn lookup(
    table: &'static [(u32, &'static str)],
    c: char,
    bits: impl FnOnce(&'static Bmp) -> &'static [u64],
) -> Option<&'static str> {
    let cp = c as u32;
    if cp < 0x10000 {
        let word = bits(bmp()).get(cp as usize / 64).copied().unwrap_or(!0);
        if word & (1 << (cp % 64)) == 0 {
            return None;
        }
    }
    table
        .binary_search_by_key(&cp, |&(k, _)| k)
        .ok()
        .and_then(|i| table.get(i))
        .map(|&(_, s)| s)
}

#[inline]
fn typographic(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => '\'',
        '\u{201C}' | '\u{201D}' => '"',
        '\u{2013}' | '\u{2014}' => '-',
        _ => c,
    }
}

/// Step 2 for one character: its decomposition without combining marks.
#[inline]
fn strip_marks(c: char, emit: &mut impl FnMut(char)) {
    match lookup(&DECOMP, c, |b| &b.decomposes) {
        Some(d) => {
            for x in d.chars() {
                if class_of(x) != Class::Mark {
                    emit(x);
                }
            }
        }
        None => {
            if class_of(c) != Class::Mark {
                emit(c);
            }
        }
    }
}

/// Steps 3 and 4 for one character (already through step 2).
#[inline]
fn fold_case_and_variants(
    c: char,
    fold_case: bool,
    fold_diacritics: bool,
    emit: &mut impl FnMut(char),
) {
    if fold_case {
        if let Some(f) = lookup(&CASEFOLD, c, |b| &b.folds) {
            for x in f.chars() {
                if fold_diacritics {
                    strip_marks(x, &mut |y| emit(typographic(y)));
                } else {
                    emit(typographic(x));
                }
            }
            return;
        }
    }
    emit(typographic(c));
}

/// The class of `c`, and [`map_char`]'s output for it when it is one character found without
/// a table search: a BMP character that case folding leaves alone (and decomposition too, when
/// folding diacritics), up to its typographic variant. Most non-ASCII text (lowercase
/// Cyrillic, CJK, punctuation) takes this way, with one table load.
#[inline]
fn class_and_kept(c: char, fold_diacritics: bool) -> (Class, Option<char>) {
    let cp = c as u32;
    if cp < 0x10000 {
        if let Some(&info) = bmp().info.get(cp as usize) {
            let kept = if fold_diacritics { KEPT_FOLDED } else { KEPT };
            // Most kept characters have no variant: no need to ask for one.
            let variant = |c| {
                if info & TYPOGRAPHIC != 0 {
                    typographic(c)
                } else {
                    c
                }
            };
            return (
                class_from_code(info),
                (info & kept != 0).then(|| variant(c)),
            );
        }
    }
    (class_from_ranges(cp), None)
}

/// Emits the normalized form of one non-whitespace character (steps 2 to 4).
#[inline]
pub(crate) fn map_char(
    c: char,
    fold_case: bool,
    fold_diacritics: bool,
    emit: &mut impl FnMut(char),
) {
    if fold_diacritics {
        strip_marks(c, &mut |x| fold_case_and_variants(x, fold_case, true, emit));
    } else {
        fold_case_and_variants(c, fold_case, false, emit);
    }
}

/// Normalizes an alias (or a matched surface) into a key: whitespace runs become one space,
/// leading and trailing whitespace is dropped. An empty key means "nothing to match".
pub(crate) fn normalize_key(s: &str, fold_case: bool, fold_diacritics: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true; // drops leading whitespace
    for c in s.chars() {
        if class_of(c) == Class::Space {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        if c.is_ascii() && !fold_diacritics {
            out.push(if fold_case { c.to_ascii_lowercase() } else { c });
            last_space = false;
            continue;
        }
        map_char(c, fold_case, fold_diacritics, &mut |x| {
            out.push(x);
            last_space = false;
        });
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A buffer that keeps its slots (allocated and initialized) between texts, so filling it
/// again costs no zeroing: only `..len` is the current content.
#[derive(Debug, Default)]
pub(crate) struct Slots<T> {
    buf: Vec<T>,
    len: usize,
}

impl<T: Copy + Default> Slots<T> {
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// The current content.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// At least `n` writable slots after the content (their old values are stale); `advance`
    /// then adds the ones written to the content.
    #[inline]
    pub(crate) fn spare(&mut self, n: usize) -> &mut [T] {
        if self.buf.len() < self.len + n {
            self.buf.resize((self.len + n).max(64), T::default());
        }
        self.buf.get_mut(self.len..).unwrap_or(&mut [])
    }

    #[inline]
    pub(crate) fn advance(&mut self, n: usize) {
        self.len = (self.len + n).min(self.buf.len());
    }

    #[inline]
    fn push(&mut self, v: T) {
        if let Some(slot) = self.spare(1).first_mut() {
            *slot = v;
        }
        self.advance(1);
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

impl Slots<u8> {
    /// Appends `c` in UTF-8 (written in place: no copy of a variable length).
    #[inline]
    fn push_char(&mut self, c: char) {
        if let Some(slots) = self.spare(4).get_mut(..4) {
            c.encode_utf8(slots);
        }
        self.advance(c.len_utf8());
    }
}

/// A stretch of the normalized text and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    /// Its first normalized byte...
    norm: u32,
    /// ...and the original offset of the character that produced that byte.
    orig: u32,
    /// The output of one original character that became several characters (`"ß"` ->
    /// `"ss"`): only its ends are unit boundaries. Otherwise each original character of the
    /// span became one character, all but the last of them as long as it was, so every
    /// character boundary in the span is a unit boundary at original offset
    /// `orig + (pos - norm)`.
    whole: bool,
}

/// A text normalized for matching (always case-folded), with its map back to the original.
///
/// The map is sparse: a list of spans where the original offset of each unit boundary
/// follows from the span's start (for ASCII text with no whitespace runs, one span), so no
/// per-byte entry is written. [`NormText::original`] finds the span forward from a hint, as
/// the tagger asks for ascending positions (every walk start), or by binary search.
#[derive(Debug, Default)]
pub(crate) struct NormText {
    /// The normalized text (valid UTF-8).
    bytes: Slots<u8>,
    /// Normalized offsets where a match may start: the first output byte of an original
    /// character that follows no word character, and a byte some alias starts with.
    starts: Slots<u32>,
    /// The map back to the original, by `norm`, ascending (see [`Span`]).
    spans: Vec<Span>,
    /// The original text's length (where the end of the normalized text maps to).
    orig_len: u32,
}

impl NormText {
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.starts.clear();
        self.spans.clear();
        self.orig_len = 0;
    }

    /// The normalized text.
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// Where a match may start (ascending normalized offsets).
    #[inline]
    pub(crate) fn starts(&self) -> &[u32] {
        self.starts.as_slice()
    }

    /// The bytes its buffers hold.
    pub(crate) fn heap_size(&self) -> usize {
        self.bytes.capacity()
            + self.starts.capacity() * 4
            + self.spans.capacity() * std::mem::size_of::<Span>()
    }

    /// The span holding normalized offset `pos` (below the text's length). `hint` is the
    /// index of a span to search forward from (positions mostly ascend), updated; from an
    /// index past the spans (or a later span), a binary search.
    #[inline]
    fn span_at(&self, pos: usize, hint: &mut usize) -> Option<&Span> {
        let mut k = *hint;
        match self.spans.get(k) {
            Some(span) if span.norm as usize <= pos => {
                while self
                    .spans
                    .get(k + 1)
                    .is_some_and(|s| s.norm as usize <= pos)
                {
                    k += 1;
                }
            }
            _ => {
                k = self
                    .spans
                    .partition_point(|s| s.norm as usize <= pos)
                    .checked_sub(1)?;
            }
        }
        *hint = k;
        self.spans.get(k)
    }

    /// Whether a match may end at normalized offset `end` (not inside one character's output).
    /// `hint`: see [`NormText::span_at`] (`usize::MAX` for none).
    #[inline]
    pub(crate) fn is_unit_end(&self, end: usize, hint: &mut usize) -> bool {
        let len = self.bytes.len();
        if end == 0 || end > len {
            return false;
        }
        if end == len {
            return true;
        }
        match self.span_at(end, hint) {
            Some(span) if span.norm as usize == end => true,
            Some(span) if !span.whole => self
                .bytes
                .as_slice()
                .get(end)
                .is_some_and(|&b| b & 0xC0 != 0x80),
            _ => false,
        }
    }

    /// The original byte offset of normalized offset `pos`, a unit boundary (or a start, or the
    /// normalized length). `hint`: see [`NormText::span_at`] (`usize::MAX` for none).
    #[inline]
    pub(crate) fn original(&self, pos: usize, hint: &mut usize) -> Option<usize> {
        let len = self.bytes.len();
        if pos >= len {
            return (pos == len).then_some(self.orig_len as usize);
        }
        let span = self.span_at(pos, hint)?;
        Some(if span.whole {
            span.orig as usize
        } else {
            span.orig as usize + (pos - span.norm as usize)
        })
    }

    /// Notes that the character at original offset `orig` becomes one character at normalized
    /// offset `norm`.
    #[inline]
    fn one_char_at(&mut self, norm: usize, orig: usize) {
        one_char_at(&mut self.spans, norm, orig);
    }

    /// Notes that the character at original offset `orig` becomes several characters from
    /// normalized offset `norm` on.
    #[inline]
    fn several_chars_at(&mut self, norm: usize, orig: usize) {
        let span = Span {
            norm: norm as u32,
            orig: orig as u32,
            whole: true,
        };
        match self.spans.last_mut() {
            Some(last) if last.norm == span.norm => *last = span,
            _ => self.spans.push(span),
        }
    }
}

/// The normalized form of each ASCII byte: lowercase, and whitespace as `' '`.
static ASCII_NORM: [u8; 128] = {
    let classes = ascii_classes();
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = if matches!(classes[b], Class::Space) {
            b' '
        } else {
            (b as u8).to_ascii_lowercase()
        };
        b += 1;
    }
    t
};

/// The length of the ASCII prefix of `bytes`, eight bytes at a time.
#[inline]
fn ascii_prefix_len(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let high = u64::from_le_bytes(w) & HIGH;
        if high != 0 {
            return n + (high.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let rest = chunks.remainder();
    n + rest.iter().position(|&b| b >= 0x80).unwrap_or(rest.len())
}

/// The high bit of each byte of a `u64`, for testing 8 bytes at once (SWAR).
pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `low7` (bytes below 0x80) in `lo..=hi` (`hi` < 0x80):
/// `x + (0x80 - lo)` has the high bit set iff x >= lo, `x + (0x7f - hi)` iff x > hi, and
/// neither sum carries into the next byte.
#[inline]
const fn lanes_in(low7: u64, lo: u8, hi: u8) -> u64 {
    (low7 + ONES * (0x80 - lo as u64)) & !(low7 + ONES * (0x7f - hi as u64)) & HIGH_BITS
}

/// The high bit of each byte of `low7` (bytes below 0x80) that is an ASCII letter.
#[inline]
const fn letter_lanes(low7: u64) -> u64 {
    // `| 0x20` lowercases ASCII letters and takes no other byte into a..z.
    lanes_in(low7 | (ONES * 0x20), b'a', b'z')
}

/// The high bit of each byte of `word` that is an ASCII letter or digit.
#[inline]
pub(crate) fn alnum_lanes(word: u64) -> u64 {
    let low7 = word & !HIGH_BITS;
    (lanes_in(low7, b'0', b'9') | letter_lanes(low7)) & !word
}

/// The high bit of each byte of `word` (all ASCII) that is whitespace (see `ascii_classes`),
/// a letter or digit, and an uppercase letter.
#[inline]
fn ascii_lanes(word: u64) -> (u64, u64, u64) {
    // Whitespace is 0x09..=0x0d and 0x1c..=0x20: one range less the bytes between.
    let space = lanes_in(word, 0x09, b' ') & !lanes_in(word, 0x0e, 0x1b);
    let letters = letter_lanes(word);
    let alnum = letters | lanes_in(word, b'0', b'9');
    // Capitals are the letters without the 0x20 bit (shifted up to the high bit).
    let upper = letters & !(word << 2);
    (space, alnum, upper)
}

/// Notes in `spans` that the character at original offset `orig` becomes one character at
/// normalized offset `norm`: a new span unless the last one already maps it so.
#[inline]
fn one_char_at(spans: &mut Vec<Span>, norm: usize, orig: usize) {
    let (norm, orig) = (norm as u32, orig as u32);
    let span = Span {
        norm,
        orig,
        whole: false,
    };
    match spans.last_mut() {
        Some(last)
            if !last.whole && last.orig.wrapping_sub(last.norm) == orig.wrapping_sub(norm) => {}
        // The last span is empty (what it began with produced nothing).
        Some(last) if last.norm == norm => *last = span,
        _ => spans.push(span),
    }
}

/// Where the normalization of a text stands between characters.
struct Cursor {
    /// The last character was a word character.
    prev_word: bool,
    /// The last output byte is a space standing for a whitespace run.
    last_space: bool,
}

/// Appends the normalization of `run` (ASCII bytes found at original offset `origin`) to
/// `out`: one output byte per byte, except that a whitespace run becomes one space.
///
/// Eight bytes at a time where no whitespace run shrinks: folded and their word starts found
/// with SWAR masks. Elsewhere byte by byte, where every byte is stored and the output and
/// start cursors advance only for a kept byte or a start, without branching on the text. A
/// byte kept after dropped ones starts a new span of the map.
#[inline]
fn push_ascii_run(
    run: &[u8],
    origin: usize,
    first: &[bool; 256],
    cursor: &mut Cursor,
    out: &mut NormText,
) {
    let base = out.bytes.len();
    let NormText {
        bytes: out_bytes,
        starts: out_starts,
        spans,
        ..
    } = out;
    let bytes = out_bytes.spare(run.len());
    let starts = out_starts.spare(run.len());
    let (mut len, mut count) = (0usize, 0usize);
    let Cursor {
        mut prev_word,
        mut last_space,
    } = *cursor;
    // The next kept byte may need a new span: the first one, and one after dropped bytes.
    let mut dropped = true;
    let mut k = 0usize;
    while let Some(&b) = run.get(k) {
        // (There are 8 start slots from `count` on: `count <= k`.)
        let chunk_slots = starts
            .get_mut(count..)
            .and_then(|s| s.first_chunk_mut::<8>());
        if let (Some(chunk), Some(slots)) = (run.get(k..k + 8), chunk_slots) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            let word = u64::from_le_bytes(w);
            let (space, alnum, upper) = ascii_lanes(word);
            let shrinks = space & (space << 8) != 0 || (last_space && space & 0x80 != 0);
            if !shrinks {
                if dropped {
                    dropped = false;
                    one_char_at(spans, base + len, origin + k);
                }
                let space_bytes = (space >> 7) * 0xff;
                let folded = (word & !space_bytes) | (space_bytes & (ONES * 0x20)) | (upper >> 2);
                if let Some(slot) = bytes.get_mut(len..len + 8) {
                    slot.copy_from_slice(&folded.to_le_bytes());
                }
                // Bytes after no word byte that are no whitespace: starts if an alias starts
                // with their folded byte.
                let mut after_other =
                    !((alnum << 8) | (u64::from(prev_word) << 7)) & !space & HIGH_BITS;
                let at = (base + len) as u32;
                let mut n = 0usize;
                while after_other != 0 {
                    let j = after_other.trailing_zeros() / 8;
                    // At most 8 starts in 8 bytes: `n & 7` is `n`.
                    slots[n & 7] = at + j;
                    n += usize::from(first[(folded >> (8 * j)) as u8 as usize]);
                    after_other &= after_other - 1;
                }
                count += n;
                len += 8;
                k += 8;
                prev_word = alnum >> 63 != 0;
                last_space = space >> 63 != 0;
                continue;
            }
        }
        let class = ASCII_CLASS[b as usize & 0x7f];
        let o = ASCII_NORM[b as usize & 0x7f];
        let space = class == Class::Space;
        let drop = space & last_space;
        if dropped & !drop {
            dropped = false;
            one_char_at(spans, base + len, origin + k);
        }
        dropped |= drop;
        if let Some(slot) = bytes.get_mut(len) {
            *slot = o;
        }
        if let Some(slot) = starts.get_mut(count) {
            *slot = (base + len) as u32;
        }
        count += usize::from(!prev_word & !space & first[o as usize]);
        len += usize::from(!drop);
        last_space = space;
        prev_word = class == Class::Word;
        k += 1;
    }
    *cursor = Cursor {
        prev_word,
        last_space,
    };
    out_bytes.advance(len);
    out_starts.advance(count);
}

/// Normalizes `text` (case-folded, and diacritics folded if asked) into `out`, which is
/// cleared first. `first[b]` says whether some alias key starts with byte `b`; `after_word`
/// whether the character before `text` (when it is a piece of a longer text) is a word
/// character.
///
/// `text` must be shorter than 4 GiB (offsets are `u32`); the caller splits longer texts.
pub(crate) fn normalize_text(
    text: &str,
    fold_diacritics: bool,
    first: &[bool; 256],
    after_word: bool,
    out: &mut NormText,
) {
    out.clear();
    out.orig_len = text.len() as u32;
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut cursor = Cursor {
        prev_word: after_word,
        last_space: false,
    };
    while let Some(rest) = bytes.get(i..).filter(|r| !r.is_empty()) {
        let n = ascii_prefix_len(rest);
        if let Some(run) = rest.get(..n).filter(|r| !r.is_empty()) {
            push_ascii_run(run, i, first, &mut cursor, out);
            i += n;
            continue;
        }
        // Non-ASCII characters up to the next ASCII one.
        let Some(tail) = text.get(i..) else {
            break; // unreachable: i is always on a character boundary
        };
        i += push_non_ascii_run(tail, i, fold_diacritics, first, &mut cursor, out);
    }
}

/// Appends the normalization of the non-ASCII characters at the start of `text` (found at
/// original offset `origin`) to `out`, up to the next ASCII character; returns their length.
///
/// Most of them (lowercase Cyrillic, CJK, punctuation...) are their own normalization: their
/// bytes are copied a stretch at a time, each stretch one span of the map, without encoding
/// them again. The others go through [`push_char`].
#[inline]
fn push_non_ascii_run(
    text: &str,
    origin: usize,
    fold_diacritics: bool,
    first: &[bool; 256],
    cursor: &mut Cursor,
    out: &mut NormText,
) -> usize {
    let bytes = text.as_bytes();
    let info = &bmp().info;
    let kept = if fold_diacritics { KEPT_FOLDED } else { KEPT };
    // Copies `bytes[from..to]`, characters that are their own normalization.
    let copy = |out: &mut NormText, from: usize, to: usize| {
        if let Some(run) = bytes.get(from..to).filter(|r| !r.is_empty()) {
            let begin = out.bytes.len();
            out.one_char_at(begin, origin + from);
            if let Some(slots) = out.bytes.spare(run.len()).get_mut(..run.len()) {
                slots.copy_from_slice(run);
            }
            out.bytes.advance(run.len());
        }
    };
    // `bytes[copy_from..i]` are still to copy.
    let mut copy_from = 0usize;
    let mut i = 0usize;
    for c in text.chars() {
        if c.is_ascii() {
            break;
        }
        // Beyond the BMP: no entry, so not kept (`push_char` looks it up).
        let code = info.get(c as usize).copied().unwrap_or(0);
        let class = class_from_code(code);
        if code & (kept | TYPOGRAPHIC) == kept && class != Class::Space {
            // Its output starts with its own first byte, at the copy's offset.
            if !cursor.prev_word && bytes.get(i).is_some_and(|&b| first[b as usize]) {
                out.starts.push((out.bytes.len() + (i - copy_from)) as u32);
            }
            cursor.last_space = false;
            cursor.prev_word = class.is_word();
        } else {
            copy(out, copy_from, i);
            push_char(c, origin + i, fold_diacritics, first, cursor, out);
            copy_from = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    copy(out, copy_from, i);
    i
}

/// Appends the normalization of non-ASCII character `c`, found at original offset `origin`,
/// to `out`.
#[inline]
fn push_char(
    c: char,
    origin: usize,
    fold_diacritics: bool,
    first: &[bool; 256],
    cursor: &mut Cursor,
    out: &mut NormText,
) {
    let (class, kept) = class_and_kept(c, fold_diacritics);
    let begin = out.bytes.len();
    if class == Class::Space {
        if !cursor.last_space {
            out.one_char_at(begin, origin);
            out.bytes.push(b' ');
            cursor.last_space = true;
        }
    } else {
        if let Some(x) = kept {
            out.one_char_at(begin, origin);
            out.bytes.push_char(x);
        } else {
            let mut chars = 0usize;
            map_char(c, true, fold_diacritics, &mut |x| {
                out.bytes.push_char(x);
                chars += 1;
            });
            match chars {
                0 => {}
                1 => out.one_char_at(begin, origin),
                _ => out.several_chars_at(begin, origin),
            }
        }
        if let Some(&fb) = out.bytes.as_slice().get(begin) {
            cursor.last_space = false;
            if !cursor.prev_word && first[fb as usize] {
                out.starts.push(begin as u32);
            }
        }
    }
    cursor.prev_word = class.is_word();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_first() -> [bool; 256] {
        [true; 256]
    }

    #[test]
    fn bmp_tables_agree_with_the_ranges() {
        for cp in (0..0x10000u32).step_by(7).chain(0xD7F0..0xE010) {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(class_of(c), class_from_ranges(cp), "U+{cp:04X}");
            }
        }
        for &(cp, f) in CASEFOLD.iter() {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(lookup(&CASEFOLD, c, |b| &b.folds), Some(f));
        }
        assert_eq!(lookup(&CASEFOLD, 'ж', |b| &b.folds), None);
        // The shortcut agrees with the full mapping wherever it applies.
        let mut shortcuts = 0;
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            let class = class_from_ranges(c as u32);
            if class == Class::Space {
                continue;
            }
            for fold in [false, true] {
                let (k, kept) = class_and_kept(c, fold);
                assert_eq!(k, class, "U+{:04X}", c as u32);
                if let Some(x) = kept {
                    let mut full = String::new();
                    map_char(c, true, fold, &mut |y| full.push(y));
                    assert_eq!(full, x.to_string(), "U+{:04X}", c as u32);
                    shortcuts += 1;
                }
            }
        }
        assert!(shortcuts > 100_000);
        assert_eq!(lookup(&DECOMP, 'é', |b| &b.decomposes), Some("e\u{301}"));
    }

    #[test]
    fn ascii_lanes_agree_with_the_classes() {
        // Every ASCII byte in every lane, next to every other ASCII byte (a carry or a shift
        // must not leak into a neighbour).
        for b in 0..128u8 {
            for other in 0..128u8 {
                for lane in 0..8 {
                    let mut bytes = [other; 8];
                    bytes[lane] = b;
                    let (space, alnum, upper) = ascii_lanes(u64::from_le_bytes(bytes));
                    for (i, &x) in bytes.iter().enumerate() {
                        let bit = |m: u64| m >> (8 * i + 7) & 1 == 1;
                        let class = ASCII_CLASS[x as usize];
                        assert_eq!(bit(space), class == Class::Space, "{bytes:?} {i}");
                        assert_eq!(bit(alnum), class == Class::Word, "{bytes:?} {i}");
                        assert_eq!(bit(upper), x.is_ascii_uppercase(), "{bytes:?} {i}");
                    }
                    assert_eq!((space | alnum | upper) & !HIGH_BITS, 0);
                }
            }
        }
    }

    #[test]
    fn classes() {
        assert_eq!(class_of('a'), Class::Word);
        assert_eq!(class_of('7'), Class::Word);
        assert_eq!(class_of('Ж'), Class::Word);
        assert_eq!(class_of('東'), Class::Word);
        assert_eq!(class_of('\u{0301}'), Class::Mark);
        assert_eq!(class_of('\u{00A0}'), Class::Space);
        assert_eq!(class_of('\u{3000}'), Class::Space);
        assert_eq!(class_of('\''), Class::Other);
        assert_eq!(class_of('-'), Class::Other);
        assert_eq!(class_of('_'), Class::Other);
        assert_eq!(class_of('😀'), Class::Other);
    }

    #[test]
    fn keys() {
        assert_eq!(
            normalize_key("  Krasny \n\t Liman ", true, false),
            "krasny liman"
        );
        assert_eq!(normalize_key("ХАРКІВ", true, false), "харків");
        assert_eq!(normalize_key("Straße", true, false), "strasse");
        assert_eq!(normalize_key("İstanbul", true, false), "i\u{307}stanbul");
        assert_eq!(normalize_key("İstanbul", true, true), "istanbul");
        assert_eq!(normalize_key("Zelenskýi", true, true), "zelenskyi");
        assert_eq!(normalize_key("Zelenskýi", false, true), "Zelenskyi");
        assert_eq!(
            normalize_key("Russia’s “war” – now", false, false),
            "Russia's \"war\" - now"
        );
        assert_eq!(normalize_key(" \u{00A0} ", true, false), "");
        assert_eq!(normalize_key("", true, false), "");
    }

    /// The reference: character by character, with a dense map (for each normalized byte,
    /// the original offset of the character that produced it, then the text's length).
    /// Returns (bytes, map, starts).
    fn char_model(
        text: &str,
        fold_diacritics: bool,
        first: &[bool; 256],
        after_word: bool,
    ) -> (Vec<u8>, Vec<u32>, Vec<u32>) {
        let (mut bytes, mut map, mut starts) = (vec![], vec![], vec![]);
        let (mut prev_word, mut last_space) = (after_word, false);
        for (i, c) in text.char_indices() {
            let class = class_of(c);
            if class == Class::Space {
                if !last_space {
                    bytes.push(b' ');
                    map.push(i as u32);
                }
                last_space = true;
            } else {
                let begin = bytes.len();
                map_char(c, true, fold_diacritics, &mut |x| {
                    let mut tmp = [0u8; 4];
                    for &b in x.encode_utf8(&mut tmp).as_bytes() {
                        bytes.push(b);
                        map.push(i as u32);
                    }
                });
                if let Some(&fb) = bytes.get(begin) {
                    last_space = false;
                    if !prev_word && first[fb as usize] {
                        starts.push(begin as u32);
                    }
                }
            }
            prev_word = class.is_word();
        }
        map.push(text.len() as u32);
        (bytes, map, starts)
    }

    /// Normalizes `text` into `n` and checks it against [`char_model`]: the same bytes and
    /// starts, the same unit boundaries, and the same original offset at each of them and at
    /// each start.
    fn check_against_model(
        n: &mut NormText,
        text: &str,
        fold_diacritics: bool,
        first: &[bool; 256],
        after_word: bool,
    ) {
        normalize_text(text, fold_diacritics, first, after_word, n);
        let (bytes, map, starts) = char_model(text, fold_diacritics, first, after_word);
        assert_eq!(
            (n.bytes(), n.starts()),
            (&bytes[..], &starts[..]),
            "{text:?}"
        );
        for pos in 0..=bytes.len() + 1 {
            let boundary = pos > 0 && pos < map.len() && map[pos - 1] != map[pos];
            assert_eq!(
                n.is_unit_end(pos, &mut { usize::MAX }),
                boundary,
                "{text:?} at {pos}"
            );
            for k in 0..n.spans.len() {
                assert_eq!(
                    n.is_unit_end(pos, &mut { k }),
                    boundary,
                    "{text:?} at {pos}"
                );
            }
            if boundary || pos == 0 || starts.contains(&(pos as u32)) {
                let want = map.get(pos).map(|&o| o as usize);
                assert_eq!(
                    n.original(pos, &mut { usize::MAX }),
                    want,
                    "{text:?} at {pos}"
                );
                // From a hint at every span: forward searches and binary ones agree.
                for k in 0..n.spans.len() {
                    assert_eq!(n.original(pos, &mut { k }), want, "{text:?} at {pos}");
                }
            }
        }
        assert_eq!(n.original(bytes.len() + 1, &mut 0), None);
    }

    #[test]
    fn ascii_runs_agree_with_the_model() {
        let mut first = [false; 256];
        for b in b"abkxz09(-'\"".iter() {
            first[*b as usize] = true;
        }
        let mut n = NormText::default();
        let mut check = |text: &[u8]| {
            let s = std::str::from_utf8(text).unwrap();
            for after_word in [false, true] {
                check_against_model(&mut n, s, false, &first, after_word);
            }
        };
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let r0 = rng.next_u64();
            let len = (r0 % 40) as usize;
            let text: Vec<u8> = (0..len)
                .map(|j| {
                    let r = r0.rotate_left(j as u32 * 5) ^ (round as u64 * 31 + j as u64);
                    // Mostly letters and single spaces, some runs of whitespace, all of ASCII.
                    match r % 8 {
                        0..=3 => b"abcXYZkz09AK"[(r >> 8) as usize % 12],
                        4 => b' ',
                        5 => b" \t\n\r\x0b\x0c\x1c\x1f"[(r >> 8) as usize % 8],
                        _ => (r >> 8) as u8 & 0x7f,
                    }
                })
                .collect();
            check(&text);
        }
        for b in 0..128u8 {
            check(&[b'a', b, b' ', b, b, b'A', b'(', b, b'z', b'9', b].repeat(3));
        }
    }

    #[test]
    fn mixed_texts_agree_with_the_model() {
        let mut first = [false; 256];
        for b in b"aiksxz09(-'\"".iter().chain("жσ東ßﬀ".as_bytes()) {
            first[*b as usize] = true;
        }
        // Characters that keep, change, grow, shrink, split into several or vanish.
        let pool: Vec<char> = "aAzZ09 kK.-(\t\n\u{a0}\u{3000}\u{2028}ßẞİıI\u{307}\u{301}éÉЖжΣσς\
                               東😀'’‘“”–—ﬀŉǅȺǰΐ\u{1e9e}\u{212a}Å"
            .chars()
            .collect();
        let mut n = NormText::default();
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..3000 {
            let len = (rng.next_u64() % 30) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let r = rng.next_u64();
                    match r % 8 {
                        0 => char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('?'),
                        1 => char::from_u32((r >> 8) as u32 % 0x800).unwrap_or('?'),
                        // ASCII runs long enough for eight bytes at a time.
                        2 => 'q',
                        _ => pool[(r >> 8) as usize % pool.len()],
                    }
                })
                .flat_map(|c| std::iter::repeat_n(c, if c == 'q' { 9 } else { 1 }))
                .collect();
            for fold in [false, true] {
                for after_word in [false, true] {
                    check_against_model(&mut n, &text, fold, &first, after_word);
                }
            }
        }
        for text in [
            "",
            " ",
            "\u{301}",
            "\u{301}\u{301} a",
            "Straße  Kyiv’s",
            "İstanbul İSTANBUL",
            "a \u{a0} b\u{a0}\u{a0}c  \u{a0}d",
            "Zelensky\u{301}i ZELENSKÝI",
            "ΣΊΣΥΦΟΣ ﬀ ŉ",
        ] {
            for fold in [false, true] {
                check_against_model(&mut n, text, fold, &all_first(), false);
            }
        }
    }

    #[test]
    fn copied_runs_agree_with_the_model() {
        let mut first = [false; 256];
        for b in b"ak(-".iter().chain("жкσ東«".as_bytes()) {
            first[*b as usize] = true;
        }
        // Characters that are their own normalization (copied) next to ones that are not
        // (capitals, variants, spaces, marks, decomposing letters, beyond the BMP) and ASCII.
        let kept = ["жк", "σ", "東京", "«", "\u{301}", "ı", "ø", "é"];
        let other = [
            "Ж", "’", "\u{a0}", "\u{3000}", "ß", "ẞ", "😀", "É", "ς", "a", "K", " ", "-", "",
        ];
        let mut n = NormText::default();
        let mut rng = crate::testing::XorShift(0x5851_F42D_4C95_7F2D);
        for _ in 0..4000 {
            let len = (rng.next_u64() % 12) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let r = rng.next_u64();
                    let pick = (r >> 8) as usize;
                    if r.is_multiple_of(3) {
                        other[pick % other.len()].to_string()
                    } else {
                        kept[pick % kept.len()].repeat(1 + (r >> 40) as usize % 4)
                    }
                })
                .collect();
            for fold in [false, true] {
                for after_word in [false, true] {
                    check_against_model(&mut n, &text, fold, &first, after_word);
                }
            }
        }
    }

    #[test]
    fn chunk_edges_agree_with_the_model() {
        let mut first = [false; 256];
        for b in b"aks(-".iter().chain("ж".as_bytes()) {
            first[*b as usize] = true;
        }
        let mut n = NormText::default();
        // A non-ASCII character, a whitespace run or the end of the text at every offset of
        // the eight-byte chunks, after and before ASCII runs of every length up to 20.
        for lead in 0..20 {
            for tail in [0, 1, 7, 8, 9, 17] {
                for mid in [
                    "é", "’", "ß", "\u{a0}", "  ", "\n\n", " \u{a0}", "\u{301}", "",
                ] {
                    let head: String = "Ka sK(-x".chars().cycle().take(lead).collect();
                    let rest: String = "s Kk-a z".chars().cycle().take(tail).collect();
                    let text = format!("{head}{mid}{rest}");
                    for after_word in [false, true] {
                        check_against_model(&mut n, &text, false, &first, after_word);
                    }
                }
            }
        }
        // A long text: many chunks, and runs that end in each lane.
        let long: String = (0..400)
            .map(|i| match i % 37 {
                0 => "\u{a0}Ж ".to_string(),
                5 => "  \t".to_string(),
                11 => "Straße".to_string(),
                _ => "Kyiv a ".chars().skip(i % 7).collect(),
            })
            .collect();
        check_against_model(&mut n, &long, false, &first, false);
        check_against_model(&mut n, &long, true, &first, true);
    }

    #[test]
    fn text_map() {
        let mut n = NormText::default();
        normalize_text("Straße  Kyiv’s", false, &all_first(), false, &mut n);
        assert_eq!(std::str::from_utf8(n.bytes()).unwrap(), "strasse kyiv's");
        // "ss" both come from byte 4 ("ß"); the space from byte 6; "k" from byte 8.
        assert_eq!(n.original(4, &mut 0), Some(4));
        assert!(!n.is_unit_end(5, &mut 0));
        assert!(n.is_unit_end(6, &mut 0));
        assert_eq!(n.original(6, &mut 0), Some(6));
        assert_eq!(n.original(8, &mut 0), Some(9));
        assert_eq!(n.original(14, &mut 0), Some("Straße  Kyiv’s".len()));
        // starts: "s" at 0, "k" at 8, and "s" at 13 after the apostrophe (a boundary).
        assert_eq!(n.starts(), &[0, 8, 13]);
    }
}
