//! Character classes and line repair: whitespace normalisation, splitting glued paragraphs
//! ("week.The") and merging lines a scraper cut at links ("Rafael Nadal" / "kept Spain's").

use std::borrow::Cow;

/// Whitespace for our purposes: Unicode whitespace and control characters (NUL included).
#[inline]
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Zero-width characters scrapers leave behind: removed outright.
#[inline]
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
    )
}

/// No-break spaces: kept as they are when they stand alone between words.
#[inline]
pub fn is_nbsp(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{202F}' | '\u{2007}')
}

/// Word separator inside a normalised line: a space or a lone no-break space.
#[inline]
pub fn is_sep(c: char) -> bool {
    c == ' ' || is_nbsp(c)
}

/// `c.to_lowercase()` where it is one character and simple to tell: ASCII, Latin-1, basic
/// Cyrillic, general punctuation, CJK and hangul (`None`: ask the Unicode tables).
#[inline]
pub const fn simple_lowercase(c: char) -> Option<char> {
    let u = c as u32;
    let l = match u {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE | 0x410..=0x42F => u + 0x20,
        0x400..=0x40F => u + 0x50,
        0..=0x40
        | 0x5B..=0xBF
        | 0xD7
        | 0xDF..=0xFF
        | 0x430..=0x45F
        | 0x2000..=0x206F
        | 0x3000..=0x9FFF
        | 0xAC00..=0xD7A3 => u,
        _ => return None,
    };
    char::from_u32(l)
}

/// Han, kana and hangul: scripts written without spaces between words (Korean has spaces
/// but its syllables pack a word into few characters).
#[inline]
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
}

#[inline]
pub fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7AF)
}

/// Sentence-final punctuation, Latin and CJK.
#[inline]
pub fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？' | '｡')
}

/// Closing quotes and brackets that may follow sentence punctuation.
#[inline]
pub fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」' | '』' | '）' | '›'
    )
}

/// Opening quotes that may start a sentence.
#[inline]
pub fn is_opener(c: char) -> bool {
    matches!(c, '"' | '“' | '«' | '„' | '‘' | '「' | '『' | '(' | '‹')
}

/// Does `b` hold a control character, a non-ASCII space or an invisible character?
/// (Checks UTF-8 byte patterns: U+0085/U+00A0/U+00AD, U+1680, U+180E, U+2000-U+200F,
/// U+2028-U+202F, U+205F-U+206F, U+3000, U+FEFF.) Asked only of lines whose
/// [`flag::ODD_SPACE`] is set, i.e. that hold one of the lead bytes: mostly prose with curly
/// quotes or dashes (U+2018-U+201D, U+2013), so this is a block-wise scan like
/// [`line_flags`], not a byte loop.
fn needs_slow_ws(b: &[u8]) -> bool {
    or_lanes(b, slow_ws_at) != 0
}

/// 1 if a character [`needs_slow_ws`] looks for starts at the byte `a` followed by `b`, `c`.
#[inline(always)]
fn slow_ws_at(a: u8, b: u8, c: u8, _d: u8) -> u8 {
    let control = (a < 0x20) | (a == 0x7F);
    let latin1 = (a == 0xC2) & ((b.wrapping_sub(0x80) <= 0x20) | (b == 0xAD));
    let ogham_mongolian = (a == 0xE1) & (((b == 0x9A) & (c == 0x80)) | ((b == 0xA0) & (c == 0x8E)));
    let general = (a == 0xE2)
        & (((b == 0x80) & ((c.wrapping_sub(0x80) <= 0x0F) | (c.wrapping_sub(0xA8) <= 0x07)))
            | ((b == 0x81) & (c.wrapping_sub(0x9F) <= 0x10)));
    let ideographic = (a == 0xE3) & (b == 0x80) & (c == 0x80);
    let bom = (a == 0xEF) & (b == 0xBB) & (c == 0xBF);
    u8::from(control | latin1 | ogham_mongolian | general | ideographic | bom)
}

/// Collapses every run of whitespace (see [`is_space`]) into one space and trims; a lone
/// no-break space between words is kept as it is; zero-width characters are removed.
/// Borrows when the text is already normalised (most lines of most pages).
pub fn normalize_ws(s: &str) -> Cow<'_, str> {
    normalize_ws_flagged(s, line_flags(s.as_bytes()))
}

/// [`normalize_ws`] when the line's [`line_flags`] are known.
#[inline]
pub fn normalize_ws_flagged(s: &str, flags: u8) -> Cow<'_, str> {
    // Most lines: nothing to do, told at the call site.
    if flags & (flag::ODD_SPACE | flag::DOUBLE_SPACE) == 0
        && !s.starts_with(' ')
        && !s.ends_with(' ')
    {
        return Cow::Borrowed(s);
    }
    normalize_ws_changed(s, flags)
}

/// [`normalize_ws_flagged`] of a line that may change.
fn normalize_ws_changed(s: &str, flags: u8) -> Cow<'_, str> {
    // Fast path: no control bytes, no non-ASCII space or invisible character: only ASCII
    // spaces to collapse.
    if flags & flag::ODD_SPACE == 0 || !needs_slow_ws(s.as_bytes()) {
        if !s.starts_with(' ') && !s.ends_with(' ') && flags & flag::DOUBLE_SPACE == 0 {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len());
        for (i, w) in s.split(' ').filter(|w| !w.is_empty()).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
        return Cow::Owned(out);
    }
    let mut out = String::with_capacity(s.len());
    // Length of the pending whitespace run, and its only char when it has one.
    let mut run = 0usize;
    let mut run_char = ' ';
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        if is_space(c) {
            run += 1;
            run_char = c;
        } else {
            if run > 0 && !out.is_empty() {
                out.push(if run == 1 && is_nbsp(run_char) {
                    run_char
                } else {
                    ' '
                });
            }
            run = 0;
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Does the text end like a sentence (terminal punctuation, maybe followed by closers)?
pub fn ends_terminal(s: &str) -> bool {
    for c in s.chars().rev() {
        if is_closer(c) {
            continue;
        }
        return is_terminal(c);
    }
    false
}

const HONORIFICS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Prof", "Gen", "Gov", "Sen", "Rep", "Lt", "Col",
    "Sgt", "Capt", "vs", "No", "Mt", "Ft",
];

/// What one pass over a line's bytes found: which of segmentation's closer looks it needs.
/// Bits of [`line_flags`].
pub mod flag {
    /// A control character, a non-ASCII space or an invisible character may be present
    /// (a superset: [`super::needs_slow_ws`] makes sure).
    pub const ODD_SPACE: u8 = 1;
    /// Two spaces in a row.
    pub const DOUBLE_SPACE: u8 = 2;
    /// "icon" in any ASCII case.
    pub const ICON: u8 = 4;
    /// Sentence punctuation directly followed by a non-space (where [`super::glue_points`]
    /// may split).
    pub const GLUE: u8 = 8;
    /// A menu separator " | ".
    pub const MENU: u8 = 16;
}

/// The [`flag`]s of the byte `a` followed by `b`, `c`, `d` (0xFF past the end: never in
/// UTF-8, so it completes no pattern). [`line_flags`] asks its two parts apart; this is
/// their reference in tests.
#[cfg(test)]
fn flags_at(a: u8, b: u8, c: u8, d: u8) -> u8 {
    odd_at(a, b, c, d) | plain_at(a, b, c, d)
}

/// The [`flag::ODD_SPACE`] part of [`flags_at`]: only where `a` [`may_be_odd`].
#[inline(always)]
fn odd_at(a: u8, b: u8, c: u8, _d: u8) -> u8 {
    // The lead byte of every character `needs_slow_ws` looks for, with the bytes after it
    // where a cheap test turns away the common characters: curly quotes, dashes and "…"
    // (U+2010-U+2027, as 0xE2 0x80 0x90-0xA7) and CJK punctuation (U+3001-U+303F).
    // `needs_slow_ws` makes sure.
    let odd = (a < 0x20)
        | (a == 0x7F)
        | (a == 0xC2)
        | (a == 0xE1)
        | (a == 0xEF)
        | ((a == 0xE2) & ((b == 0x81) | (c <= 0x8F) | (c >= 0xA8)))
        | ((a == 0xE3) & (b == 0x80) & (c == 0x80));
    u8::from(odd) * flag::ODD_SPACE
}

/// Whether [`odd_at`] can be set with `a` first: a control byte, DEL or a non-ASCII byte
/// (all but printable ASCII and the 0xFF padding), in one compare.
#[inline(always)]
fn may_be_odd(a: u8) -> bool {
    (a.wrapping_sub(0x20) >= 0x5F) & (a != 0xFF)
}

/// The flags of [`flags_at`] but [`flag::ODD_SPACE`]: all ASCII patterns.
#[inline(always)]
fn plain_at(a: u8, b: u8, c: u8, d: u8) -> u8 {
    let double = (a == b' ') & (b == b' ');
    let icon =
        ((a | 0x20) == b'i') & ((b | 0x20) == b'c') & ((c | 0x20) == b'o') & ((d | 0x20) == b'n');
    let glue = ((a == b'.') | (a == b'!') | (a == b'?')) & (b != b' ') & (b != 0xFF);
    let menu = (a == b' ') & (b == b'|') & (c == b' ');
    (u8::from(double) * flag::DOUBLE_SPACE)
        | (u8::from(icon) * flag::ICON)
        | (u8::from(glue) * flag::GLUE)
        | (u8::from(menu) * flag::MENU)
}

/// Positions checked at once by [`line_flags`], and the bytes they look at (three more).
const LANES: usize = 16;
const WINDOW: usize = LANES + 3;

/// Ors `at` of the first [`LANES`] positions of `w` into `acc`: a fixed-size loop the
/// compiler turns into vector code.
#[inline(always)]
fn block_lanes(w: &[u8; WINDOW], acc: &mut [u8; LANES], at: impl Fn(u8, u8, u8, u8) -> u8) {
    for (k, lane) in acc.iter_mut().enumerate() {
        *lane |= at(w[k], w[k + 1], w[k + 2], w[k + 3]);
    }
}

/// `tail` (at most [`LANES`] bytes) padded with 0xFF to a window, copied in fixed-size
/// pieces (two overlapping ones for 4 to 16 bytes) rather than by a call to memcpy.
#[inline(always)]
fn padded_tail(tail: &[u8]) -> [u8; WINDOW] {
    fn put<const N: usize>(pad: &mut [u8; WINDOW], at: usize, src: &[u8]) {
        if let (Some(d), Some(s)) = (pad.get_mut(at..at + N), src.get(at..at + N)) {
            d.copy_from_slice(s);
        }
    }
    let mut pad = [0xFFu8; WINDOW];
    let n = tail.len();
    if n >= 8 {
        put::<8>(&mut pad, 0, tail);
        put::<8>(&mut pad, n - 8, tail);
    } else if n >= 4 {
        put::<4>(&mut pad, 0, tail);
        put::<4>(&mut pad, n - 4, tail);
    } else {
        for (d, &b) in pad.iter_mut().zip(tail) {
            *d = b;
        }
    }
    pad
}

/// All of segmentation's pre-checks in one pass. The odd-space test (the costliest) is
/// made only in blocks that hold a byte it may find: most blocks of most pages are
/// printable ASCII.
pub fn line_flags(s: &[u8]) -> u8 {
    let block = |w: &[u8; WINDOW], acc: &mut [u8; LANES]| {
        if w.iter().take(LANES).fold(false, |m, &a| m | may_be_odd(a)) {
            block_lanes(w, acc, odd_at);
        }
        block_lanes(w, acc, plain_at);
    };
    or_blocks(s, block, |a, b, c, d| {
        odd_at(a, b, c, d) | plain_at(a, b, c, d)
    })
}

/// `at(a, b, c, d)` of every byte `a` of `s` and the three after it (0xFF past the end),
/// or-ed together: [`LANES`] positions at a time, the lanes or-ed together only at the end.
#[inline(always)]
fn or_lanes(s: &[u8], at: impl Fn(u8, u8, u8, u8) -> u8 + Copy) -> u8 {
    or_blocks(s, |w, acc| block_lanes(w, acc, at), at)
}

/// [`or_lanes`] with `block` doing what [`block_lanes`] does for `at` (`at` itself is asked
/// only of the few positions between the last whole block and the padded tail).
#[inline(always)]
fn or_blocks(
    s: &[u8],
    block: impl Fn(&[u8; WINDOW], &mut [u8; LANES]),
    at: impl Fn(u8, u8, u8, u8) -> u8,
) -> u8 {
    if s.is_empty() {
        return 0;
    }
    let mut acc = [0u8; LANES];
    let mut i = 0;
    while let Some(w) = s
        .get(i..i + WINDOW)
        .and_then(|w| <&[u8; WINDOW]>::try_from(w).ok())
    {
        block(w, &mut acc);
        i += LANES;
    }
    // The last LANES positions (all of a shorter line) make one more block, padded with
    // 0xFF; positions the loop saw already are or-ed in again. The (at most two) positions
    // between the loop's last block and that one are taken one at a time.
    let last = s.len().saturating_sub(LANES);
    let mut gap = 0;
    for p in i..last {
        if let Some(&[a, b, c, d]) = s.get(p..p + 4) {
            gap |= at(a, b, c, d);
        }
    }
    block(&padded_tail(s.get(last..).unwrap_or(&[])), &mut acc);
    acc.iter().fold(gap, |a, &x| a | x)
}

/// Byte offsets where a glued line should be split: after sentence punctuation (and closing
/// quotes) that is directly followed, with no space, by an uppercase letter or an opening
/// quote and an uppercase letter. "U.S.", decimals, "Mr.Smith" and domains are left alone.
pub fn glue_points(s: &str) -> Vec<usize> {
    glue_points_with::<true>(s)
}

/// [`glue_points`]; with `SPACED_FIRST` off, punctuation followed by a space is decided by
/// the full checks rather than turned away at once (the same answer, slower: the reference
/// the shortcut is tested against).
fn glue_points_with<const SPACED_FIRST: bool>(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    // Jumps from one sentence punctuation byte to the next (ASCII, so bytes will do); only
    // local look-behind and look-ahead, so the work is linear, even on a 100 MB line.
    let mut p = 0;
    while let Some(off) = b
        .get(p..)
        .and_then(|r| memchr::memchr3(b'.', b'!', b'?', r))
    {
        p += off;
        let c = b.get(p).copied().unwrap_or(0);
        // Punctuation followed by a space (most of it, in prose) is no glue point; told before
        // the character before it is decoded.
        if p == 0 || (SPACED_FIRST && b.get(p + 1) == Some(&b' ')) {
            p += 1;
            continue;
        }
        let Some(prev) = s.get(..p).and_then(|h| h.chars().next_back()) else {
            p += 1;
            continue;
        };
        let prev_ok = prev.is_lowercase()
            || prev.is_ascii_digit()
            || is_closer(prev)
            || is_hangul(prev)
            || (prev.is_alphabetic() && !prev.is_uppercase() && !is_cjk(prev));
        if !prev_ok {
            p += 1;
            continue;
        }
        // Skip a run of sentence punctuation ("?!", "...") and closing quotes.
        let rest = s.get(p + 1..).unwrap_or("");
        let mut it = rest.char_indices();
        let mut found = None;
        for (k, d) in it.by_ref() {
            if matches!(d, '.' | '!' | '?') || is_closer(d) {
                continue;
            }
            found = Some((p + 1 + k, d));
            break;
        }
        let Some((q, next)) = found else { break };
        let starts = if next.is_uppercase() {
            true
        } else if is_opener(next) && next != '(' {
            it.next().is_some_and(|(_, d)| d.is_uppercase())
        } else {
            is_hangul(prev) && is_hangul(next)
        };
        let head = s.get(..p).unwrap_or("");
        if starts && prev.is_ascii_digit() {
            // "in 2019.The" splits, but "v2.0.X" style tokens do not.
            let digits = head.bytes().rev().take_while(u8::is_ascii_digit).count();
            let before = head
                .get(..head.len() - digits)
                .and_then(|h| h.chars().next_back());
            if before.is_some_and(|x| x == '.' || x.is_alphabetic()) {
                p = q;
                continue;
            }
        }
        if starts && c == b'.' {
            // The word before the period: an honorific or a single letter is an abbreviation.
            let len: usize = head
                .chars()
                .rev()
                .take_while(|d| d.is_alphanumeric())
                .map(char::len_utf8)
                .sum();
            let word = head.get(head.len() - len..).unwrap_or("");
            let single = word.chars().count() <= 1 && !prev.is_ascii_digit();
            if single || HONORIFICS.contains(&word) {
                p = q;
                continue;
            }
        }
        if starts {
            out.push(q);
        }
        p = q;
    }
    out
}

/// Splits a normalised line at its glue points (each piece trimmed, empties skipped).
pub fn split_glued(s: &str) -> Vec<&str> {
    let pts = glue_points(s);
    if pts.is_empty() {
        return vec![s];
    }
    let mut out = Vec::with_capacity(pts.len() + 1);
    let mut last = 0;
    for p in pts {
        if let Some(piece) = s.get(last..p) {
            let t = piece.trim();
            if !t.is_empty() {
                out.push(t);
            }
        }
        last = p;
    }
    if let Some(piece) = s.get(last..) {
        let t = piece.trim();
        if !t.is_empty() {
            out.push(t);
        }
    }
    out
}

/// Byte length of the longest of `words` (for lists checked against a line at compile time).
pub(super) const fn longest_len(words: &[&str]) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < words.len() {
        if words[i].len() > max {
            max = words[i].len();
        }
        i += 1;
    }
    max
}

/// Byte length of the longest join word.
const JOIN_WORD_MAX: usize = longest_len(JOIN_WORDS);

const JOIN_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "by",
    "from",
    "and",
    "or",
    "as",
    "that",
    "than",
    "said",
    "says",
    "told",
    "via",
    "like",
    "including",
    "about",
    "into",
    "is",
    "was",
    "are",
    "were",
    "de",
    "da",
    "do",
    "das",
    "dos",
    "em",
    "der",
    "die",
    "das",
    "und",
    "von",
    "mit",
    "di",
    "il",
    "la",
    "le",
    "del",
    "della",
    "yang",
    "dan",
    "di",
    "ke",
    "dari",
    "и",
    "в",
    "на",
    "с",
    "по",
    "the",
    "this",
    "his",
    "her",
    "their",
    "its",
    "our",
    "new",
];

/// Bit `n` of entry `b` set: some join word of `n` bytes starts (`last`: ends) with the
/// byte `b`.
const fn join_word_lengths_by_byte(last: bool) -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < JOIN_WORDS.len() {
        let w = JOIN_WORDS[i].as_bytes();
        let b = if last { w[w.len() - 1] } else { w[0] };
        t[b as usize] |= 1 << w.len();
        i += 1;
    }
    t
}

/// Join word lengths by first byte ([`join_word_lengths_by_byte`]).
const JOIN_FIRST_BYTES: [u16; 256] = join_word_lengths_by_byte(false);

/// Is `w` one of the [`JOIN_WORDS`]? Most words are turned away by their first byte and length
/// (a capitalised name always is) before any comparison.
fn is_join_word(w: &str) -> bool {
    let Some(&first) = w.as_bytes().first() else {
        return false;
    };
    let lengths = JOIN_FIRST_BYTES[usize::from(first)];
    w.len() <= JOIN_WORD_MAX
        && lengths >> w.len() & 1 != 0
        && JOIN_KEYS.binary_search(&join_key(w.as_bytes())).is_ok()
}

/// A word of at most 15 bytes as one number: its bytes little-endian, its length in the top
/// byte (a NUL byte cannot pass for the end of a shorter word). One number compare per
/// look-up step instead of a byte comparison per join word.
const fn join_key(b: &[u8]) -> u128 {
    let mut k = (b.len() as u128) << 120;
    let mut i = 0;
    while i < b.len() && i < 15 {
        k |= (b[i] as u128) << (8 * i);
        i += 1;
    }
    k
}

/// The [`join_key`]s of the [`JOIN_WORDS`], sorted (at compile time) for a binary search.
static JOIN_KEYS: [u128; JOIN_WORDS.len()] = {
    assert!(JOIN_WORD_MAX <= 15);
    let mut t = [0u128; JOIN_WORDS.len()];
    let mut i = 0;
    while i < JOIN_WORDS.len() {
        t[i] = join_key(JOIN_WORDS[i].as_bytes());
        i += 1;
    }
    // Insertion sort.
    let mut a = 1;
    while a < t.len() {
        let mut b = a;
        while b > 0 && t[b - 1] > t[b] {
            let x = t[b - 1];
            t[b - 1] = t[b];
            t[b] = x;
            b -= 1;
        }
        a += 1;
    }
    t
};

/// Join word lengths by last byte ([`join_word_lengths_by_byte`]).
const JOIN_LAST_BYTES: [u16; 256] = join_word_lengths_by_byte(true);

/// Is the word after the last separator ([`is_sep`]) of `a` a join word? Only the suffixes
/// as long as a join word ending in `a`'s last byte are looked at (a join word holds no
/// separator, so one right before such a suffix is the last separator).
fn ends_with_join_word(a: &str) -> bool {
    let Some(&last) = a.as_bytes().last() else {
        return false;
    };
    let mut lengths = JOIN_LAST_BYTES[usize::from(last)];
    while lengths != 0 {
        let n = lengths.trailing_zeros() as usize;
        lengths &= lengths - 1;
        let Some(at) = a.len().checked_sub(n) else {
            break;
        };
        // The last byte of a separator, or no separator: most suffixes stop here.
        let before = at.checked_sub(1).and_then(|p| a.as_bytes().get(p));
        if !matches!(before, Some(b' ' | 0xA0 | 0xAF | 0x87)) {
            continue;
        }
        if let (Some(head), Some(word)) = (a.get(..at), a.get(at..)) {
            if head.chars().next_back().is_some_and(is_sep) && is_join_word(word) {
                return true;
            }
        }
    }
    false
}

/// Should `b` continue `a` on one line (a scraper cut the sentence at a link or <em>)?
#[cfg(test)]
pub fn continues(a: &str, b: &str) -> bool {
    continues_menu_known(a, has_menu_sep(a.as_bytes()), b, has_menu_sep(b.as_bytes()))
}

/// Does the text hold a menu separator (" | ")?
#[inline]
pub fn has_menu_sep(b: &[u8]) -> bool {
    b.windows(3).any(|w| w == b" | ")
}

/// [`continues`] when whether `a` and `b` hold " | " is already known (a line growing by
/// merges is not scanned again for each next line).
pub fn continues_menu_known(a: &str, a_menu: bool, b: &str, b_menu: bool) -> bool {
    // A menu ("Home | World | Sign in") is not prose cut at a link: merging it into the next
    // line glued every copy of a repeated menu to the first paragraph, which was then kept
    // (tests/test_hostile.py, deeply repeated boilerplate).
    if a_menu || b_menu {
        return false;
    }
    let (Some(a_last), Some(b_first)) = (a.chars().next_back(), b.chars().next()) else {
        return false;
    };
    if matches!(a_last, '(' | ',' | '—' | '–' | '“' | '‘' | '/' | '[') {
        return true;
    }
    if is_terminal(a_last) || matches!(a_last, ':' | ';' | '|' | '•' | '·') {
        // "(" "30" ")." style citations end with digits or parens, not here.
        return false;
    }
    if b_first.is_lowercase() {
        return true;
    }
    if matches!(
        b_first,
        ',' | '.' | ';' | ')' | '!' | '?' | '%' | '’' | '”' | ']'
    ) {
        return true;
    }
    if a_last.is_lowercase() {
        if b_first.is_ascii_digit() || b_first == '$' || b_first == '€' || b_first == '£' {
            return true;
        }
        // The join words are short: look at the end of `a` only.
        if b_first.is_uppercase() && ends_with_join_word(a) && a.contains(' ') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_lowercase_agrees_with_the_tables() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if let Some(l) = simple_lowercase(c) {
                assert_eq!(c.to_lowercase().collect::<Vec<_>>(), vec![l], "{c:?}");
            }
        }
        assert_eq!(simple_lowercase('Ж'), Some('ж'));
        assert_eq!(simple_lowercase('İ'), None);
    }

    /// Bytes that may start a control character, a non-ASCII space or an invisible character
    /// (U+0085/U+00A0/U+00AD: 0xC2; U+1680/U+180E: 0xE1; U+2000-U+206F: 0xE2; U+3000: 0xE3;
    /// U+FEFF: 0xEF): only these need a closer look.
    static WS_LEAD: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 0x20 {
            t[i] = true;
            i += 1;
        }
        t[0x7F] = true;
        t[0xC2] = true;
        t[0xE1] = true;
        t[0xE2] = true;
        t[0xE3] = true;
        t[0xEF] = true;
        t
    };

    /// [`needs_slow_ws`], one byte at a time.
    fn needs_slow_ws_reference(b: &[u8]) -> bool {
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        for (i, &c) in b.iter().enumerate() {
            if !WS_LEAD[c as usize] {
                continue;
            }
            let hit = match c {
                0x00..=0x1F | 0x7F => true,
                0xC2 => matches!(at(i + 1), 0x80..=0xA0 | 0xAD),
                0xE1 => matches!((at(i + 1), at(i + 2)), (0x9A, 0x80) | (0xA0, 0x8E)),
                0xE2 => matches!(
                    (at(i + 1), at(i + 2)),
                    (0x80, 0x80..=0x8F) | (0x80, 0xA8..=0xAF) | (0x81, 0x9F..=0xAF)
                ),
                0xE3 => at(i + 1) == 0x80 && at(i + 2) == 0x80,
                0xEF => at(i + 1) == 0xBB && at(i + 2) == 0xBF,
                _ => false,
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// Each pattern after 0 to 43 "x"s (every offset around the 16-byte blocks and the
    /// tail), alone at the end and followed by `after`.
    fn at_every_offset(patterns: &[&str], after: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for pat in patterns {
            for len in 0..44 {
                let l = format!("{}{pat}", "x".repeat(len));
                lines.push(format!("{l}{after}"));
                lines.push(l);
            }
        }
        lines
    }

    #[test]
    fn needs_slow_ws_agrees_with_the_byte_loop() {
        // Every character from U+0000 to U+FFFF (and a few beyond) at every offset around
        // the 16-byte blocks and the tail, alone and between letters and curly quotes.
        let mut lines = Vec::new();
        for c in (0..0x1_0000u32)
            .chain([0x1F600, 0x10FFFF])
            .filter_map(char::from_u32)
        {
            lines.push(c.to_string());
            lines.push(format!("ab{c}“”"));
        }
        lines.extend(at_every_offset(
            &[
                "\u{85}", "\u{a0}", "\u{ad}", "\u{1680}", "\u{180e}", "\u{2000}", "\u{200f}",
                "\u{2010}", "\u{2028}", "\u{202f}", "\u{2030}", "\u{205e}", "\u{205f}", "\u{206f}",
                "\u{2070}", "\u{3000}", "\u{3001}", "\u{feff}", "\u{fefe}", "\t", "\u{7f}", "’",
                "—", "…",
            ],
            "y’",
        ));
        // Random mixes of the bytes that matter.
        let pieces = [
            "a", " ", "’", "“", "\u{a0}", "\u{2009}", "\u{3000}", "の", "é", "\u{feff}", "\u{ad}",
            "\u{2060}",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let mut l = String::new();
            let seed = rng.next_u64();
            let mut r = seed;
            for _ in 0..(r % 40) {
                r = r.rotate_right(5) ^ seed;
                l.push_str(pieces[(r % pieces.len() as u64) as usize]);
            }
            lines.push(l);
        }
        for l in &lines {
            let slow = needs_slow_ws_reference(l.as_bytes());
            assert_eq!(needs_slow_ws(l.as_bytes()), slow, "{l:?}");
            // The flag that lets a line into the check is set for every line it finds.
            assert!(
                !slow || line_flags(l.as_bytes()) & flag::ODD_SPACE != 0,
                "{l:?}"
            );
        }
    }

    /// The flags, one check at a time.
    fn line_flags_reference(s: &str) -> u8 {
        let b = s.as_bytes();
        let mut f = 0;
        let at = |i: usize| b.get(i).copied().unwrap_or(0xFF);
        let odd = (0..b.len()).any(|i| match at(i) {
            0x00..=0x1F | 0x7F | 0xC2 | 0xE1 | 0xEF => true,
            0xE2 => at(i + 1) == 0x81 || !(0x90..=0xA7).contains(&at(i + 2)),
            0xE3 => at(i + 1) == 0x80 && at(i + 2) == 0x80,
            _ => false,
        });
        if odd {
            f |= flag::ODD_SPACE;
        }
        if s.contains("  ") {
            f |= flag::DOUBLE_SPACE;
        }
        if s.to_ascii_lowercase().contains("icon") {
            f |= flag::ICON;
        }
        if b.windows(2)
            .any(|w| matches!(w[0], b'.' | b'!' | b'?') && w[1] != b' ')
        {
            f |= flag::GLUE;
        }
        if has_menu_sep(b) {
            f |= flag::MENU;
        }
        f
    }

    #[test]
    fn line_flags_agree_with_the_single_checks() {
        let mut lines: Vec<String> = [
            "",
            ".",
            "a.",
            ".a",
            "a. ",
            " | ",
            "x |",
            "| y",
            "icon",
            "ICO",
            "xIcOn",
            "  ",
            "\u{a0}",
            "a\u{2009}b",
            "\u{feff}",
            "\t",
            "?!",
            "end.",
            "e.g",
            "Home | World",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        lines.extend(crate::testing::dev_set_lines());
        // Every pattern at every offset around the 16-byte blocks and the tail.
        lines.extend(at_every_offset(
            &[
                "icon", "a.B", " | ", "  ", "\u{a0}", "\u{200b}", "\0", "!x", "?",
            ],
            "yy",
        ));
        // Random mixes of the bytes that matter, of every length up to three blocks.
        let pieces = [
            "a", " ", ".", "!", "?", "|", "i", "C", "o", "N", "’", "“", "\u{a0}", "\u{2009}",
            "\u{3000}", "\u{3001}", "\u{2060}", "\u{1680}", "\u{feff}", "é", "\t", "\u{7f}",
            "\u{2081}", "~", "\r", "\n", "\0", "ic", "on",
        ];
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..20_000 {
            let mut l = String::new();
            let len = rng.next_u64() % 56;
            while (l.len() as u64) < len {
                l.push_str(pieces[(rng.next_u64() % pieces.len() as u64) as usize]);
            }
            lines.push(l);
        }
        // Very long lines, with each flag only near the end.
        let mut long = "word ".repeat(2_000);
        for tail in ["icon", "a.B", " | x", "a  b", "\u{a0}"] {
            long.push_str(tail);
            lines.push(long.clone());
        }
        // Every pattern (and near misses) across the edges of several blocks, at the line's
        // end and before more text, after letters, spaces or curly quotes.
        let patterns = [
            "icon", "ICon", "ic", "ico", "icoN", "  ", " | ", " |", "a.b", ". ", "!", "?x", "\r\n",
            "\r", "\0", "\u{7f}", "\u{a0}", "\u{2009}", "\u{2019}", "\u{2081}", "\u{3000}",
            "\u{3001}", "\u{feff}", "\u{1680}", "é", "の",
        ];
        for pat in patterns {
            for len in 44..140 {
                for fill in ["x", " ", "\u{2019}"] {
                    let head: String = fill.repeat(len).chars().take(len).collect();
                    lines.push(format!("{head}{pat}"));
                    lines.push(format!("{head}{pat}yy"));
                    lines.push(format!("{head}{pat}  "));
                }
            }
        }
        // Random mixes in long lines: several blocks, patterns cut by their edges.
        for _ in 0..2_000 {
            let mut l = String::new();
            let len = rng.next_u64() % 400;
            while (l.len() as u64) < len {
                l.push_str(pieces[(rng.next_u64() % pieces.len() as u64) as usize]);
                if rng.next_u64().is_multiple_of(4) {
                    l.push_str("words ");
                }
            }
            lines.push(l);
        }
        for l in &lines {
            let want = line_flags_reference(l);
            assert_eq!(line_flags(l.as_bytes()), want, "{l:?}");
            // The plain lane loop over whole flags (all positions alike) agrees too.
            assert_eq!(or_lanes(l.as_bytes(), flags_at), want, "{l:?}");
        }
    }

    /// Found by tests/test_hostile.py: a menu ending in "Sign in" merged into the next line.
    #[test]
    fn regression_menus_do_not_continue() {
        assert!(continues("troops moved into", "Kharkiv on Friday"));
        assert!(!continues(
            "Home | World | Sign in",
            "Ukrainian forces entered"
        ));
        assert!(!continues(
            "Home | World | Sign in",
            "Home | World | Sign in"
        ));
    }

    #[test]
    fn normalize_fast_path_agrees_with_the_full_one() {
        let parts = [
            " ", "  ", "a", "bc", "\u{a0}", "\u{200b}", "\t", "\u{2019}", "\u{3000}", "é", ".",
        ];
        let mut rng = crate::testing::XorShift(0x005E_ED0F_5EED);
        for _ in 0..20_000 {
            let n = (rng.next_u64() % 12) as usize;
            let s: String = (0..n)
                .map(|_| parts[(rng.next_u64() % parts.len() as u64) as usize])
                .collect();
            let flags = line_flags(s.as_bytes());
            assert_eq!(
                normalize_ws_flagged(&s, flags),
                normalize_ws_changed(&s, flags),
                "{s:?}"
            );
        }
    }

    #[test]
    fn normalizes_whitespace() {
        assert_eq!(normalize_ws("  a\u{a0}\u{a0} b\t\0c  "), "a b c");
        assert_eq!(normalize_ws("a\u{a0}b\u{200b}c\u{a0}"), "a\u{a0}bc");
        assert_eq!(normalize_ws(" \n "), "");
        assert_eq!(normalize_ws("  a  “b”  c "), "a “b” c");
        assert_eq!(normalize_ws("a\u{2009}b\u{3000}c\u{feff}d"), "a b cd");
    }

    #[test]
    fn glue_points_agree_with_the_reference() {
        let parts = [
            ".", "!", "?", " ", "a", "B", "1", "\u{201d}", "\u{201c}", "(", "Mr", "U", "S", "é",
            "É", "한", "日", "...", "\u{a0}", "x.Y",
        ];
        let mut rng = crate::testing::XorShift(0x0061_0E0F_C0DE);
        let mut lines: Vec<String> = (0..50_000)
            .map(|_| {
                let n = (rng.next_u64() % 16) as usize;
                (0..n)
                    .map(|_| parts[(rng.next_u64() % parts.len() as u64) as usize])
                    .collect()
            })
            .collect();
        lines.extend(crate::testing::dev_set_lines());
        for l in &lines {
            assert_eq!(glue_points(l), glue_points_with::<false>(l), "{l:?}");
        }
    }

    #[test]
    fn splits_glued_sentences() {
        assert_eq!(
            split_glued("last week.The Ministry said"),
            vec!["last week.", "The Ministry said"]
        );
        assert_eq!(
            split_glued("the U.S. Army and 3.5 km"),
            vec!["the U.S. Army and 3.5 km"]
        );
        assert_eq!(split_glued("wrote.“We will"), vec!["wrote.", "“We will"]);
        assert_eq!(split_glued("it said.”Then"), vec!["it said.”", "Then"]);
        assert_eq!(split_glued("Mr.Smith went"), vec!["Mr.Smith went"]);
        assert_eq!(split_glued("in 2019.The end"), vec!["in 2019.", "The end"]);
        assert_eq!(split_glued("Sportsnet.ca is"), vec!["Sportsnet.ca is"]);
        assert_eq!(split_glued("ASP.NET core"), vec!["ASP.NET core"]);
    }

    /// The tail's last word is a join word: the `rsplit` it replaced.
    fn ends_with_join_word_reference(a: &str) -> bool {
        let tail = a
            .get(a.len().saturating_sub(JOIN_WORD_MAX + 3)..)
            .unwrap_or(a);
        let last_word = tail.rsplit(is_sep).next().unwrap_or("");
        last_word.len() < tail.len() && is_join_word(last_word)
    }

    #[test]
    fn ends_with_join_word_agrees_with_rsplit() {
        let mut lines: Vec<String> = Vec::new();
        let seps = [
            " ", "\u{a0}", "\u{202f}", "\u{2007}", "\u{2009}", "é", "ï", "", "  ",
            // Characters ending in a separator's last byte (0xA0, 0xAF, 0x87) that are none.
            "à", "ч", "ǯ",
        ];
        let heads = ["", "x", "according to", "Привет", "日本語の", "é\u{a0}"];
        for h in heads {
            for sep in seps {
                for w in JOIN_WORDS
                    .iter()
                    .chain(&["The", "hopes", "x", "", "including!", "the."])
                {
                    for pad in ["", "a", "éé", "abcdefghij", "\u{a0}", "à", "ч"] {
                        lines.push(format!("{h}{pad}{sep}{w}"));
                        lines.push(format!("{pad}{h}{sep}{w}"));
                    }
                }
            }
        }
        lines.extend(crate::testing::dev_set_lines());
        for l in &lines {
            assert_eq!(
                ends_with_join_word(l),
                ends_with_join_word_reference(l),
                "{l:?}"
            );
        }
    }

    #[test]
    fn join_words_pass_the_first_byte_filter() {
        for w in JOIN_WORDS {
            assert!(is_join_word(w), "{w}");
        }
        for w in ["", "The", "hopes", "Nadal", "the.", "и ", "über"] {
            assert!(!is_join_word(w), "{w}");
        }
    }

    /// The key look-up of [`is_join_word`] against the list: every join word with a byte
    /// changed, cut, grown (by a NUL too) or capitalised, and the words of the dev pages.
    #[test]
    fn join_word_keys_agree_with_the_list() {
        let mut words: Vec<Vec<u8>> = Vec::new();
        for w in JOIN_WORDS {
            let b = w.as_bytes().to_vec();
            for i in 0..b.len() {
                for c in [0u8, b' ', b'a', b'e', b's', 0xFF] {
                    let mut v = b.clone();
                    v[i] = c;
                    words.push(v);
                }
                words.push(b[..i].to_vec());
                words.push(b[i..].to_vec());
            }
            for tail in [&b"\0"[..], b"s", b"\0\0", b"x\0"] {
                words.push([&b[..], tail].concat());
            }
            words.push(w.to_uppercase().into_bytes());
            words.push(b);
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cleanup-dev");
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                words.extend(text.split_whitespace().map(|w| w.as_bytes().to_vec()));
            }
        }
        for b in &words {
            if let Ok(w) = std::str::from_utf8(b) {
                assert_eq!(is_join_word(w), JOIN_WORDS.contains(&w), "{w:?}");
            }
        }
    }

    #[test]
    fn continuation() {
        assert!(continues("Rafael Nadal", "kept Spain’s hopes"));
        assert!(continues("MADRID —", "Rafael Nadal"));
        assert!(continues("closed schools", ", and created"));
        assert!(continues("according to the", "New York Times"));
        assert!(!continues("It ended.", "Paris won"));
        assert!(!continues("Home", "News"));
    }
}
