//! The page title's words, and the share of a line's words that are title words (a feature
//! of the classifier: a repeat of the title, or a teaser for it, is no body).

use super::features::{self, AsciiBlock, FxSet};
use super::text;

/// The distinct lowercased words of `s`, trimmed of what is not a letter or digit.
pub(super) fn lower_words(s: &str) -> FxSet<String> {
    s.split(' ')
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The lowercased words of the page title, with filters that reject most words of a line
/// before they are lowercased and looked up.
pub(super) struct TitleWords {
    pub(super) words: FxSet<String>,
    /// Bit `k` set: some title word is `k` bytes long (63: longer).
    lens: u64,
    /// Bit `b` set: some title word starts with ASCII byte `b` (bit 127: a non-ASCII start).
    firsts: u128,
    /// The first characters of the title words that start with a non-ASCII character.
    other_firsts: Vec<char>,
    /// The title words of at most 8 bytes, packed (most words a line is checked for).
    short: Vec<u64>,
    /// Bit [`short_bit`] of each of `short` (a filter in front of the list).
    short_bits: u64,
    /// Per letter or digit `b` (`b - b'0'` for `b` up to `b'z'`): bit `k` set when some
    /// title word starts with `b` and is `k` bytes long (63: longer). A line's ASCII word is
    /// turned away by this alone unless both match.
    len_by_first: [u64; 75],
    /// The title words of more than 8 bytes.
    long: Vec<Box<[u8]>>,
}

/// Which of 64 bits a packed word sets in [`TitleWords::short_bits`].
#[inline(always)]
fn short_bit(key: u64) -> u32 {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as u32
}

/// `char::is_alphanumeric`, answering the letters news is mostly written in without the
/// Unicode tables ([`features::is_alphabetic`]).
#[inline]
fn is_alphanumeric(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        // General punctuation (dashes, curly quotes...): neither, and common at word edges.
        0x2000..=0x206F => false,
        _ => features::is_alphabetic(c) || c.is_numeric(),
    }
}

impl TitleWords {
    pub(super) fn new(words: FxSet<String>) -> Self {
        let lens = words.iter().fold(0, |m, w| m | 1u64 << w.len().min(63));
        let firsts = words.iter().fold(0, |m, w| {
            m | w.bytes().next().map_or(0, |b| 1u128 << b.min(127))
        });
        let mut other_firsts: Vec<char> = words
            .iter()
            .filter_map(|w| w.chars().next())
            .filter(|c| !c.is_ascii())
            .collect();
        other_firsts.sort_unstable();
        other_firsts.dedup();
        let short: Vec<u64> = words
            .iter()
            .map(|w| features::pack(w.as_bytes()))
            .filter(|&k| k != 0)
            .collect();
        let short_bits = short.iter().fold(0, |m, &k| m | 1u64 << short_bit(k));
        let mut len_by_first = [0u64; 75];
        for w in &words {
            let Some(&b) = w.as_bytes().first() else {
                continue;
            };
            if let Some(lens) = usize::from(b)
                .checked_sub(usize::from(b'0'))
                .and_then(|i| len_by_first.get_mut(i))
            {
                *lens |= 1u64 << w.len().min(63);
            }
        }
        let long = words
            .iter()
            .filter(|w| w.len() > 8)
            .map(|w| w.as_bytes().into())
            .collect();
        TitleWords {
            words,
            lens,
            firsts,
            other_firsts,
            short,
            short_bits,
            len_by_first,
            long,
        }
    }

    /// The share of a line's words that are title words (over the longer of the two).
    ///
    /// Words are split at spaces and lone no-break spaces ([`text::is_sep`]). The line is
    /// read from bit masks of its ASCII spaces, letters and digits, 64 bytes at a time, so
    /// an ASCII word (most words) costs a few bit operations rather than a loop over its
    /// bytes; a word with other characters is split at no-break spaces and read by char.
    /// A block ends at its last space, so no word spans two blocks.
    pub(super) fn similarity(&self, line: &str, buf: &mut String) -> f32 {
        let (mut hits, mut total) = (0usize, 0usize);
        let mut from = 0;
        while let Some(rest) = line.as_bytes().get(from..).filter(|r| !r.is_empty()) {
            let blk = AsciiBlock::new(rest.get(..64).unwrap_or(rest));
            // Most lines are all ASCII: one test spares gathering the (empty) mask of others.
            let any_high = blk.words.iter().fold(0, |m, &w| m | w) & u64::from_le_bytes([0x80; 8]);
            let high = if any_high != 0 { blk.high() } else { 0 };
            let (mut space, mut alnum, mut high) = (blk.space, blk.alnum, high);
            let mut used = rest.len();
            if rest.len() > 64 {
                if space == 0 {
                    // A word of 64 bytes or more: the plain way.
                    let end = from + memchr::memchr(b' ', rest).unwrap_or(rest.len());
                    let piece = line.get(from..end).unwrap_or_default();
                    self.piece(piece, buf, &mut hits, &mut total);
                    from = end;
                    continue;
                }
                let last = 63 - space.leading_zeros();
                let kept = u64::MAX >> (63 - last);
                space |= !kept;
                alnum &= kept;
                high &= kept;
                used = last as usize + 1;
            }
            let starts = !space & (space << 1 | 1);
            let ends = !space & (space >> 1 | 1 << 63);
            // The first letter or digit of each word: a carry from the word's start runs
            // through the bytes that are neither (nor spaces) and stops at the first that
            // is (or at the space after the word, which is no letter). Each counts a word;
            // its bytes are only read when its first letter starts a title word.
            let inner_other = !alnum & !space;
            let mut firsts = starts.wrapping_add(inner_other) & alnum;
            // Words with other characters than ASCII ones are counted by the slow path.
            while high != 0 {
                let at = high.trailing_zeros();
                // (`| 1`, `| 1 << a` below: never needed, but keep the subtractions in range.)
                let s = 63 - (starts & (u64::MAX >> (63 - at)) | 1).leading_zeros();
                let e = (ends & (u64::MAX << at)).trailing_zeros().min(63);
                let span = (u64::MAX >> (63 - e)) & (u64::MAX << s);
                high &= !span;
                firsts &= !span;
                let piece = line.get(from + s as usize..=from + e as usize);
                self.piece(piece.unwrap_or_default(), buf, &mut hits, &mut total);
            }
            while firsts != 0 {
                let a = firsts.trailing_zeros();
                firsts &= firsts - 1;
                // (Counted here: `count_ones` is a long sequence without a popcnt target.)
                total += 1;
                // A letter's or digit's bit 5 set is its lowercase.
                let first = blk.byte(a) | 0x20;
                let lens = usize::from(first)
                    .checked_sub(usize::from(b'0'))
                    .and_then(|i| self.len_by_first.get(i))
                    .copied()
                    .unwrap_or(0);
                if lens == 0 {
                    continue;
                }
                // The word's last letter or digit: the last one before its end.
                let e = (ends & (u64::MAX << a)).trailing_zeros().min(63);
                let z = 63 - (alnum & (u64::MAX >> (63 - e)) | 1 << a).leading_zeros();
                let len = z - a + 1;
                if lens & (1u64 << len.min(63)) == 0 {
                    continue;
                }
                let hit = if len <= 8 {
                    let key = blk.key_at(a, len);
                    self.short_bits & (1u64 << short_bit(key)) != 0 && self.short.contains(&key)
                } else {
                    let core = rest.get(a as usize..=z as usize).unwrap_or_default();
                    self.long.iter().any(|w| w.eq_ignore_ascii_case(core))
                };
                hits += usize::from(hit);
            }
            from += used;
        }
        if total == 0 {
            0.0
        } else {
            hits as f32 / total.max(self.words.len()) as f32
        }
    }

    /// Counts the words of a piece of a line between spaces.
    fn piece(&self, piece: &str, buf: &mut String, hits: &mut usize, total: &mut usize) {
        if piece.is_ascii() {
            self.ascii_word(piece.as_bytes(), buf, hits, total);
        } else if !piece.bytes().any(|b| matches!(b, 0xA0 | 0xAF | 0x87)) {
            // No byte ends a no-break space (U+00A0, U+202F, U+2007): one word, no split.
            self.word(piece, buf, hits, total);
        } else {
            for w in piece.split(text::is_nbsp) {
                self.word(w, buf, hits, total);
            }
        }
    }

    /// Counts an ASCII word: trimmed bytewise, turned away by its length and first byte
    /// before it is lowercased and looked up.
    fn ascii_word(&self, w: &[u8], buf: &mut String, hits: &mut usize, total: &mut usize) {
        let Some(core) = features::ascii_core(w).and_then(|(a, z)| w.get(a..z)) else {
            return;
        };
        *total += 1;
        // Lowercasing ASCII keeps the length, and the first byte's lowercase must be some
        // title word's first byte.
        let first = core.first().map_or(0, u8::to_ascii_lowercase);
        if self.lens & (1u64 << core.len().min(63)) == 0
            || self.firsts & (1u128 << first.min(127)) == 0
        {
            return;
        }
        // Up to 8 bytes: compared as packed integers (words hold no NUL, so padding is
        // unambiguous).
        if let Some(key) = features::ascii_key(core) {
            if self.short.contains(&key) {
                *hits += 1;
            }
            return;
        }
        buf.clear();
        buf.extend(core.iter().map(|b| b.to_ascii_lowercase() as char));
        if self.words.contains(buf.as_str()) {
            *hits += 1;
        }
    }

    /// Counts any word: lowercased only when its first letter starts some title word.
    fn word(&self, w: &str, buf: &mut String, hits: &mut usize, total: &mut usize) {
        let w = w.trim_matches(|c: char| !is_alphanumeric(c));
        if w.is_ascii() {
            // An ASCII word, or one whose only other characters were edge punctuation
            // (curly quotes): the fast path.
            return self.ascii_word(w.as_bytes(), buf, hits, total);
        }
        let mut chars = w.chars();
        let Some(c) = chars.next() else {
            return;
        };
        *total += 1;
        let first = match text::simple_lowercase(c) {
            Some(l) => l,
            None => c.to_lowercase().next().unwrap_or(c),
        };
        let may_match = if first.is_ascii() {
            self.firsts & (1u128 << (first as u8).min(127)) != 0
        } else {
            self.other_firsts.binary_search(&first).is_ok()
        };
        if !may_match {
            return;
        }
        buf.clear();
        for c in w.chars() {
            match text::simple_lowercase(c) {
                Some(l) => buf.push(l),
                None => buf.extend(c.to_lowercase()),
            }
        }
        // No title word is as long: no need to hash it.
        if self.lens & (1u64 << buf.len().min(63)) != 0 && self.words.contains(buf.as_str()) {
            *hits += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The similarity as the words are defined: split at spaces and no-break spaces, trimmed
    /// of other characters than letters and digits, lowercased.
    fn similarity_reference(title: &FxSet<String>, line: &str) -> f32 {
        let (mut hits, mut total) = (0usize, 0usize);
        for w in line.split(text::is_sep) {
            let w = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if w.is_empty() {
                continue;
            }
            total += 1;
            hits += usize::from(title.contains(&w));
        }
        if total == 0 {
            0.0
        } else {
            hits as f32 / total.max(title.len()) as f32
        }
    }

    #[test]
    fn is_alphanumeric_agrees_with_the_tables() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn similarity_matches_reference() {
        let titles = [
            "Rafael Nadal keeps Spain's hopes alive in the Davis Cup semifinal",
            "Internationalisation of the extraordinary: counterrevolutionary 2022",
            "Путин встретился с президентом Франции в Москве",
            "A 1 b2 Über straße NIÑO x",
            "İstanbul ΣΊΣΥΦΟΣ ǅemal",
        ];
        let mut lines: Vec<String> = vec![
            String::new(),
            " ".into(),
            "  ...  !! ".into(),
            "Nadal, NADAL; nadal... (Davis) \"Cup\" semifinal!".into(),
            "INTERNATIONALISATION of The Extraordinary counterrevolutionary2022".into(),
            "президентом Франции встретился — Путин".into(),
            "über Straße niño X a A 1 B2".into(),
            format!("{} Nadal", "x".repeat(70)),
            format!("the {} the", "Internationalisation-".repeat(5)),
            format!("{}the", " ".repeat(63)),
            format!("{}Davis Cup", "a ".repeat(31)),
            "Nadal\u{a0}Davis\u{202f}Cup the".into(),
        ];
        // Random lines over a small alphabet of title fragments, punctuation and spaces.
        let pieces = [
            "the",
            "The",
            "THE",
            "Nadal",
            "nadal,",
            "cup",
            "Cup.",
            "spain's",
            "(hopes)",
            " ",
            "  ",
            "-",
            "2022",
            "extraordinary",
            "Extraordinary!",
            "Москве",
            "über",
            "x",
            "ab",
            "semifinal",
            "semifinals",
            "\u{a0}",
            "—",
            "é",
            "a1",
            "...",
            "İstanbul",
            "σίσυφος",
            "ǅemal",
            "҂",
            "“Nadal”",
            "don’t",
            "\u{2007}",
            "«Москве»",
        ];
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..4000 {
            let mut l = String::new();
            let n = (rng.next_u64() % 40) as usize;
            for k in 0..n {
                let seed = rng.next_u64();
                l.push_str(pieces[(seed % pieces.len() as u64) as usize]);
                if seed >> 20 & 1 == 0 || k % 5 == 0 {
                    l.push(' ');
                }
            }
            lines.push(l);
        }
        let mut buf = String::new();
        for t in titles {
            let words = lower_words(t);
            let tw = TitleWords::new(words.clone());
            for l in &lines {
                assert_eq!(
                    tw.similarity(l, &mut buf),
                    similarity_reference(&words, l),
                    "{t:?} / {l:?}"
                );
            }
        }
    }
}
