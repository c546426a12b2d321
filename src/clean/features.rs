//! Per-line statistics and the feature vector the classifier reads.
//!
//! Everything here is language-agnostic or multilingual: lengths count characters for
//! scripts without spaces, "words" for the rest; stopwords and cue phrases cover the
//! dev-set languages. The same code feeds training (examples/dump_units.rs) and inference,
//! so the learned model sees exactly what it was trained on.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, MatchKind, StartKind};

use super::text::{is_cjk, is_terminal};

/// The crate's one fast hasher, for short keys we control.
pub use crate::hash::FxHasher as Fx;
pub type FxSet<T> = HashSet<T, BuildHasherDefault<Fx>>;

const STOPWORDS: &[&str] = &[
    // en
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from",
    "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its", "that",
    "this", "which", "who", "he", "she", "they", "we", "you", "his", "her", "their", "our", "not",
    "will", "would", "can", "could", "said", "than", "about", "after", "into", "there", "also",
    "more", "when", "what", "if", "so", "do", "did", "i", "my", "me", "them", "been", "some",
    "all", "one", "out", "up", "just", "over", "how", // pt / es
    "o", "os", "as", "um", "uma", "de", "da", "do", "das", "dos", "em", "no", "na", "nos", "nas",
    "que", "e", "é", "para", "com", "por", "se", "não", "mais", "ao", "à", "foi", "el", "la",
    "los", "las", "del", "en", "y", "es", "por", "con", "su", "lo", // de
    "der", "die", "das", "und", "ist", "nicht", "mit", "sich", "den", "dem", "ein", "eine", "zu",
    "auf", "für", "von", "im", "auch", "es", "wie", "sie", "er", "wird", "hat", "aus",
    // it
    "il", "di", "che", "è", "per", "non", "un", "una", "gli", "le", "della", "con", "sono", "nel",
    "alla", "anche", // id
    "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "dalam", "tidak", "akan",
    "pada", "juga", "ada", "adalah", "oleh", // ru
    "и", "в", "не", "на", "что", "с", "по", "как", "это", "он", "она", "они", "к", "но", "из", "у",
    "за", "от", "то", "так", "же", "для", "о", "а", "бы", "его", "ее", "её", "все",
    // fr
    "le", "les", "des", "et", "un", "une", "est", "dans", "pour", "pas", "qui", "sur", "au",
];

/// The length in bytes of the longest stopword.
const LONGEST_STOPWORD: u32 = {
    let (mut longest, mut i) = (0, 0);
    while i < STOPWORDS.len() {
        if STOPWORDS[i].len() > longest {
            longest = STOPWORDS[i].len();
        }
        i += 1;
    }
    longest as u32
};

/// A word of at most 8 bytes packed into an integer (0 for longer words).
pub(super) fn pack(bytes: &[u8]) -> u64 {
    if bytes.is_empty() || bytes.len() > 8 {
        return 0;
    }
    let mut w = [0u8; 8];
    w[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// Slots of [`STOP_TABLE`] (of 8 bytes: 16 KiB).
const STOP_SLOTS: usize = 2048;

/// A multiplier that hashes the packed stopwords to distinct slots (found by trying random
/// odd numbers, as the ignored test `find_stop_multiplier` does; the table's build checks it).
const STOP_MULTIPLIER: u64 = 0x4b55_2211_09fe_066d;

/// An empty slot: no key (bytes of UTF-8 are never 0xFF).
const NO_STOPWORD: u64 = u64::MAX;

#[inline]
const fn stop_slot(key: u64) -> usize {
    (key.wrapping_mul(STOP_MULTIPLIER) >> (64 - STOP_SLOTS.trailing_zeros())) as usize % STOP_SLOTS
}

/// The packed stopwords, each in its own slot (perfect hashing), built at compile time: a
/// lookup is a multiply, one load and one compare.
struct StopTable([u64; STOP_SLOTS]);

static STOP_TABLE: StopTable = {
    let mut t = [NO_STOPWORD; STOP_SLOTS];
    let mut i = 0;
    while i < STOPWORDS.len() {
        let w = STOPWORDS[i].as_bytes();
        if !w.is_empty() && w.len() <= 8 {
            let mut k = 0u64;
            let mut j = 0;
            while j < w.len() {
                k |= (w[j] as u64) << (8 * j);
                j += 1;
            }
            let h = stop_slot(k);
            assert!(
                t[h] == NO_STOPWORD || t[h] == k,
                "stopword table: two stopwords share a slot (find another STOP_MULTIPLIER)"
            );
            t[h] = k;
        }
        i += 1;
    }
    StopTable(t)
};

/// Is the packed, lowercased word a stopword?
#[inline]
fn is_stopword_key(key: u64) -> bool {
    STOP_TABLE.0[stop_slot(key)] == key
}

/// The packed stopwords as a set (the reference for [`STOP_TABLE`]).
#[cfg(test)]
fn stopwords() -> &'static FxSet<u64> {
    static S: OnceLock<FxSet<u64>> = OnceLock::new();
    S.get_or_init(|| {
        STOPWORDS
            .iter()
            .map(|w| pack(w.as_bytes()))
            .filter(|&k| k != 0)
            .collect()
    })
}

/// The lowercased word packed as [`pack`] does (`None`: longer than 8 bytes once
/// lowercased), without allocating.
#[inline]
fn stopword_key(word: &str) -> Option<u64> {
    if word.len() > 16 {
        return None;
    }
    if word.is_ascii() {
        return ascii_key(word.as_bytes());
    }
    // Characters of one or two bytes never lowercase to fewer bytes (a test checks): past
    // 8 bytes without a longer character, no key.
    if word.len() > 8 && word.bytes().all(|b| b < 0xE0) {
        return None;
    }
    let mut w = [0u8; 8];
    let mut n = 0;
    let mut push = |c: char| {
        let l = c.len_utf8();
        let room = w.get_mut(n..n + l)?;
        c.encode_utf8(room);
        n += l;
        Some(())
    };
    for c in word.chars() {
        match super::text::simple_lowercase(c) {
            Some(l) => push(l)?,
            None => {
                for l in c.to_lowercase() {
                    push(l)?;
                }
            }
        }
    }
    Some(u64::from_le_bytes(w))
}

/// Is the core (a byte range of `line`; empty: none) of a word a stopword?
#[inline]
fn core_is_stopword(line: &str, core: (usize, usize)) -> bool {
    let b = line.as_bytes();
    match b
        .get(core.0..core.1)
        .map(|w| short_core_key(w, b.get(core.0..)))
    {
        Some(ShortKey::Key(key)) => is_stopword_key(key),
        Some(ShortKey::NotStopword) => false,
        _ => other_core_is_stopword(line, core),
    }
}

/// [`core_is_stopword`] of a core [`short_core_key`] leaves undecided (rare: out of line).
#[cold]
#[inline(never)]
fn other_core_is_stopword(line: &str, core: (usize, usize)) -> bool {
    line.get(core.0..core.1)
        .filter(|c| !c.is_empty())
        .and_then(stopword_key)
        .is_some_and(is_stopword_key)
}

/// What [`short_core_key`] makes of a word.
enum ShortKey {
    /// The word's [`stopword_key`].
    Key(u64),
    /// The word is no stopword.
    NotStopword,
    /// Not decided: ask [`stopword_key`].
    Other,
}

/// Per code point below U+0800 (a character of two bytes), the two bytes (first in the low
/// byte) of its [`simple_lowercase`](super::text::simple_lowercase) when that is of two bytes
/// too; 0 otherwise (and for code points below U+0080, never encoded in two bytes).
static LOWER_TWO_BYTE: [u16; 0x800] = {
    let mut t = [0u16; 0x800];
    let mut cp = 0x80;
    while cp < 0x800 {
        if let Some(c) = char::from_u32(cp) {
            if let Some(l) = super::text::simple_lowercase(c) {
                let l = l as u32;
                if l >= 0x80 && l < 0x800 {
                    t[cp as usize] = ((0xC0 | l >> 6) | (0x80 | (l & 0x3F)) << 8) as u16;
                }
            }
        }
        cp += 1;
    }
    t
};

/// [`stopword_key`] of a word of at most 8 bytes (most words [`core_is_stopword`] is asked
/// about: short Cyrillic and accented Latin ones), byte by byte without decoding: ASCII
/// letters and characters of two bytes whose [`simple_lowercase`](super::text::simple_lowercase)
/// is two bytes too keep their places in the key. A character of three bytes that lowercases
/// to itself (CJK, general punctuation) stays in the key, and no stopword has such a character
/// (a test checks): no stopword. Longer words are no stopword where [`stopword_key`] has
/// no key for them: past 16 bytes, or past 8 without a character of three bytes or more;
/// words of up to 16 bytes with such characters are decided by the first of them, as above.
/// Anything else is left undecided. `from_word` is the text from the word's start on (the
/// word and maybe more): eight bytes of it are read at once when there are.
#[inline]
fn short_core_key(word: &[u8], from_word: Option<&[u8]>) -> ShortKey {
    // Bytes of 0xE0 and above (those that start a character of three or four bytes) have
    // their three top bits set.
    let long_chars = |x: u64| x & (x << 1) & (x << 2) & HIGHS != 0;
    let len = word.len();
    if len > 16 {
        return ShortKey::NotStopword;
    }
    if len > 8 {
        // The first and the last eight bytes (overlapping) cover the word.
        let first = word.get(..8).and_then(|w| w.try_into().ok());
        let last = word.get(len - 8..).and_then(|w| w.try_into().ok());
        return match (first, last) {
            (Some(f), Some(l))
                if !long_chars(u64::from_le_bytes(f)) && !long_chars(u64::from_le_bytes(l)) =>
            {
                ShortKey::NotStopword
            }
            // Hangul and kana words and the like: their first such character decides.
            _ => short_core_key_long(word),
        };
    }
    if len == 0 {
        return ShortKey::Other;
    }
    // The word's bytes, zeros past its end (one load where eight bytes follow its start).
    let x = match from_word
        .and_then(|w| w.get(..8))
        .and_then(|w| w.try_into().ok())
    {
        Some(w) => u64::from_le_bytes(w) & (u64::MAX >> (64 - 8 * len)),
        None => word.iter().rev().fold(0u64, |k, &b| k << 8 | u64::from(b)),
    };
    let high = x & HIGHS;
    // ASCII bytes (their high bit clear) lowercased.
    let mut key = x | (swar_in(x & !HIGHS, b'A', b'Z') & !x) >> 2;
    if high == 0 {
        return ShortKey::Key(key);
    }
    if long_chars(x) {
        return short_core_key_long(word);
    }
    // First bytes of characters of two bytes (0xC0 to 0xDF), each followed by one that
    // continues it, none at the end: else a character is cut off at the range's edges.
    let lead = high & (x << 1);
    if lead << 8 != high & !lead || lead >> 56 != 0 {
        return ShortKey::Other;
    }
    let mut leads = lead;
    while leads != 0 {
        // The character's first bit (its lead byte's high bit is 7 above).
        let at = leads.trailing_zeros() - 7;
        leads &= leads - 1;
        let cp = (x >> at & 0x1F) << 6 | (x >> (at + 8) & 0x3F);
        let lower = LOWER_TWO_BYTE[cp as usize % 0x800];
        if lower == 0 {
            return ShortKey::Other;
        }
        key = key & !(0xFFFF << at) | u64::from(lower) << at;
    }
    ShortKey::Key(key)
}

/// [`short_core_key`] of a word with a character of three bytes or more, character by
/// character up to the first such: one that lowercases to itself stays in the key (which
/// no stopword's has), wherever it stands.
#[cold]
fn short_core_key_long(word: &[u8]) -> ShortKey {
    let mut i = 0;
    while let Some(&lead) = word.get(i) {
        match lead {
            0..=0x7F => i += 1,
            // A character cut off at the range's end (never a core's) is left undecided.
            0xC0..=0xDF if i + 2 <= word.len() => {
                let next = u32::from(word.get(i + 1).copied().unwrap_or(0) & 0x3F);
                let cp = u32::from(lead & 0x1F) << 6 | next;
                let lower = char::from_u32(cp).and_then(super::text::simple_lowercase);
                match lower.map(char::len_utf8) {
                    Some(2) => i += 2,
                    _ => return ShortKey::Other,
                }
            }
            0xE0..=0xEF if i + 3 <= word.len() => {
                let byte = |k: usize| u32::from(word.get(i + k).copied().unwrap_or(0) & 0x3F);
                let cp = u32::from(lead & 0x0F) << 12 | byte(1) << 6 | byte(2);
                let c = char::from_u32(cp);
                if c.is_some_and(|c| super::text::simple_lowercase(c) == Some(c)) {
                    return ShortKey::NotStopword;
                }
                return ShortKey::Other;
            }
            _ => return ShortKey::Other,
        }
    }
    ShortKey::Other
}

/// [`stopword_key`] of an ASCII word.
#[inline]
pub(super) fn ascii_key(word: &[u8]) -> Option<u64> {
    if word.len() > 8 {
        return None;
    }
    // Built in a register (eight byte stores then a u64 load would stall store
    // forwarding), then lowercased eight bytes at once.
    let key = word.iter().rev().fold(0u64, |k, &b| k << 8 | u64::from(b));
    Some(key | swar_in(key, b'A', b'Z') >> 2)
}

/// The stopword key of an ASCII word core whose letters and digits are the bits of `core`
/// (bit 0 set: the core's first byte) and whose bytes are the low bytes of `raw` (0 if longer
/// than 8 bytes). Each byte is ORed with 0x20 rather than lowercased (fewer operations): a
/// byte so ORed is a lowercase letter only if it was that letter in either case, and all
/// ASCII stopwords are lowercase letters (a test checks), so the key is a stopword's exactly
/// when the lowercased core's is.
#[inline(always)]
fn ascii_core_key(raw: u64, core: u64) -> u64 {
    match CORE_BYTES.get(core as usize) {
        Some(&keep) => (raw | (LOWS * 0x20)) & keep,
        None => 0,
    }
}

/// Per mask of a core's letters and digits of at most 8 bytes: the mask of its bytes, from
/// the first to the highest bit's byte (a load instead of a bit scan and shifts).
static CORE_BYTES: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut m = 1;
    while m < 256 {
        let len = 64 - (m as u64).leading_zeros();
        t[m] = u64::MAX >> (64 - 8 * len);
        m += 1;
    }
    t
};

/// `char::is_alphabetic`, answering the scripts news is mostly written in (Latin-1 and
/// Latin Extended letters, Cyrillic) without the Unicode tables.
#[inline]
pub(super) fn is_alphabetic(c: char) -> bool {
    match c as u32 {
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F | 0x400..=0x481 | 0x48A..=0x52F => true,
        // Kana, CJK ideographs, hangul syllables.
        0x3041..=0x3096 | 0x30A1..=0x30FA | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => {
            true
        }
        _ => c.is_alphabetic(),
    }
}

/// `char::is_uppercase`, answering Latin-1, basic Cyrillic and the caseless CJK and hangul
/// blocks without the Unicode tables.
#[inline]
fn is_upper(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_uppercase(),
        0xC0..=0xD6 | 0xD8..=0xDE | 0x400..=0x42F => true,
        0xDF..=0xF6 | 0xF8..=0xFF | 0x430..=0x45F | 0x3000..=0xA63F | 0xAC00..=0xD7FF => false,
        _ => c.is_uppercase(),
    }
}

/// The byte range of an ASCII word from its first to its last letter or digit.
#[inline]
pub(super) fn ascii_core(word: &[u8]) -> Option<(usize, usize)> {
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    Some((
        word.iter().position(alnum)?,
        word.iter().rposition(alnum)? + 1,
    ))
}

// The class lanes of a line's byte and character counts (8 bits each in a u64).
const LETTER: u64 = 1;
const UPPER: u64 = 1 << 8;
const DIGIT: u64 = 1 << 16;
const PUNCT: u64 = 1 << 24;
const COMMA: u64 = 1 << 32;
const SEP: u64 = 1 << 40;

/// Sentence-final ASCII punctuation, counted in [`ASCII_LANES`] in the lane that is
/// [`CJK_LANE`] for other characters (no ASCII character is CJK); [`Stats::add_lanes`]
/// ignores it: it only tells an ASCII line whether sentence breaks are possible.
const ASCII_TERMINAL: u64 = 1 << 48;

/// Classes of ASCII bytes as `Stats` counts them, one 8-bit lane each: letter, uppercase,
/// digit, punctuation, comma, separator, and [`ASCII_TERMINAL`] (bytes >= 0x80 unused).
static ASCII_LANES: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_uppercase() {
            LETTER | UPPER
        } else if b.is_ascii_lowercase() {
            LETTER
        } else if b.is_ascii_digit() {
            DIGIT
        } else if b == b',' {
            PUNCT | COMMA
        } else if b == b'|' || b == b'/' || b == b'>' {
            PUNCT | SEP
        } else if b == b' ' {
            // A separator, never inside a word: counts in no class.
            0
        } else if b == b'.' || b == b'!' || b == b'?' {
            PUNCT | ASCII_TERMINAL
        } else {
            PUNCT
        };
        c += 1;
    }
    t
};

/// More lanes of a character's counts beyond [`ASCII_LANES`]'s: CJK, and the CJK full stop,
/// exclamation and question marks (a sentence break wherever they stand).
const CJK_LANE: u64 = 1 << 48;
const BREAK_LANE: u64 = 1 << 56;

/// Flags of a character: a word separator; a capital (counts at a word's start); a letter
/// or digit (bounds a word's core); sentence-final punctuation (before a capital, a
/// sentence break).
const F_SEP: u8 = 1;
const F_CAP: u8 = 2;
const F_ALNUM: u8 = 4;
const F_TERMINAL: u8 = 8;

/// What one character adds to a line's counts (lanes as in [`ASCII_LANES`], plus
/// [`CJK_LANE`] and [`BREAK_LANE`]) and its flags: the per-character rules of the
/// statistics, in one place.
fn char_class(c: char) -> (u64, u8) {
    if super::text::is_sep(c) {
        return (0, F_SEP);
    }
    let terminal = if is_terminal(c) { F_TERMINAL } else { 0 };
    if c.is_ascii() {
        let mut f = terminal;
        if c.is_ascii_uppercase() {
            f |= F_CAP;
        }
        if c.is_ascii_alphanumeric() {
            f |= F_ALNUM;
        }
        return (ASCII_LANES[c as usize] & !ASCII_TERMINAL, f);
    }
    match c as u32 {
        // Kana, common CJK ideographs, hangul syllables: caseless letters.
        0x3041..=0x3096 | 0x30A1..=0x30FA | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => {
            (LETTER | CJK_LANE, F_ALNUM | terminal)
        }
        // General punctuation (dashes, curly quotes...) and Latin-1 symbols: neither
        // letters nor digits, nor capitals.
        0x2000..=0x206F | 0xA0..=0xA9 | 0xAB..=0xB1 | 0xB4 | 0xB6..=0xB8 | 0xBB | 0xBF => {
            let sep = if matches!(c, '•' | '·' | '»' | '›') {
                SEP
            } else {
                0
            };
            (PUNCT | sep, terminal)
        }
        _ => {
            let upper = is_upper(c);
            let mut f = terminal;
            if upper {
                f |= F_CAP;
            }
            let mut lanes = if is_alphabetic(c) {
                f |= F_ALNUM;
                if is_cjk(c) {
                    LETTER | CJK_LANE
                } else if upper {
                    LETTER | UPPER
                } else {
                    LETTER
                }
            } else if c.is_numeric() {
                f |= F_ALNUM;
                DIGIT
            } else {
                let mut l = PUNCT;
                if matches!(c, ',' | '、' | '，') {
                    l |= COMMA;
                }
                if matches!(c, '|' | '•' | '·' | '»' | '/' | '>' | '›') {
                    l |= SEP;
                }
                l
            };
            if matches!(c, '。' | '！' | '？') {
                lanes |= BREAK_LANE;
            }
            (lanes, f)
        }
    }
}

/// [`char_class`] of every character of the Basic Multilingual Plane: a class number per
/// code point (64 KiB, of which a page of text touches a few lines), and the counts and
/// flags of each class (a few dozen).
struct CharTable {
    classes: Box<[u8; 0x10000]>,
    lanes: [u64; 256],
    flags: [u8; 256],
    /// Per class without letters or digits: an ASCII character of that class (0: none).
    stand_in: [u8; 256],
}

/// Blocks of the Basic Multilingual Plane whose code points share one class: CJK
/// ideographs, hangul syllables, surrogates, private use.
const UNIFORM_BLOCKS: [std::ops::Range<u32>; 5] = [
    0x3400..0x4DC0,
    0x4E00..0xA000,
    0xAC00..0xD7A4,
    0xD800..0xE000,
    0xE000..0xF900,
];

/// At most this many classes of characters of the BMP (the build of [`char_table`] checks):
/// [`Stats::unicode_line`] keeps a mask per class, and one bit per class in a word.
const CHAR_CLASSES: usize = 64;

fn char_table() -> &'static CharTable {
    static T: OnceLock<CharTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = CharTable {
            classes: Box::new([0; 0x10000]),
            lanes: [0; 256],
            flags: [0; 256],
            stand_in: [0; 256],
        };
        let mut seen: Vec<(u64, u8)> = vec![];
        let mut cp = 0u32;
        while let Some(class) = t.classes.get_mut(cp as usize..) {
            // Blocks of code points that all share their first's class (a test checks) take
            // it at once: building the table costs a process little.
            let run = UNIFORM_BLOCKS
                .iter()
                .find(|r| r.start == cp)
                .map_or(1, |r| r.len());
            // Surrogates are no characters: never looked up.
            let ci = char::from_u32(cp).map_or((0, 0), char_class);
            let k = seen.iter().position(|&x| x == ci).unwrap_or_else(|| {
                seen.push(ci);
                seen.len() - 1
            });
            class.iter_mut().take(run).for_each(|c| *c = k as u8);
            cp += run as u32;
        }
        // A few dozen: a change to `char_class` past the limit fails here, in every test.
        assert!(
            seen.len() <= CHAR_CLASSES,
            "char_class: more classes than CHAR_CLASSES"
        );
        for (k, (lanes, flags)) in seen.into_iter().enumerate().take(256) {
            t.lanes[k] = lanes;
            t.flags[k] = flags;
        }
        for c in (1..0x80u8).rev() {
            let k = t.classes[usize::from(c)] as usize;
            if t.flags[k] & F_ALNUM == 0 {
                t.stand_in[k] = c;
            }
        }
        t
    })
}

impl CharTable {
    /// `b` with each character other than ASCII replaced by an ASCII character of its class,
    /// when every one has such a stand-in (`None` otherwise). A line of ASCII text with
    /// curly quotes, dashes and no-break spaces has the statistics of its stand-in line
    /// (starts, ends and cues aside): the classes are what the statistics count, and a word
    /// core holding such a character is no stopword either way (stopwords are letters).
    ///
    /// Written into `out` (a buffer kept across lines: no allocation per line); false when
    /// some character has no stand-in (`out` then holds a part).
    fn ascii_stand_in(&self, b: &[u8], out: &mut Vec<u8>) -> bool {
        out.clear();
        // Room for the whole line (a stand-in is never longer), written over from the start:
        // eight-byte stores need no capacity checks, and the copy is one memcpy.
        out.extend_from_slice(b);
        // Read from `b` at `i`, written to `out` at `n` (never past `i`).
        let (mut i, mut n) = (0, 0);
        loop {
            // Sixteen ASCII bytes at a time (most of such a line), copied as they are.
            const HIGHS_16: u128 = (HIGHS as u128) << 64 | HIGHS as u128;
            while let (Some(src), Some(dst)) = (
                b.get(i..i + 16).and_then(|w| <&[u8; 16]>::try_from(w).ok()),
                out.get_mut(n..n + 16)
                    .and_then(|w| <&mut [u8; 16]>::try_from(w).ok()),
            ) {
                if u128::from_le_bytes(*src) & HIGHS_16 != 0 {
                    break;
                }
                *dst = *src;
                i += 16;
                n += 16;
            }
            let Some(&c) = b.get(i) else {
                break;
            };
            // Eight bytes at a time where there are: all stored, then only their ASCII prefix
            // kept (the rest is written over).
            let src = b.get(i..i + 8).and_then(|w| <&[u8; 8]>::try_from(w).ok());
            let dst = out
                .get_mut(n..n + 8)
                .and_then(|w| <&mut [u8; 8]>::try_from(w).ok());
            if let (Some(src), Some(dst)) = (src, dst) {
                *dst = *src;
                let x = u64::from_le_bytes(*src);
                let ascii = ((x & HIGHS).trailing_zeros() / 8) as usize;
                i += ascii;
                n += ascii;
                if ascii == 8 {
                    continue;
                }
            } else if c.is_ascii() {
                if let Some(d) = out.get_mut(n) {
                    *d = c;
                }
                i += 1;
                n += 1;
                continue;
            }
            let Some((k, len)) = self.class_at(b, i) else {
                return false;
            };
            let c = self.stand_in[k];
            if c == 0 {
                return false;
            }
            if let Some(d) = out.get_mut(n) {
                *d = c;
            }
            n += 1;
            i += len;
        }
        out.truncate(n);
        true
    }

    /// The class of the character at `b[i]` (a character start of valid UTF-8) and its
    /// length in bytes (`None` beyond the BMP).
    #[inline(always)]
    fn class_at(&self, b: &[u8], i: usize) -> Option<(usize, usize)> {
        let byte = |k: usize| u32::from(b.get(i + k).copied().unwrap_or(0) & 0x3F);
        let lead = u32::from(b.get(i).copied().unwrap_or(0));
        let (cp, len) = match lead {
            0..=0x7F => (lead, 1),
            0x80..=0xDF => ((lead & 0x1F) << 6 | byte(1), 2),
            0xE0..=0xEF => ((lead & 0x0F) << 12 | byte(1) << 6 | byte(2), 3),
            _ => return None,
        };
        Some((self.classes[cp as u16 as usize] as usize, len))
    }

    /// The class of the character of two or three bytes whose bytes are the low bytes of `x`
    /// (the first in the lowest; `None` for other first bytes: beyond the BMP).
    #[inline(always)]
    fn bmp_class(&self, x: u32) -> Option<usize> {
        let cp = match x & 0xFF {
            0xC0..=0xDF => (x & 0x1F) << 6 | (x >> 8 & 0x3F),
            0xE0..=0xEF => (x & 0x0F) << 12 | (x >> 2 & 0xFC0) | (x >> 16 & 0x3F),
            _ => return None,
        };
        Some(self.classes[cp as u16 as usize] as usize)
    }

    /// Counts and flags of the character at `b[i]` (a character start of valid UTF-8), and
    /// its length in bytes.
    #[inline(always)]
    fn at(&self, b: &[u8], i: usize) -> (u64, u8, usize) {
        let byte = |k: usize| u32::from(b.get(i + k).copied().unwrap_or(0) & 0x3F);
        let lead = u32::from(b.get(i).copied().unwrap_or(0));
        let (cp, len) = match lead {
            0..=0x7F => (lead, 1),
            0x80..=0xDF => ((lead & 0x1F) << 6 | byte(1), 2),
            0xE0..=0xEF => ((lead & 0x0F) << 12 | byte(1) << 6 | byte(2), 3),
            _ => {
                // Beyond the BMP (emoji and the like): rare, classed directly.
                let cp = (lead & 0x07) << 18 | byte(1) << 12 | byte(2) << 6 | byte(3);
                let (lanes, flags) = char::from_u32(cp).map_or((0, 0), char_class);
                return (lanes, flags, 4);
            }
        };
        let k = self.classes[cp as u16 as usize] as usize;
        (self.lanes[k], self.flags[k], len)
    }
}

/// Up to 64 bytes of a line as eight little-endian words (padded with spaces), and bit
/// masks of its ASCII spaces and its ASCII letters and digits (from [`ByteMasks`]).
pub(super) struct AsciiBlock {
    pub(super) words: [u64; 8],
    pub(super) space: u64,
    pub(super) alnum: u64,
    /// Bytes of other characters than ASCII ones, and those that start one.
    high: u64,
    lead: u64,
}

impl AsciiBlock {
    #[inline(always)]
    pub(super) fn new(block: &[u8]) -> AsciiBlock {
        let words = Self::load(block);
        let m = ByteMasks::of(&words, block.len());
        Self::with_masks(words, &m)
    }

    /// The block of `words` whose masks are `m` (callers that want more of the masks, such
    /// as the counts, make them themselves).
    #[inline(always)]
    fn with_masks(words: [u64; 8], m: &ByteMasks) -> AsciiBlock {
        AsciiBlock {
            words,
            space: m.space,
            alnum: m.alnum,
            high: m.high,
            lead: m.lead,
        }
    }

    /// The block's bytes as eight little-endian words, padded with spaces.
    #[inline(always)]
    fn load(block: &[u8]) -> [u64; 8] {
        const SPACES: u64 = LOWS * b' ' as u64;
        let word = |b: &[u8], k: usize| {
            b.get(8 * k..8 * k + 8)
                .and_then(|w| w.try_into().ok())
                .map_or(SPACES, u64::from_le_bytes)
        };
        // A whole block (all but a line's last): eight loads, no length tests.
        if let Ok(whole) = <&[u8; 64]>::try_from(block) {
            return std::array::from_fn(|k| word(whole, k));
        }
        let mut words = [SPACES; 8];
        let mut chunks = block.chunks_exact(8);
        for (w, c) in words.iter_mut().zip(&mut chunks) {
            *w = c.try_into().map_or(SPACES, u64::from_le_bytes);
        }
        let whole = block.len() / 8;
        if let Some(w) = words
            .get_mut(whole)
            .filter(|_| !chunks.remainder().is_empty())
        {
            *w = load_padded(block, whole * 8);
        }
        words
    }

    /// The mask of the block's bytes of other characters than ASCII ones.
    #[inline(always)]
    pub(super) fn high(&self) -> u64 {
        self.high
    }

    /// Masks of the block's bytes of other characters than ASCII ones, and of those that
    /// start one (the rest continue one).
    #[inline(always)]
    fn high_and_lead(&self) -> (u64, u64) {
        (self.high, self.lead)
    }

    /// Byte `i` (below 64) of the block.
    #[inline(always)]
    pub(super) fn byte(&self, i: u32) -> u8 {
        (self.words[(i as usize / 8) % 8] >> (8 * (i % 8))) as u8
    }

    /// Eight bytes from byte `a` (below 64) of the block, the first in the lowest byte (past
    /// the block's end: any bytes).
    #[inline(always)]
    fn raw_at(&self, a: u32) -> u64 {
        let (q, r) = ((a as usize / 8) % 8, a % 8);
        let lo = self.words[q] >> (8 * r);
        // The next word's low bytes above `lo` (none when r == 0: a shift by 64 split in two).
        let hi = (self.words[(q + 1) % 8] << 1) << (63 - 8 * r);
        lo | hi
    }

    /// The lowercased key of the `len` bytes from byte `a` of the block (0 unless `len` is
    /// in 1..=8), without branches.
    #[inline(always)]
    pub(super) fn key_at(&self, a: u32, len: u32) -> u64 {
        let key = self.raw_at(a) & (u64::MAX >> (64 - 8 * len.clamp(1, 8)));
        let key = key | swar_in(key, b'A', b'Z') >> 2;
        if (1..=8).contains(&len) {
            key
        } else {
            0
        }
    }
}

/// Bit masks of the 64 bytes of a block (bit `i`: byte `i`): ASCII spaces, ASCII letters
/// and digits, ASCII capitals, bytes of other characters than ASCII ones (0x80 and above)
/// and those that start one (0xC0 and above); and the counts of ASCII letters, capitals and
/// digits in the lanes of [`ASCII_LANES`] (summed as the masks are made: the baseline
/// x86-64 target has no popcount instruction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteMasks {
    space: u64,
    alnum: u64,
    upper: u64,
    high: u64,
    lead: u64,
    counts: u64,
}

impl ByteMasks {
    /// The masks of a block of `len` (at most 64) bytes loaded as [`AsciiBlock::load`] does
    /// (the bytes past `len` are spaces).
    #[inline(always)]
    fn of(words: &[u64; 8], len: usize) -> ByteMasks {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        // SAFETY: the build enables SSE2 (the cfg above; it is in the x86-64 baseline), the
        // one feature `of_sse2` needs. (Calling a `#[target_feature]` function is unsafe even
        // then: the compiler does not count features enabled for the whole build.)
        return unsafe { Self::of_sse2(words, len) };
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        return Self::of_swar(words, len);
    }

    /// [`ByteMasks::of`] sixteen bytes at a time: SSE2 compares give the bytes' classes and
    /// a movemask their bits (SSE2 is in the x86-64 baseline). Signed compares keep bytes of
    /// 0x80 and above (negative) out of every ASCII range.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[target_feature(enable = "sse2")]
    #[inline]
    fn of_sse2(words: &[u64; 8], len: usize) -> ByteMasks {
        use std::arch::x86_64::{
            __m128i, _mm_add_epi64, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8,
            _mm_cvtsi128_si64, _mm_movemask_epi8, _mm_or_si128, _mm_sad_epu8, _mm_set1_epi8,
            _mm_set_epi64x, _mm_setzero_si128, _mm_slli_epi64, _mm_sub_epi8, _mm_unpackhi_epi64,
        };
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        let within = |x: __m128i, lo: u8, hi: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(x, splat(lo - 1)),
                _mm_cmpgt_epi8(splat(hi + 1), x),
            )
        };
        // Only the sixteen-byte chunks the block fills are looked at; the rest are spaces.
        let used = len.div_ceil(16).min(4);
        let mut m = ByteMasks::padding(16 * used as u32);
        // Per byte position, how many of the chunks have a letter, a capital, a digit there
        // (a compare's true is -1).
        let zero = _mm_setzero_si128();
        let (mut letters, mut capitals, mut digits) = (zero, zero, zero);
        for (k, pair) in words.chunks_exact(2).enumerate().take(used) {
            let x = _mm_set_epi64x(pair[1] as i64, pair[0] as i64);
            let bits = |v: __m128i| u64::from(_mm_movemask_epi8(v) as u16) << (16 * k);
            let letter = within(_mm_or_si128(x, splat(0x20)), b'a', b'z');
            let capital = within(x, b'A', b'Z');
            let digit = within(x, b'0', b'9');
            m.space |= bits(_mm_cmpeq_epi8(x, splat(b' ')));
            m.alnum |= bits(_mm_or_si128(letter, digit));
            m.upper |= bits(capital);
            m.high |= bits(x);
            // Lead bytes (0xC0 and above, signed -64 and above) among the high ones.
            m.lead |= bits(_mm_and_si128(x, _mm_cmpgt_epi8(x, splat(0xBF))));
            letters = _mm_sub_epi8(letters, letter);
            capitals = _mm_sub_epi8(capitals, capital);
            digits = _mm_sub_epi8(digits, digit);
        }
        // Sums of absolute differences from zero add up each half's bytes; each class goes
        // to its lane (at most 64 each: no carry), and the halves are added.
        let sums = _mm_add_epi64(
            _mm_sad_epu8(letters, zero),
            _mm_slli_epi64::<8>(_mm_sad_epu8(capitals, zero)),
        );
        let sums = _mm_add_epi64(sums, _mm_slli_epi64::<16>(_mm_sad_epu8(digits, zero)));
        m.counts = _mm_cvtsi128_si64(_mm_add_epi64(sums, _mm_unpackhi_epi64(sums, sums))) as u64;
        m
    }

    /// The masks of a block before any byte is looked at: the bytes from `used_bits` on
    /// (past the line) count as spaces.
    #[inline(always)]
    fn padding(used_bits: u32) -> ByteMasks {
        ByteMasks {
            space: u64::MAX.checked_shl(used_bits).unwrap_or(0),
            alnum: 0,
            upper: 0,
            high: 0,
            lead: 0,
            counts: 0,
        }
    }

    /// [`ByteMasks::of`] eight bytes at a time in plain integers (targets without SSE2;
    /// tested against the SSE2 version on x86-64).
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
    #[inline(always)]
    fn of_swar(words: &[u64; 8], len: usize) -> ByteMasks {
        // Only the words the block fills are looked at; the rest are spaces.
        let used = len.div_ceil(8).min(8);
        let mut m = ByteMasks::padding(8 * used as u32);
        // Per byte, how many of the words have a letter, a capital, a digit there.
        let (mut letters, mut capitals, mut digits) = (0u64, 0u64, 0u64);
        for (k, &x) in words.iter().enumerate().take(used) {
            let at = 8 * k;
            // Bytes of other characters are tested without their high bit, as `swar_in`
            // needs, and dropped from the ASCII classes.
            let (low7, ascii) = (x & !HIGHS, !x & HIGHS);
            let letter = swar_in(low7 | (LOWS * 0x20), b'a', b'z') & ascii;
            let digit = swar_in(low7, b'0', b'9') & ascii;
            // Capitals are the letters without the 0x20 bit.
            let capital = letter & !(x << 2);
            m.space |= gather(swar_in(low7, b' ', b' ') & ascii) << at;
            m.alnum |= gather(letter | digit) << at;
            m.upper |= gather(capital) << at;
            letters += letter >> 7;
            capitals += capital >> 7;
            digits += digit >> 7;
            m.high |= gather(x & HIGHS) << at;
            // Lead bytes are 0xC0 and above, continuation bytes below.
            m.lead |= gather(x & swar_in(low7, 0x40, 0x7F)) << at;
        }
        // The sum of the eight bytes (at most 64) in the top byte.
        let total = |n: u64| n.wrapping_mul(LOWS) >> 56;
        m.counts = total(letters) * LETTER + total(capitals) * UPPER + total(digits) * DIGIT;
        m
    }
}

/// Bit masks of the bytes of up to 64 bytes of an all-ASCII line: spaces (and the bytes past
/// the line's end), letters and digits, capitals, and sentence-final punctuation; and the
/// counts of the classes [`ASCII_LANES`] has (in its lanes), read off the masks.
struct AsciiMasks {
    space: u64,
    alnum: u64,
    upper: u64,
    terminal: u64,
    /// Bytes of other characters than ASCII ones (none in an ASCII line).
    high: u64,
    /// The block's class counts, lanes as in [`ASCII_LANES`] (at most 64 each: no carry).
    lanes: u64,
}

/// Word counts of an all-ASCII line, block by block.
#[derive(Default)]
struct AsciiWordCounts {
    words: u32,
    cap: u32,
    breaks: u32,
    stop: u32,
    /// Has a word ended with sentence-final punctuation, followed by spaces only so far?
    break_pending: bool,
}

impl AsciiWordCounts {
    /// Adds the words, capitalised words and sentence breaks of the block with masks `m`
    /// and word starts and ends `edges` (spaces stand for all separators, capitals and
    /// sentence-final punctuation for all characters of their kind).
    #[inline(always)]
    fn add_block(&mut self, m: &AsciiMasks, (starts, ends): (u64, u64)) {
        self.words += starts.count_ones();
        self.cap += (starts & m.upper).count_ones();
        let ended = ends & m.terminal;
        if ended == 0 && !self.break_pending {
            // No sentence break can start in this block, and none is pending past it.
            return;
        }
        // A bit after each word so ended, added to the spaces after it, carries through
        // them to the next word's start (or out of the block).
        let (marks, out) = m.space.overflowing_add(ended << 1);
        let (marks, out_too) = marks.overflowing_add(u64::from(self.break_pending));
        self.breaks += (marks & !m.space & m.upper).count_ones();
        self.break_pending = out | out_too | (ended >> 63 != 0);
    }
}

impl AsciiMasks {
    /// The masks and class counts of the `len` (at most 64) bytes of `line` from byte
    /// `base`. Letters, capitals and digits are counted as the masks are made; punctuation
    /// (the rest but spaces: a few bytes) is looked up byte by byte.
    #[inline(always)]
    fn of(line: &[u8], base: usize, len: usize) -> AsciiMasks {
        let block = line.get(base..base + len).unwrap_or_default();
        let m = ByteMasks::of(&AsciiBlock::load(block), len);
        let (space, alnum, upper) = (m.space, m.alnum, m.upper);
        let mut lanes = m.counts;
        let mut terminal = 0;
        let mut punct = !space & !alnum;
        while punct != 0 {
            let i = punct.trailing_zeros();
            punct &= punct - 1;
            let c = line.get(base + i as usize).copied().unwrap_or(0);
            let add = ASCII_LANES[usize::from(c)];
            lanes += add;
            terminal |= u64::from(add & ASCII_TERMINAL != 0) << i;
        }
        AsciiMasks {
            space,
            alnum,
            upper,
            terminal,
            high: 0,
            lanes,
        }
    }

    /// The masks of the words' first and last bytes, given whether the bytes before and
    /// after the block are spaces (or the line's edges).
    #[inline(always)]
    fn word_edges(&self, after_space: bool, next_space: bool) -> (u64, u64) {
        let space = self.space;
        let starts = !space & (space << 1 | u64::from(after_space));
        let ends = !space & (space >> 1 | u64::from(next_space) << 63);
        (starts, ends)
    }

    /// How many of the words starting at the bits of `starts` (each ending in the block,
    /// which starts at byte `base` of `line`) have a stopword as core. A core of ASCII bytes
    /// is keyed from the masks; one with other characters (at most 16 bytes: longer ones
    /// lowercase to more than 8) is asked of `other_core`, by its byte range in `line`.
    #[inline(always)]
    fn count_stopwords(
        &self,
        line: &[u8],
        base: usize,
        starts: u64,
        other_core: impl Fn(usize, usize) -> bool,
    ) -> u32 {
        let (space, alnum) = (self.space, self.alnum);
        // The line from the block on: a core's bytes are read at its offset in the block (below
        // 64: the bounds check needs no overflow test).
        let from_block = line.get(base..).unwrap_or_default();
        let punct = !space & !alnum;
        // Adding a word's first bit to the run of punctuation it starts carries to the byte
        // after the run: the core's first letter or digit (or a space: the word has none).
        let core_starts = (starts | punct.wrapping_add(starts & punct)) & alnum;
        // A core starting with more ASCII letters and digits than any stopword has bytes is
        // none (lowercased, it is no shorter): a quarter of the words, not looked up.
        let long = run_starts(alnum & !self.high, LONGEST_STOPWORD + 1);
        let mut rest = core_starts & !long;
        let mut stop = 0;
        while rest != 0 {
            let a = rest.trailing_zeros();
            rest &= rest - 1;
            // The core ends at the last letter or digit before the next space (the bits up to
            // the lowest of `spaces`, or all if none: the word ends at the block's end).
            let spaces = space >> a;
            let core = (alnum >> a) & (spaces ^ spaces.wrapping_sub(1));
            let at = base + a as usize;
            if self.high != 0 {
                // The core's bytes: `core` has bit 0 set, and its highest below 64 - a.
                let len = 64 - core.leading_zeros();
                if len <= 16 && self.high & (u64::MAX >> (64 - len) << a) != 0 {
                    stop += u32::from(other_core(at, at + len as usize));
                    continue;
                }
            }
            let raw = load_padded(from_block, a as usize);
            stop += u32::from(is_stopword_key(ascii_core_key(raw, core)));
        }
        stop
    }
}

/// The eight bytes of `line` from byte `at`, the first in the lowest byte; spaces past the
/// line's end.
#[inline(always)]
fn load_padded(line: &[u8], at: usize) -> u64 {
    const SPACES: u64 = LOWS * b' ' as u64;
    if let Some(w) = line.get(at..at + 8).and_then(|w| w.try_into().ok()) {
        return u64::from_le_bytes(w);
    }
    let t = line.len().saturating_sub(at);
    if t == 0 {
        return SPACES;
    }
    // The line's last eight bytes when there are (one load), else byte by byte.
    let last = line
        .get(line.len().saturating_sub(8)..)
        .and_then(|x| x.try_into().ok())
        .map(u64::from_le_bytes);
    let x = match last {
        Some(x) => x >> (8 * (8 - t)),
        None => line
            .get(at..)
            .unwrap_or_default()
            .iter()
            .rev()
            .fold(0, |k, &c| k << 8 | u64::from(c)),
    };
    x | SPACES << (8 * t)
}

/// Bit masks of a block's characters from their [`CharTable`] flags: separators, letters
/// and digits, sentence-final punctuation (all of a character's bytes); capitals and CJK
/// characters (its first byte).
#[derive(Default)]
struct CharMasks {
    sep: u64,
    alnum: u64,
    terminal: u64,
    cap: u64,
    cjk: u64,
}

/// A word of a line with non-ASCII characters, as far as it is read: its CJK characters,
/// and core (the byte range from its first to its last letter or digit).
struct OpenWord {
    cjk: u32,
    core: (usize, usize),
}

impl OpenWord {
    fn new() -> OpenWord {
        OpenWord {
            cjk: 0,
            core: (usize::MAX, 0),
        }
    }

    /// Adds the word's part at the bits of `span` of the block at byte `base`, whose masks
    /// are `m`.
    #[inline]
    fn add(&mut self, m: &CharMasks, base: usize, span: u64) {
        self.cjk += (m.cjk & span).count_ones();
        let core = m.alnum & span;
        if core != 0 {
            self.core.0 = self.core.0.min(base + core.trailing_zeros() as usize);
            self.core.1 = base + 64 - core.leading_zeros() as usize;
        }
    }
}

/// 0x01 in every byte of a u64.
const LOWS: u64 = 0x0101_0101_0101_0101;
/// 0x80 in every byte of a u64.
const HIGHS: u64 = LOWS * 0x80;

/// The bits of `m` that start a run of at least `n` set bits (a run reaching bit 63 ends
/// there).
#[inline(always)]
fn run_starts(m: u64, n: u32) -> u64 {
    // Runs of `len` bits doubled (or lengthened to `n`) per step: a few shifts for any `n`.
    let (mut runs, mut len) = (m, 1);
    while len < n {
        let step = len.min(n - len);
        runs &= runs >> step;
        len += step;
    }
    runs
}

/// 0x80 in each byte of `x` (all bytes below 0x80) that lies in `lo..=hi`, 0 elsewhere.
#[inline(always)]
fn swar_in(x: u64, lo: u8, hi: u8) -> u64 {
    // No byte carries into the next: each stays below 0x100.
    let ge = x + LOWS * u64::from(0x80 - lo);
    let gt = x + LOWS * u64::from(0x7F - hi);
    ge & !gt & (LOWS * 0x80)
}

/// The high bits of the eight bytes of `m` (nothing else set) as an 8-bit mask, byte 0 in
/// bit 0.
#[inline(always)]
fn gather(m: u64) -> u64 {
    (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Cue phrase categories (bit flags).
pub const CUE_PROMO: u32 = 1;
pub const CUE_NAV: u32 = 2;
pub const CUE_CAPTION: u32 = 4;
pub const CUE_SOCIAL: u32 = 8;
pub const CUE_LEGAL: u32 = 16;
pub const CUE_COMMENT: u32 = 32;
pub const CUE_TIME: u32 = 64;
/// Cues are looked for in lines up to this many bytes: long lines are never furniture.
pub const CUE_MAX_LINE: usize = 400;

const CUES: &[(&str, u32)] = &[
    ("read more", CUE_PROMO),
    ("read also", CUE_PROMO),
    ("also read", CUE_PROMO),
    ("related", CUE_PROMO),
    ("newsletter", CUE_PROMO),
    ("subscribe", CUE_PROMO),
    ("sign up", CUE_PROMO),
    ("emailed to you", CUE_PROMO),
    ("recommended", CUE_PROMO),
    ("sponsored", CUE_PROMO),
    ("advertisement", CUE_PROMO),
    ("you may also like", CUE_PROMO),
    ("more from", CUE_PROMO),
    ("don't miss", CUE_PROMO),
    ("click here", CUE_PROMO),
    ("most popular", CUE_PROMO),
    ("trending", CUE_PROMO),
    ("watch:", CUE_PROMO),
    ("see also", CUE_PROMO),
    ("leia mais", CUE_PROMO),
    ("leia também", CUE_PROMO),
    ("veja também", CUE_PROMO),
    ("saiba mais", CUE_PROMO),
    ("читайте также", CUE_PROMO),
    ("Читайте также", CUE_PROMO),
    ("подпис", CUE_PROMO),
    ("Подпис", CUE_PROMO),
    ("lesen sie auch", CUE_PROMO),
    ("mehr zum thema", CUE_PROMO),
    ("leggi anche", CUE_PROMO),
    ("baca juga", CUE_PROMO),
    ("관련기사", CUE_PROMO),
    ("関連記事", CUE_PROMO),
    ("cookie", CUE_NAV),
    ("privacy", CUE_NAV),
    ("terms of", CUE_NAV),
    ("log in", CUE_NAV),
    ("login", CUE_NAV),
    ("sign in", CUE_NAV),
    ("share", CUE_NAV),
    ("menu", CUE_NAV),
    ("search", CUE_NAV),
    ("skip to", CUE_NAV),
    ("contact us", CUE_NAV),
    ("about us", CUE_NAV),
    ("follow us", CUE_NAV),
    ("home", CUE_NAV),
    ("print", CUE_NAV),
    ("e-mail", CUE_NAV),
    ("email", CUE_NAV),
    ("javascript", CUE_NAV),
    ("browser", CUE_NAV),
    ("loading", CUE_NAV),
    ("compartilh", CUE_NAV),
    ("teilen", CUE_NAV),
    ("condividi", CUE_NAV),
    ("bagikan", CUE_NAV),
    ("поделиться", CUE_NAV),
    ("Поделиться", CUE_NAV),
    ("공유", CUE_NAV),
    ("シェア", CUE_NAV),
    ("photo", CUE_CAPTION),
    ("image", CUE_CAPTION),
    ("getty", CUE_CAPTION),
    ("credit", CUE_CAPTION),
    ("picture", CUE_CAPTION),
    ("(ap", CUE_CAPTION),
    ("/ap", CUE_CAPTION),
    ("reuters", CUE_CAPTION),
    ("afp", CUE_CAPTION),
    ("shutterstock", CUE_CAPTION),
    ("foto", CUE_CAPTION),
    ("фото", CUE_CAPTION),
    ("Фото", CUE_CAPTION),
    ("bild:", CUE_CAPTION),
    ("사진", CUE_CAPTION),
    ("写真", CUE_CAPTION),
    ("facebook", CUE_SOCIAL),
    ("twitter", CUE_SOCIAL),
    ("whatsapp", CUE_SOCIAL),
    ("linkedin", CUE_SOCIAL),
    ("pinterest", CUE_SOCIAL),
    ("instagram", CUE_SOCIAL),
    ("youtube", CUE_SOCIAL),
    ("telegram", CUE_SOCIAL),
    ("reddit", CUE_SOCIAL),
    ("http", CUE_SOCIAL),
    ("www.", CUE_SOCIAL),
    (".com", CUE_SOCIAL),
    ("@", CUE_SOCIAL),
    ("©", CUE_LEGAL),
    ("ⓒ", CUE_LEGAL),
    ("(c)", CUE_LEGAL),
    ("copyright", CUE_LEGAL),
    ("all rights reserved", CUE_LEGAL),
    ("rights reserved", CUE_LEGAL),
    ("direitos reservados", CUE_LEGAL),
    ("все права", CUE_LEGAL),
    ("Все права", CUE_LEGAL),
    ("alle rechte", CUE_LEGAL),
    ("diritti riservati", CUE_LEGAL),
    ("hak cipta", CUE_LEGAL),
    ("무단전재", CUE_LEGAL),
    ("저작권", CUE_LEGAL),
    ("著作権", CUE_LEGAL),
    ("無断転載", CUE_LEGAL),
    ("comment", CUE_COMMENT),
    ("comentário", CUE_COMMENT),
    ("comentario", CUE_COMMENT),
    ("коммент", CUE_COMMENT),
    ("Коммент", CUE_COMMENT),
    ("kommentar", CUE_COMMENT),
    ("commento", CUE_COMMENT),
    ("commenti", CUE_COMMENT),
    ("komentar", CUE_COMMENT),
    ("댓글", CUE_COMMENT),
    ("コメント", CUE_COMMENT),
    ("reply", CUE_COMMENT),
    ("ago", CUE_TIME),
    ("updated", CUE_TIME),
    ("published", CUE_TIME),
    ("posted", CUE_TIME),
    ("atualizado", CUE_TIME),
    ("publicado", CUE_TIME),
    ("aktualisiert", CUE_TIME),
    ("min read", CUE_TIME),
    ("minute read", CUE_TIME),
    ("назад", CUE_TIME),
];

/// The cue phrases' Aho-Corasick DFA (ASCII case-insensitive), re-laid as a table walked
/// without branches: `trans[sid + class[b]]` is the next state (ids premultiplied by the
/// row width, in the low bits) and the cue bits of the matches it reports (from bit
/// [`CUE_SHIFT`]: a walk ORs the states it visits and reads them off at its end); column 0
/// of each row holds the state's info: the cue bits (bits 0-7) and its depth, the length of
/// the text it stands for (bits 8-15).
struct CueTable {
    class: [u8; 256],
    /// Padded to a fixed power of two: an index reduced modulo its length needs no bounds
    /// check in the walk.
    trans: Box<[u32; CUE_TRANS_LEN]>,
    start: u32,
}

/// Mask of [`CueTable`]'s info column: the cue bits.
const CUE_BITS: u32 = 0xFF;

/// Room in [`CueTable`]'s transitions (rows times columns; a test checks they fit): ids
/// stay below it, and a step reduces an id modulo it (dropping the cue bits above).
const CUE_TRANS_LEN: usize = 1 << 17;

/// Where a transition holds the cue bits of the state it leads to (above every id).
const CUE_SHIFT: u32 = 24;

fn cue_table() -> Option<&'static CueTable> {
    static T: OnceLock<Option<CueTable>> = OnceLock::new();
    T.get_or_init(build_cue_table).as_ref()
}

fn build_cue_table() -> Option<CueTable> {
    let dfa = aho_corasick::dfa::Builder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .start_kind(StartKind::Unanchored)
        .prefilter(false)
        .build(CUES.iter().map(|(p, _)| *p))
        .ok()?;
    let start = dfa.start_state(Anchored::No).ok()?;
    let next = |s: StateID, b: u8| dfa.next_state(Anchored::No, s, b);
    // A byte in no phrase (in either ASCII case) leads every state back to the start, as
    // the first such byte does: only the phrases' bytes and that one need stepping (a
    // table built once per process, cheaply).
    let mut in_phrase = [false; 256];
    for b in CUES.iter().flat_map(|(p, _)| p.bytes()) {
        in_phrase[usize::from(b.to_ascii_lowercase())] = true;
        in_phrase[usize::from(b.to_ascii_uppercase())] = true;
    }
    let other = (0..=255u8).find(|&b| !in_phrase[usize::from(b)])?;
    let stepped: Vec<u8> = (0..=255u8)
        .filter(|&b| in_phrase[usize::from(b)] || b == other)
        .collect();
    // The states reachable from the start, breadth first: a state's depth is its distance
    // from the start (each byte deepens a match in progress by at most one). `succ` holds
    // each state's successors on the stepped bytes.
    let mut index: std::collections::HashMap<StateID, usize, BuildHasherDefault<Fx>> =
        Default::default();
    let mut states = vec![start];
    let mut depth = vec![0u32];
    let mut succ: Vec<usize> = vec![];
    index.insert(start, 0usize);
    let mut k = 0;
    while let Some(&s) = states.get(k) {
        for &b in &stepped {
            let t = next(s, b);
            let n = states.len();
            let i = *index.entry(t).or_insert(n);
            if i == n {
                states.push(t);
                depth.push(depth[k] + 1);
            }
            succ.push(i);
        }
        k += 1;
    }
    // Bytes that move every state alike share a column.
    let mut columns: Vec<Vec<usize>> = vec![];
    let mut column_of: std::collections::HashMap<Vec<usize>, usize, BuildHasherDefault<Fx>> =
        Default::default();
    let mut class = [0u8; 256];
    let mut other_class = 0;
    for (j, &b) in stepped.iter().enumerate() {
        let col: Vec<usize> = succ
            .iter()
            .skip(j)
            .step_by(stepped.len())
            .copied()
            .collect();
        let c = *column_of.entry(col).or_insert_with_key(|col| {
            columns.push(col.clone());
            columns.len() - 1
        });
        class[b as usize] = u8::try_from(c + 1).ok()?;
        if b == other {
            other_class = class[b as usize];
        }
    }
    for (b, c) in class.iter_mut().enumerate() {
        if !in_phrase[b] {
            *c = other_class;
        }
    }
    let mut bits = vec![0u32; states.len()];
    for (i, &s) in states.iter().enumerate() {
        if dfa.is_match(s) {
            for m in 0..dfa.match_len(s) {
                bits[i] |= CUES.get(dfa.match_pattern(s, m).as_usize())?.1;
            }
        }
    }
    let width = columns.len() + 1;
    if states.len() * width > CUE_TRANS_LEN {
        return None;
    }
    // Zeroed pages from the allocator: the room past the rows is never touched.
    let mut trans: Box<[u32; CUE_TRANS_LEN]> = vec![0u32; CUE_TRANS_LEN]
        .into_boxed_slice()
        .try_into()
        .ok()?;
    for i in 0..states.len() {
        trans[i * width] = bits[i] | depth[i].min(255) << 8;
        for (c, col) in columns.iter().enumerate() {
            // The next state's id, and above it the cue bits it reports.
            let next = u32::try_from(col[i] * width).ok()?;
            trans[i * width + c + 1] = next | bits[col[i]] << CUE_SHIFT;
        }
    }
    Some(CueTable {
        class,
        trans,
        start: 0,
    })
}

impl CueTable {
    /// The state after `b` from `sid`.
    #[inline(always)]
    fn step(&self, sid: u32, b: u8) -> u32 {
        self.trans[(sid as usize + self.class[b as usize] as usize) % CUE_TRANS_LEN]
    }

    /// The info column of `sid`.
    #[inline(always)]
    fn info(&self, sid: u32) -> u32 {
        self.trans[sid as usize % CUE_TRANS_LEN]
    }

    /// Cue bits of `b` with `W` walkers over equal stretches of it, stepped in turn: one
    /// walker is a chain of dependent loads (latency-bound), several keep the core busy.
    /// Each walker starts its stretch fresh; the one before it walks on past the boundary
    /// while its state still reaches back before it, so a match straddling the boundary is
    /// seen by the earlier walker and every later one by the later walker.
    #[inline(always)]
    fn walk<const W: usize>(&self, b: &[u8]) -> u32 {
        let len = b.len() / W;
        let (head, rest) = b.split_at(len * W);
        let segs: [&[u8]; W] =
            std::array::from_fn(|w| head.get(w * len..(w + 1) * len).unwrap_or_default());
        let mut sid = [self.start; W];
        // Every state any walker visits, ORed (the cue bits above the ids): one accumulator
        // for all walkers leaves registers for their states (four walkers need no spills).
        let mut seen = 0u32;
        let mut k = 0;
        // Eight bytes per walker at a time: one bounds check, then each byte loaded directly
        // (no shifting a word down: fewer instructions and registers).
        while k + 8 <= len {
            let bytes: [&[u8; 8]; W] = std::array::from_fn(|w| {
                segs[w]
                    .get(k..k + 8)
                    .and_then(|x| x.try_into().ok())
                    .unwrap_or(&[0; 8])
            });
            for i in 0..8 {
                for (s, b) in sid.iter_mut().zip(&bytes) {
                    *s = self.step(*s, b[i]);
                    seen |= *s;
                }
            }
            k += 8;
        }
        for k in k..len {
            for w in 0..W {
                sid[w] = self.step(sid[w], segs[w].get(k).copied().unwrap_or(0));
                seen |= sid[w];
            }
        }
        // The last walker ends the line; the others walk on past their ends.
        for &c in rest {
            sid[W - 1] = self.step(sid[W - 1], c);
            seen |= sid[W - 1];
        }
        for (w, &s) in sid.iter().enumerate().take(W - 1) {
            let mut s = s;
            let past_end = b.get((w + 1) * len..).unwrap_or_default();
            for (past, &c) in past_end.iter().enumerate() {
                // The match in progress started at or after the boundary: the next walker's.
                if (self.info(s) >> 8) as usize <= past {
                    break;
                }
                s = self.step(s, c);
                seen |= s;
            }
        }
        (seen >> CUE_SHIFT) & CUE_BITS
    }
}

/// Cue categories present in `s` (bit flags): every occurrence of every phrase counts,
/// overlapping ones too.
pub fn cues(s: &str) -> u32 {
    let Some(t) = cue_table() else {
        return 0;
    };
    let b = s.as_bytes();
    // More walkers pay once the stretches are long enough (measured on the dev lines).
    match b.len() {
        0..=23 => t.walk::<1>(b),
        24..=39 => t.walk::<2>(b),
        40..=79 => t.walk::<3>(b),
        _ => t.walk::<4>(b),
    }
}

/// Plain statistics of one line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub chars: u32,
    pub words: u32,
    /// word count, counting half a word per CJK character
    pub eff: f32,
    pub cjk: u32,
    pub letters: u32,
    pub upper: u32,
    pub digits: u32,
    pub punct: u32,
    pub cap_words: u32,
    pub stop_words: u32,
    pub terminal_end: bool,
    pub sent_breaks: u32,
    pub commas: u32,
    pub starts_lower: bool,
    pub starts_bullet: bool,
    pub ends_colon: bool,
    pub seps: u32,
    pub cues: u32,
    pub date_line: bool,
    pub byline: bool,
}

impl Stats {
    /// The statistics of one normalised line, a word at a time: an ASCII word (most words
    /// of most pages) is counted with a class table and no branches per byte; other words
    /// are decoded character by character.
    pub fn of(s: &str) -> Stats {
        let mut st = Stats::default();
        let b = s.as_bytes();
        thread_local! {
            /// The stand-in of the last line that had one (its allocation is reused).
            static STAND_IN: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        if s.is_ascii() {
            st.ascii_line(b);
        } else {
            // ASCII but for punctuation (most English paragraphs: ’ “ ” —)?
            let plain = STAND_IN.with_borrow_mut(|plain| {
                let ok = char_table().ascii_stand_in(b, plain);
                if ok {
                    st.ascii_line(plain);
                }
                ok
            });
            if !plain {
                st.unicode_line(s);
            }
        }
        st.chars = st.chars.saturating_sub(1);
        if let Some(c) = s.chars().next() {
            st.starts_lower = c.is_lowercase();
            st.starts_bullet = matches!(
                c,
                '-' | '–' | '—' | '•' | '·' | '*' | '|' | '>' | '»' | '■' | '►' | '▶'
            );
        }
        st.terminal_end = super::text::ends_terminal(s);
        st.ends_colon = s.ends_with(':');
        // Cue phrases mark short furniture; long lines are never furniture for their cues.
        st.cues = if s.len() <= CUE_MAX_LINE { cues(s) } else { 0 };
        st
    }

    /// The counts of an all-ASCII line (most lines of most pages), from bit masks of
    /// spaces, letters/digits, capitals and sentence-final punctuation, 64 bytes at a time
    /// (one pass over the bytes). Letters, capitals and digits are summed per byte lane of
    /// the masks' words, words and capitalised words are popcounts of masks; punctuation,
    /// sentence breaks and stopwords take a few bit operations per byte or word (no loop
    /// over the other bytes, no unpredictable branch).
    fn ascii_line(&mut self, b: &[u8]) {
        let mut n = AsciiWordCounts::default();
        let before = self.letters + self.digits + self.punct;
        if b.len() <= 64 {
            // One block (most lines): no word runs on past it.
            let m = AsciiMasks::of(b, 0, b.len());
            self.add_lanes(m.lanes);
            let edges = m.word_edges(true, true);
            n.add_block(&m, edges);
            n.stop += m.count_stopwords(b, 0, edges.0, |_, _| false);
        } else {
            // Is the byte before the block a space (or the line start)?
            let mut after_space = true;
            // The start of a word running on from an earlier block.
            let mut open: Option<usize> = None;
            for (j, block) in b.chunks(64).enumerate() {
                let base = 64 * j;
                let m = AsciiMasks::of(b, base, block.len());
                self.add_lanes(m.lanes);
                let next_space = b.get(base + 64).is_none_or(|&c| c == b' ');
                let (starts, ends) = m.word_edges(after_space, next_space);
                after_space = m.space >> 63 != 0;
                n.add_block(&m, (starts, ends));
                if let Some(s) = open {
                    if ends == 0 {
                        continue;
                    }
                    // A word across blocks: rare enough for the plain path.
                    let e = base + ends.trailing_zeros() as usize;
                    let word = b.get(s..=e).unwrap_or_default();
                    let key = ascii_core(word)
                        .and_then(|(a, z)| word.get(a..z))
                        .and_then(ascii_key);
                    n.stop += u32::from(key.is_some_and(is_stopword_key));
                    open = None;
                }
                // The last word may run on into the next block (its start is past the last
                // end): its stopword test waits for its end.
                let mut word_starts = starts;
                if starts.leading_zeros() < ends.leading_zeros() {
                    let last = 63 - starts.leading_zeros();
                    word_starts &= !(1 << last);
                    open = Some(base + last as usize);
                }
                n.stop += m.count_stopwords(b, base, word_starts, |_, _| false);
            }
        }
        // Every ASCII byte but the space is a letter, a digit or punctuation.
        let in_words = self.letters + self.digits + self.punct - before;
        self.cap_words += n.cap;
        self.sent_breaks += n.breaks;
        self.stop_words += n.stop;
        self.words = n.words;
        self.chars = in_words.saturating_add(n.words);
        self.eff = n.words as f32;
    }

    /// The word counts of a line with non-ASCII characters, 64 bytes at a time: the ASCII
    /// bytes' classes are counted from the block's masks (punctuation looked up byte by
    /// byte) as for ASCII lines; only the other characters are decoded and looked up in
    /// [`CharTable`], their counts summed and their flags set in bit masks of the block.
    /// From there on a block is counted as an ASCII line's is (separators for spaces): words,
    /// capitalised words and sentence breaks from popcounts, stopwords from the cores' masks.
    /// Only a word running on into the next block, and words with CJK characters (which
    /// count as more or less than a word), are followed one by one.
    fn unicode_line(&mut self, s: &str) {
        let t = char_table();
        let b = s.as_bytes();
        let mut n = AsciiWordCounts::default();
        // Flags (in bit 0) of the character at the end of the block before, which may run on.
        let mut carry = CharMasks::default();
        // Per class of the characters other than ASCII ones, the first bytes of the block's
        // characters of that class; the classes met in the block.
        // (Few enough to clear per line at little cost, and `met` fits in one word.)
        let mut at_class = [0u64; CHAR_CLASSES];
        let mut met = 0u64;
        let mut open: Option<OpenWord> = None;
        // Is the byte before the block a separator (or the line start)?
        let mut after_sep = true;
        // What the words with CJK characters add to `eff` beyond one each (halves: exact).
        let mut cjk_eff = 0.0f32;
        let cjk_word = |cjk: u32| {
            if cjk > 0 {
                (cjk as f32 / 2.0).max(1.0) - 1.0
            } else {
                0.0
            }
        };
        for (j, block) in b.chunks(64).enumerate() {
            let base = 64 * j;
            let words = AsciiBlock::load(block);
            let bm = ByteMasks::of(&words, block.len());
            let blk = AsciiBlock::with_masks(words, &bm);
            let (high, lead) = blk.high_and_lead();
            let mut m = CharMasks {
                sep: blk.space,
                alnum: blk.alnum,
                terminal: 0,
                cap: bm.upper,
                cjk: 0,
            };
            // The ASCII bytes' classes: letters, capitals and digits counted with the masks,
            // then each punctuation byte's (neither space, letter, digit nor other character).
            // ASCII_TERMINAL adds in the CJK lane, which `add_lanes` skips.
            let mut lanes = bm.counts;
            let mut punct = !blk.space & !blk.alnum & !high;
            while punct != 0 {
                let i = punct.trailing_zeros();
                punct &= punct - 1;
                let add = ASCII_LANES[usize::from(blk.byte(i))];
                lanes += add;
                m.terminal |= u64::from(add & ASCII_TERMINAL != 0) << i;
            }
            // The other characters' flags on their first bytes, then spread over the bytes
            // that continue them (valid UTF-8: at most three, none past the next character's
            // first); bit 0 of `carry` stands for a character running on from the block before.
            // A character's flags are set per class: its first byte goes to its class's mask
            // (a text has few classes: a block sets each class's flags once).
            let (mut sep, mut alnum, mut terminal) = (0u64, 0u64, 0u64);
            let mut set_flags = |at: u64, add: u64, f: u8| {
                let all_if = |flag: u8| 0u64.wrapping_sub(u64::from(f & flag != 0));
                sep |= at & all_if(F_SEP);
                alnum |= at & all_if(F_ALNUM);
                terminal |= at & all_if(F_TERMINAL);
                m.cap |= at & all_if(F_CAP);
                m.cjk |= at & 0u64.wrapping_sub(u64::from(add & CJK_LANE != 0));
            };
            // The block's bytes and the few after it (a character may run on past its end),
            // spaces past the line's: its characters are read from here with one load each
            // and no bounds checks (a copy per block instead of a check per character).
            let mut window = [b' '; 64 + 8];
            if lead != 0 {
                let ahead = b.get(base..).unwrap_or_default();
                let n = ahead.len().min(window.len());
                if let (Some(w), Some(a)) = (window.get_mut(..n), ahead.get(..n)) {
                    w.copy_from_slice(a);
                }
            }
            let mut leads = lead;
            while leads != 0 {
                let i = leads.trailing_zeros();
                leads &= leads - 1;
                let at = i as usize;
                let x = window
                    .get(at..at + 4)
                    .and_then(|w| w.try_into().ok())
                    .map_or(0, u32::from_le_bytes);
                match t.bmp_class(x) {
                    Some(k) => {
                        lanes += t.lanes[k];
                        at_class[k % CHAR_CLASSES] |= 1 << i;
                        met |= 1 << (k % CHAR_CLASSES);
                    }
                    None => {
                        // Beyond the BMP (rare): classed directly.
                        let (add, f, _) = t.at(b, base + i as usize);
                        lanes += add;
                        set_flags(1 << i, add, f);
                    }
                }
            }
            while met != 0 {
                let k = met.trailing_zeros() as usize;
                met &= met - 1;
                let at = std::mem::take(&mut at_class[k % CHAR_CLASSES]);
                set_flags(at, t.lanes[k], t.flags[k]);
            }
            let continuing = high & !lead;
            let spread = |first: u64, carried: u64| {
                let one = (first << 1 | carried) & continuing;
                let two = one << 1 & continuing;
                first | one | two | (two << 1 & continuing)
            };
            let (sep, alnum, terminal) = (
                spread(sep, carry.sep),
                spread(alnum, carry.alnum),
                spread(terminal, carry.terminal),
            );
            m.sep |= sep;
            m.alnum |= alnum;
            m.terminal |= terminal;
            // The flags of the block's last byte's character, for its bytes in the next block.
            carry = CharMasks {
                sep: sep >> 63,
                alnum: alnum >> 63,
                terminal: terminal >> 63,
                ..CharMasks::default()
            };
            // A byte counts in a lane at most once (a character's first): at most 64 each,
            // no lane overflows.
            self.add_lanes(lanes);
            let next_sep = match b.get(base + 64) {
                None => true,
                Some(&c) if c.is_ascii() => c == b' ',
                // A character of this block runs on.
                Some(&c) if c < 0xC0 => carry.sep != 0,
                Some(_) => t.at(b, base + 64).1 & F_SEP != 0,
            };
            let am = AsciiMasks {
                space: m.sep,
                alnum: m.alnum,
                upper: m.cap,
                terminal: m.terminal,
                high,
                lanes: 0,
            };
            let (starts, mut ends) = am.word_edges(after_sep, next_sep);
            after_sep = m.sep >> 63 != 0;
            n.add_block(&am, (starts, ends));
            // Characters in words: their first bytes (continuation bytes start none) outside
            // separators.
            self.chars += (!(high & !lead) & !m.sep).count_ones();
            // Every CJK character is in a word.
            self.cjk += m.cjk.count_ones();
            // The word running on from an earlier block: its part here, up to its end.
            if let Some(mut w) = open.take() {
                let last = if ends == 0 { 63 } else { ends.trailing_zeros() };
                w.add(&m, base, u64::MAX >> (63 - last));
                if ends == 0 {
                    open = Some(w);
                    continue;
                }
                ends &= ends - 1;
                n.stop += u32::from(core_is_stopword(s, w.core));
                cjk_eff += cjk_word(w.cjk);
            }
            // The last word may run on into the next block (its start is past the last end).
            let mut whole = starts;
            if starts.leading_zeros() < ends.leading_zeros() {
                let first = 63 - starts.leading_zeros();
                whole &= !(1 << first);
                let mut w = OpenWord::new();
                w.add(&m, base, u64::MAX << first);
                open = Some(w);
            }
            n.stop += am.count_stopwords(b, base, whole, |a, z| core_is_stopword(s, (a, z)));
            // Each whole word's CJK characters: its start pairs with the next end.
            if m.cjk != 0 {
                let mut starts = whole;
                while starts != 0 {
                    let (first, last) = (starts.trailing_zeros(), ends.trailing_zeros());
                    starts &= starts - 1;
                    ends &= ends.wrapping_sub(1);
                    let span = (u64::MAX >> (63 - last % 64)) & (u64::MAX << first);
                    cjk_eff += cjk_word((m.cjk & span).count_ones());
                }
            }
        }
        self.cap_words += n.cap;
        self.sent_breaks += n.breaks;
        self.stop_words += n.stop;
        self.words += n.words;
        // The space after each word.
        self.chars += n.words;
        self.eff += n.words as f32 + cjk_eff;
    }

    /// Adds a word's (or part word's) lane sums.
    #[inline]
    fn add_lanes(&mut self, acc: u64) {
        let lane = |k: u32| ((acc >> (8 * k)) & 0xFF) as u32;
        self.letters += lane(0);
        self.upper += lane(1);
        self.digits += lane(2);
        self.punct += lane(3);
        self.commas += lane(4);
        self.seps += lane(5);
        self.sent_breaks += lane(7);
    }

    /// A line that looks like running text: long enough and sentence-shaped.
    pub fn bodyish(&self) -> bool {
        self.eff >= 10.0 && (self.terminal_end || self.sent_breaks >= 1 || self.eff >= 25.0)
    }
}

/// Number of features per line.
pub const N_FEAT: usize = 58;

/// Names of the features, in order (written to the training dump's header).
pub const FEATURE_NAMES: [&str; N_FEAT] = [
    "log_eff",
    "log_chars",
    "terminal",
    "sent_breaks",
    "comma_rate",
    "punct_rate",
    "upper_rate",
    "cap_rate",
    "digit_rate",
    "stop_rate",
    "starts_lower",
    "starts_bullet",
    "cue_legal",
    "cue_social",
    "seps",
    "cue_promo",
    "cue_nav",
    "cue_caption",
    "date_line",
    "byline",
    "dup",
    "rel_pos",
    "rel_char_pos",
    "gap_before",
    "gap_after",
    "glued",
    "merged",
    "p2_eff",
    "p1_eff",
    "n1_eff",
    "n2_eff",
    "p1_term",
    "n1_term",
    "win3_eff",
    "win3_body",
    "win10_body",
    "in_core",
    "core_dist",
    "core_share",
    "body_dist",
    "ends_colon",
    "all_caps",
    "num_only",
    "cjk_rate",
    "word_len",
    "body_after",
    "body_before",
    "block_log",
    "block_first",
    "cue_comment",
    "cue_time",
    "n_units_log",
    "p1_body",
    "n1_body",
    "core_rank",
    "title_sim",
    "page_gap_rate",
    "page_body_rate",
];

/// The column of `title_sim` (computed on demand by the cleaner: only late trees read it).
pub const TITLE_SIM: usize = 55;

/// The features no tree of the shipped model reads (bit `f`: feature `f`; a test checks it
/// against `model.txt`): [`features_into`] leaves them 0 for a model that reads none of them.
pub const UNREAD_BY_SHIPPED: u64 = 1 << 10
    | 1 << 12
    | 1 << 19
    | 1 << 23
    | 1 << 26
    | 1 << 41
    | 1 << 42
    | 1 << 43
    | 1 << 48
    | 1 << 54;

/// `(x + 1.0).ln()`, read from a table for the values features take most (whole and half
/// counts below 2048: word counts count half a word per CJK character), bit for bit what
/// `ln` gives: the table is filled with the same expression. ([`features_into`] uses the
/// table through [`Ln1p`] directly.)
#[cfg(test)]
fn ln_1p(x: f32) -> f32 {
    Ln1p::table().of(x)
}

/// The table behind [`ln_1p`]: entry `k` is `(k / 2 + 1).ln()`. Fetched once per page, so
/// that each lookup skips the `OnceLock` check.
#[derive(Clone, Copy)]
struct Ln1p(&'static [f32]);

impl Ln1p {
    fn table() -> Ln1p {
        const HALVES: usize = 4096;
        static TABLE: OnceLock<Box<[f32]>> = OnceLock::new();
        Ln1p(TABLE.get_or_init(|| (0..HALVES).map(|k| (k as f32 / 2.0 + 1.0).ln()).collect()))
    }

    /// [`ln_1p`] of `x`.
    #[inline]
    fn of(self, x: f32) -> f32 {
        let k = x * 2.0;
        // `k as i32` saturates (0 for NaN; the negative miss the table as `usize`): the
        // comparisons send all that is no whole index of the table to `ln`. (`as i32` is a
        // few instructions cheaper than `as usize`.)
        let i = k as i32;
        match self.0.get(i as usize) {
            Some(&v) if k == i as f32 => v,
            _ => (x + 1.0).ln(),
        }
    }

    /// [`ln_1p`] of the count `n` (`n as f32`): its index `2n` needs no float conversion.
    #[inline]
    fn of_count(self, n: u32) -> f32 {
        match (n as usize).checked_mul(2).and_then(|k| self.0.get(k)) {
            Some(&v) => v,
            None => self.of(n as f32),
        }
    }
}

/// Signed distance (in lines) from `i` to the span `[a, b]`, 0 inside.
fn span_dist(i: usize, a: usize, b: usize) -> f32 {
    if i < a {
        -((a - i) as f32)
    } else if i > b {
        (i - b) as f32
    } else {
        0.0
    }
}

/// Line-level context a unit's features need.
pub struct UnitCtx<'a> {
    pub stats: &'a Stats,
    pub dup: u32,
    pub gap_before: bool,
    pub gap_after: bool,
    pub glued: bool,
    pub merged: u32,
    pub block_len: u32,
    pub block_first: bool,
    pub title_sim: f32,
}

/// Per-line values the features of a line and of its neighbours read: the line's own, and
/// the running sums up to it (prefix sums: entry `i` holds the sum over lines `0..i`).
/// Aligned to 32 bytes (from 28) so that an entry's offset is a shift, not a multiply: a
/// line's features index a dozen entries.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct Running {
    log_eff: f32,
    body: bool,
    /// The sum of the body-score segment (see [`features_into`]) the line belongs to.
    seg: f32,
    pre_eff: f32,
    pre_body: f32,
    pre_chars: f32,
    pre_bchars: f32,
}

/// What a line's features read of the lines up to [`NEAR`] before and after it, as floats:
/// its `log_eff`, body flag and terminal flag, each -1 for a line past either end of the
/// page. Kept with [`NEAR`] such entries of padding before and after the lines, so that a
/// line's neighbours are read without a check for the page's ends.
#[derive(Clone, Copy)]
struct Near {
    log_eff: f32,
    body: f32,
    terminal: f32,
}

/// The farthest neighbour (in lines) a line's features read through [`Near`].
const NEAR: usize = 2;

impl Near {
    const PAST_END: Near = Near {
        log_eff: -1.0,
        body: -1.0,
        terminal: -1.0,
    };
}

/// Builds the feature matrix (row-major, `N_FEAT` per unit) into the first
/// `units.len() * N_FEAT` values of `out` and returns that length. `out` is a buffer kept from
/// page to page, never shortened: every row is written whole, so only growth is zeroed (a
/// fresh zeroed matrix per page cost a tenth of the cleaner's time), and values past the
/// returned length are a larger earlier page's. With `SHIPPED_READS`, the columns of
/// [`UNREAD_BY_SHIPPED`] are 0 instead (their computation is left out), for a model that
/// reads none of them.
pub fn features_into<const SHIPPED_READS: bool>(
    units: &[UnitCtx<'_>],
    out: &mut Vec<f32>,
) -> usize {
    // Column `f` is left 0 (the condition is a constant for a literal `f`).
    let left_out = |f: usize| SHIPPED_READS && UNREAD_BY_SHIPPED >> f & 1 != 0;
    let n = units.len();
    let len = n * N_FEAT;
    if out.len() < len {
        out.resize(len, 0.0);
    }
    if n == 0 {
        return 0;
    }

    // One pass: each line's own values, the prefix sums the windows need (entry `n` holds
    // the totals), and the densest region: the maximum-sum span (Kadane) of a body score, as
    // well as, for every line, the sum of the Kadane segment it lies in (0 outside positive
    // ones) to rank the runner-up regions.
    let ln = Ln1p::table();
    let mut run = vec![Running::default(); n + 1];
    // Line `i` at `i + NEAR`.
    let mut near = vec![Near::PAST_END; n + 2 * NEAR];
    let (mut core_a, mut core_b, mut core_sum) = (0, 0, f32::MIN);
    let (mut cur, mut start) = (0f32, 0);
    let mut best_in_seg = 0f32;
    for i in 0..n {
        let s = units[i].stats;
        let body = s.bodyish();
        let log_eff = ln.of(s.eff);
        let chars = s.chars as f32;
        let p = run[i];
        run[i].log_eff = log_eff;
        run[i].body = body;
        if let Some(e) = near.get_mut(i + NEAR) {
            *e = Near {
                log_eff,
                body: flag(body),
                terminal: flag(s.terminal_end),
            };
        }
        run[i + 1] = Running {
            pre_eff: p.pre_eff + log_eff,
            pre_body: p.pre_body + if body { 1.0 } else { 0.0 },
            pre_chars: p.pre_chars + chars,
            pre_bchars: p.pre_bchars + if body { chars } else { 0.0 },
            ..Running::default()
        };
        let score = if body {
            s.eff.min(80.0)
        } else if s.eff < 5.0 {
            -3.0
        } else {
            -1.0
        };
        if cur <= 0.0 {
            // The segment before `i` closes.
            for r in &mut run[start..i] {
                r.seg = best_in_seg.max(0.0);
            }
            cur = score;
            start = i;
            best_in_seg = cur;
        } else {
            cur += score;
            best_in_seg = best_in_seg.max(cur);
        }
        if cur > core_sum {
            (core_a, core_b, core_sum) = (start, i, cur);
        }
    }
    for r in &mut run[start..n] {
        r.seg = best_in_seg.max(0.0);
    }
    if core_sum == f32::MIN {
        (core_a, core_b, core_sum) = (0, 0, 0.0);
    }
    let totals = run[n];
    let total_chars = totals.pre_chars.max(1.0);
    let total_body = totals.pre_bchars.max(1.0);
    let core_chars = run[core_b + 1].pre_chars - run[core_a].pre_chars;
    // (A window holds at most 21 lines: `as u32` converts its length exactly, and cheaper.)
    let win_eff = |i: usize, r: usize| -> f32 {
        let a = i.saturating_sub(r);
        let b = (i + r + 1).min(n);
        (run[b].pre_eff - run[a].pre_eff) / (b - a) as u32 as f32
    };
    let win_body = |i: usize, r: usize| -> f32 {
        let a = i.saturating_sub(r);
        let b = (i + r + 1).min(n);
        (run[b].pre_body - run[a].pre_body) / (b - a) as u32 as f32
    };

    let nf = n as f32;
    let log_units = ln.of(nf);
    let gap_rate = units.iter().filter(|u| u.gap_before).count() as f32 / nf;
    let body_rate = totals.pre_body / nf;
    // The nearest bodyish lines at or before and at or after the current one.
    let mut body_before: Option<usize> = None;
    let mut body_after = run[..n].iter().position(|r| r.body);
    for (i, (u, row)) in units.iter().zip(out.chunks_exact_mut(N_FEAT)).enumerate() {
        let s = u.stats;
        let here = run[i];
        if here.body {
            body_before = Some(i);
        }
        if body_after.is_some_and(|j| j < i) {
            body_after = run[i..n].iter().position(|r| r.body).map(|k| i + k);
        }
        let body_dist = match (body_before, body_after) {
            (Some(b), Some(a)) => ((i - b).min(a - i)) as f32,
            (Some(b), None) => (i - b) as f32,
            (None, Some(a)) => (a - i) as f32,
            (None, None) => f32::MAX,
        };
        // Lines `i - NEAR..=i + NEAR` (by reference: each value is loaded where it is
        // written, not all up front and spilled).
        let Some([p2, p1, _, n1, n2]) = near.get(i..=i + 2 * NEAR) else {
            break;
        };
        let words = (s.words as f32).max(1.0);
        let chars_f = (s.chars as f32).max(1.0);
        let letters = (s.letters as f32).max(1.0);
        let Ok(row) = <&mut [f32; N_FEAT]>::try_from(row) else {
            break;
        };
        row[0] = here.log_eff;
        row[1] = ln.of_count(s.chars.max(1));
        row[2] = flag(s.terminal_end);
        row[3] = (s.sent_breaks as f32).min(10.0);
        row[4] = s.commas as f32 / s.eff.max(1.0);
        row[5] = s.punct as f32 / chars_f;
        row[6] = s.upper as f32 / letters;
        row[7] = s.cap_words as f32 / words;
        row[8] = s.digits as f32 / chars_f;
        row[9] = s.stop_words as f32 / words;
        row[10] = if left_out(10) {
            0.0
        } else {
            flag(s.starts_lower)
        };
        row[11] = flag(s.starts_bullet);
        row[12] = if left_out(12) {
            0.0
        } else {
            flag(s.cues & CUE_LEGAL != 0)
        };
        row[13] = flag(s.cues & CUE_SOCIAL != 0);
        row[14] = (s.seps as f32).min(10.0);
        row[15] = flag(s.cues & CUE_PROMO != 0);
        row[16] = flag(s.cues & CUE_NAV != 0);
        row[17] = flag(s.cues & CUE_CAPTION != 0);
        row[18] = flag(s.date_line);
        row[19] = if left_out(19) { 0.0 } else { flag(s.byline) };
        row[20] = (u.dup as f32).min(5.0);
        row[21] = i as f32 / nf;
        row[22] = here.pre_chars / total_chars;
        row[23] = if left_out(23) {
            0.0
        } else {
            flag(u.gap_before)
        };
        row[24] = flag(u.gap_after);
        row[25] = flag(u.glued);
        row[26] = if left_out(26) {
            0.0
        } else {
            (u.merged as f32).min(10.0)
        };
        row[27] = p2.log_eff;
        row[28] = p1.log_eff;
        row[29] = n1.log_eff;
        row[30] = n2.log_eff;
        row[31] = p1.terminal;
        row[32] = n1.terminal;
        row[33] = win_eff(i, 3);
        row[34] = win_body(i, 3);
        row[35] = win_body(i, 10);
        row[36] = flag(i >= core_a && i <= core_b && core_sum > 0.0);
        row[37] = span_dist(i, core_a, core_b).clamp(-50.0, 50.0);
        row[38] = core_chars / total_chars;
        row[39] = body_dist.min(50.0);
        row[40] = flag(s.ends_colon);
        row[41] = if left_out(41) {
            0.0
        } else {
            flag(s.letters > 3 && s.upper as f32 / letters > 0.9)
        };
        row[42] = if left_out(42) {
            0.0
        } else {
            flag(s.letters == 0)
        };
        row[43] = if left_out(43) {
            0.0
        } else {
            s.cjk as f32 / chars_f
        };
        row[44] = chars_f / words;
        row[45] = (total_body - run[i + 1].pre_bchars) / total_body;
        row[46] = here.pre_bchars / total_body;
        row[47] = ln.of_count(u.block_len);
        row[48] = if left_out(48) {
            0.0
        } else {
            flag(u.block_first)
        };
        row[49] = flag(s.cues & CUE_COMMENT != 0);
        row[50] = flag(s.cues & CUE_TIME != 0);
        row[51] = log_units;
        row[52] = p1.body;
        row[53] = n1.body;
        row[54] = if left_out(54) {
            0.0
        } else {
            if core_sum > 0.0 {
                here.seg / core_sum
            } else {
                0.0
            }
        };
        row[TITLE_SIM] = u.title_sim;
        row[56] = gap_rate;
        row[57] = body_rate;
    }
    len
}

/// 1.0 or 0.0: written as bits, which spares a conversion from integer to float.
#[inline(always)]
fn flag(b: bool) -> f32 {
    f32::from_bits(u32::from(b) * 1f32.to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table gives exactly what `ln` gives, inside it, at its edge and outside it.
    #[test]
    fn ln_1p_is_ln_bit_for_bit() {
        let halves = (0..10_000).map(|k| k as f32 / 2.0);
        let odd = [0.25, 0.3, 2047.75, 1e9, -0.5, -1.0, -7.0, f32::INFINITY];
        for x in halves.chain(odd) {
            assert_eq!(ln_1p(x).to_bits(), (x + 1.0).ln().to_bits(), "{x}");
        }
        assert!(ln_1p(f32::NAN).is_nan());
    }

    /// Is `word` (edge punctuation already trimmed) a stopword, ignoring case?
    #[inline]
    fn is_stopword(word: &str, buf: &mut String) -> bool {
        if word.len() > 16 {
            return false;
        }
        let key = if word.is_ascii() {
            let mut w = [0u8; 8];
            if word.len() > 8 {
                return false;
            }
            for (d, b) in w.iter_mut().zip(word.bytes()) {
                *d = b.to_ascii_lowercase();
            }
            u64::from_le_bytes(w)
        } else {
            buf.clear();
            buf.extend(word.chars().flat_map(char::to_lowercase));
            pack(buf.as_bytes())
        };
        key != 0 && stopwords().contains(&key)
    }

    /// Cue categories with the crate's own overlapping search, for comparison.
    fn cues_reference(ac: &aho_corasick::AhoCorasick, s: &str) -> u32 {
        ac.find_overlapping_iter(s)
            .map(|m| CUES[m.pattern().as_usize()].1)
            .fold(0, |a, c| a | c)
    }

    #[test]
    fn cues_match_the_overlapping_search() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cleanup-dev");
        let mut lines: Vec<String> = vec![
            "emailed to you".into(),
            "Read More from our Newsletter: sign up".into(),
            "© 2022 Reuters / Getty Images. All rights reserved".into(),
            "Поделиться Читайте также".into(),
        ];
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                lines.extend(text.lines().map(str::to_string));
            }
        }
        assert!(lines.len() > 10_000);
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(CUES.iter().map(|(p, _)| *p))
            .unwrap();
        for l in &lines {
            assert_eq!(cues(l), cues_reference(&ac, l), "{l:?}");
        }
    }

    /// What the cue table's building assumes: from every state, a byte in no phrase (in
    /// either ASCII case) leads back to the start.
    #[test]
    fn bytes_outside_the_cues_restart_the_search() {
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .build(CUES.iter().map(|(p, _)| *p))
            .unwrap();
        let start = dfa.start_state(Anchored::No).unwrap();
        let in_phrase = |b: u8| {
            CUES.iter()
                .any(|(p, _)| p.bytes().any(|c| c.eq_ignore_ascii_case(&b)))
        };
        let mut states = vec![start];
        let mut seen: FxSet<StateID> = states.iter().copied().collect();
        let mut k = 0;
        while let Some(&s) = states.get(k) {
            for b in 0..=255u8 {
                let t = dfa.next_state(Anchored::No, s, b);
                if !in_phrase(b) {
                    assert_eq!(t, start, "{b:#x}");
                }
                if seen.insert(t) {
                    states.push(t);
                }
            }
            k += 1;
        }
        assert!(states.len() > 100);
    }

    #[test]
    fn cue_walkers_agree_with_the_search_across_boundaries() {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(CUES.iter().map(|(p, _)| *p))
            .unwrap();
        let t = cue_table().unwrap();
        // Long, multibyte and one-byte phrases, in fillers that are themselves unfinished
        // phrases (deep states running over walker boundaries) or plain text.
        let phrases = [
            "all rights reserved",
            "Читайте также",
            "you may also like",
            "emailed to you",
            "관련기사",
            "©",
            "@",
            "ago",
            "min read",
        ];
        let fillers = [
            "all rights reserve",
            "читайте такж",
            "you may also lik",
            "x ",
            "é",
        ];
        for filler in fillers {
            for phrase in phrases {
                // `n` filler characters, the phrase after `at` of them.
                let fill: Vec<char> = filler.chars().cycle().take(100).collect();
                for n in 0..=100 {
                    for at in 0..=n {
                        let mut line: String = fill[..at].iter().collect();
                        line.push_str(phrase);
                        line.extend(&fill[..n - at]);
                        let want = cues_reference(&ac, &line);
                        let b = line.as_bytes();
                        for (w, got) in [
                            t.walk::<1>(b),
                            t.walk::<2>(b),
                            t.walk::<3>(b),
                            t.walk::<4>(b),
                            t.walk::<7>(b),
                        ]
                        .into_iter()
                        .enumerate()
                        {
                            assert_eq!(got, want, "{w} {line:?}");
                        }
                    }
                }
            }
        }
    }

    impl Stats {
        /// The straightforward version `Stats::of` must agree with.
        pub fn of_reference(s: &str) -> Stats {
            let mut st = Stats::default();
            let mut buf = String::new();
            let mut prev: char = ' ';
            let mut prev2: char = ' ';
            for word in s.split(super::super::text::is_sep) {
                if word.is_empty() {
                    continue;
                }
                st.words += 1;
                let mut wc = 0u32;
                let mut wcjk = 0u32;
                let mut first = true;
                for c in word.chars() {
                    wc += 1;
                    if c.is_ascii() {
                        // Fast path for ASCII.
                        if first {
                            if c.is_ascii_uppercase() {
                                st.cap_words += 1;
                            }
                            first = false;
                        }
                        if c.is_ascii_alphabetic() {
                            st.letters += 1;
                            if c.is_ascii_uppercase() {
                                st.upper += 1;
                                if prev == ' ' && is_terminal(prev2) {
                                    st.sent_breaks += 1;
                                }
                            }
                        } else if c.is_ascii_digit() {
                            st.digits += 1;
                        } else {
                            st.punct += 1;
                            if c == ',' {
                                st.commas += 1;
                            }
                            if matches!(c, '|' | '/' | '>') {
                                st.seps += 1;
                            }
                        }
                        prev2 = prev;
                        prev = c;
                        continue;
                    }
                    if matches!(c as u32, 0x2000..=0x206F | 0xA0..=0xA9 | 0xAB..=0xB1 | 0xB4 | 0xB6..=0xB8 | 0xBB | 0xBF)
                    {
                        // General punctuation (dashes, curly quotes...) and Latin-1 symbols:
                        // neither letters nor digits; skip the Unicode tables.
                        first = false;
                        st.punct += 1;
                        if matches!(c, '•' | '·' | '»' | '›') {
                            st.seps += 1;
                        }
                        prev2 = prev;
                        prev = c;
                        continue;
                    }
                    if first {
                        if c.is_uppercase() {
                            st.cap_words += 1;
                        }
                        first = false;
                    }
                    if c.is_alphabetic() {
                        st.letters += 1;
                        if is_cjk(c) {
                            wcjk += 1;
                        } else if c.is_uppercase() {
                            st.upper += 1;
                        }
                    } else if c.is_numeric() {
                        st.digits += 1;
                    } else {
                        st.punct += 1;
                        if c == ',' || c == '、' || c == '，' {
                            st.commas += 1;
                        }
                        if matches!(c, '|' | '•' | '·' | '»' | '/' | '>' | '›') {
                            st.seps += 1;
                        }
                    }
                    // Sentence break inside the line: ". X" across a space is counted below.
                    if c.is_uppercase() && prev == ' ' && is_terminal(prev2) {
                        st.sent_breaks += 1;
                    }
                    if matches!(c, '。' | '！' | '？') {
                        st.sent_breaks += 1;
                    }
                    prev2 = prev;
                    prev = c;
                }
                prev2 = prev;
                prev = ' ';
                st.chars += wc + 1;
                st.cjk += wcjk;
                st.eff += if wcjk > 0 {
                    (wcjk as f32 / 2.0).max(1.0)
                } else {
                    1.0
                };
                // Stopword lookup on the lowercased word without edge punctuation.
                let core = word.trim_matches(|c: char| !c.is_alphanumeric());
                if !core.is_empty() && is_stopword(core, &mut buf) {
                    st.stop_words += 1;
                }
            }
            st.chars = st.chars.saturating_sub(1);
            if let Some(c) = s.chars().next() {
                st.starts_lower = c.is_lowercase();
                st.starts_bullet = matches!(
                    c,
                    '-' | '–' | '—' | '•' | '·' | '*' | '|' | '>' | '»' | '■' | '►' | '▶'
                );
            }
            st.terminal_end = super::super::text::ends_terminal(s);
            st.ends_colon = s.ends_with(':');
            // Cue phrases mark short furniture; long lines are never furniture for their cues.
            st.cues = if s.len() <= CUE_MAX_LINE { cues(s) } else { 0 };
            st
        }
    }

    #[test]
    fn fast_char_classes_match_std() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c.len_utf8() <= 2 {
                let lower: usize = c.to_lowercase().map(char::len_utf8).sum();
                assert!(lower >= c.len_utf8(), "{c:?} lowercases shorter");
            }
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_upper(c), c.is_uppercase(), "{c:?}");
        }
    }

    #[test]
    fn char_table_matches_char_class() {
        let distinct: FxSet<(u64, u8)> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .map(char_class)
            .collect();
        assert!(distinct.len() <= 256, "{} classes", distinct.len());
        let t = char_table();
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let b = c.encode_utf8(&mut buf).as_bytes();
            let (lanes, flags, len) = t.at(b, 0);
            assert_eq!(((lanes, flags), len), (char_class(c), b.len()), "{c:?}");
        }
    }

    /// `Stats::of` and `Stats::of_reference` agree on `line` (`case` is printed if not).
    fn assert_same_stats(line: &str, case: impl std::fmt::Debug) {
        assert_eq!(
            format!("{:?}", Stats::of(line)),
            format!("{:?}", Stats::of_reference(line)),
            "{case:?}"
        );
    }

    /// A small xorshift generator: `next(m)` is in `0..m`.
    fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut rng = crate::testing::XorShift(seed);
        move |m| rng.next_u64() % m
    }

    /// `count` random words of 1 to `max_chars` characters drawn from `pool`.
    fn random_words(pool: &str, count: usize, max_chars: u64, seed: u64) -> Vec<String> {
        let pool: Vec<char> = pool.chars().collect();
        let mut next = xorshift(seed);
        (0..count)
            .map(|_| {
                let n = 1 + next(max_chars) as usize;
                (0..n)
                    .map(|_| pool[next(pool.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    /// [`ByteMasks`] byte by byte.
    fn byte_masks_reference(block: &[u8]) -> ByteMasks {
        let mut m = ByteMasks {
            space: 0,
            alnum: 0,
            upper: 0,
            high: 0,
            lead: 0,
            counts: 0,
        };
        for i in 0..64 {
            let c = block.get(i).copied().unwrap_or(b' ');
            let bit = |yes: bool| u64::from(yes) << i;
            m.space |= bit(c == b' ');
            m.alnum |= bit(c.is_ascii_alphanumeric());
            m.upper |= bit(c.is_ascii_uppercase());
            m.counts += if c.is_ascii_alphabetic() { LETTER } else { 0 }
                + if c.is_ascii_uppercase() { UPPER } else { 0 }
                + if c.is_ascii_digit() { DIGIT } else { 0 };
            m.high |= bit(c >= 0x80);
            m.lead |= bit(c >= 0xC0);
        }
        m
    }

    #[test]
    fn byte_masks_match_the_reference() {
        // Every byte value, weighted towards the edges of the classes' ranges.
        let edges = b" !/09:@AZ[`az{\x7F\x80\xBF\xC0\xFF";
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for len in 0..=64usize {
            for _ in 0..200 {
                let block: Vec<u8> = (0..len)
                    .map(|_| match next(3) {
                        0 => next(256) as u8,
                        _ => edges[next(edges.len() as u64) as usize],
                    })
                    .collect();
                let words = AsciiBlock::load(&block);
                let want = byte_masks_reference(&block);
                assert_eq!(ByteMasks::of(&words, len), want, "{block:?}");
                // The portable version, whichever one the target uses.
                assert_eq!(ByteMasks::of_swar(&words, len), want, "{block:?}");
                let blk = AsciiBlock::new(&block);
                assert_eq!((blk.space, blk.alnum), (want.space, want.alnum));
                assert_eq!(blk.high_and_lead(), (want.high, want.lead));
            }
        }
    }

    #[test]
    fn long_words_match_the_reference() {
        // Words past the 128 characters after which the lane sums are emptied.
        for n in [127, 128, 129, 255, 256, 300, 600] {
            for w in ["Ж", "東", "É", "a", "。", "1", "Ab", "—"] {
                let word = w.repeat(n);
                for l in [
                    word.clone(),
                    format!("x. {word} y"),
                    format!("{word}\u{a0}{word}"),
                ] {
                    assert_same_stats(&l, (n, w));
                }
            }
        }
    }

    #[test]
    fn stats_match_the_reference_on_tricky_lines() {
        let lines = [
            "",
            " ",
            "The U.S. said. Then it left",
            "Ein Satz. Über alles\u{a0}und\u{202f}nichts",
            "ЧТО это? Это ТЕСТ, а не",
            "東京で。新しい！ニュース？ 한국어 문장",
            "— “Quoted” text • with » seps | a/b > c",
            "İstanbul KELVIN \u{212a}elvin ǅemal ß ẞ Σίσυφος",
            "x\u{a0}\u{a0}y  z",
            "123 456,7 ²³ ½",
            "read more: subscribe to our newsletter",
        ];
        for l in lines {
            assert_same_stats(l, l);
        }
    }

    /// `CORE_BYTES` holds, per core mask, the bytes from the first to the highest set bit's.
    /// No stopword has a character of three bytes or more (what [`short_core_key`] assumes).
    #[test]
    fn stopwords_have_short_characters() {
        for w in STOPWORDS {
            assert!(w.chars().all(|c| c.len_utf8() <= 2), "{w}");
        }
    }

    /// [`core_is_stopword`] agrees with [`stopword_key`] on every byte range of words of
    /// stopwords (any case), characters that lowercase to other lengths, CJK and punctuation.
    #[test]
    fn core_stopwords_match_the_plain_lookup() {
        let plain = |line: &str, (a, z): (usize, usize)| {
            line.get(a..z)
                .filter(|c| !c.is_empty())
                .and_then(stopword_key)
                .is_some_and(is_stopword_key)
        };
        let mut words: Vec<String> = vec![];
        for w in STOPWORDS {
            words.push(w.to_string());
            words.push(w.to_uppercase());
            words.push(format!("{w}x"));
        }
        // Latin-1 and Cyrillic at the edges of their case ranges too (× ÷ Þ þ ÿ, Џ А Я а я
        // ѐ џ Ѡ ѡ Ґ), and characters of two bytes without a simple lowercase (Ā ı Σ).
        let pool = "aZé\u{c9}ÃãàüÜèИиВвНЕЁёЯяЀѐ\u{212A}\u{130}\u{1E9E}ẞß\u{2C62}Ω\u{2126}日本語한—“’\u{1F600}-.1×÷ÞþÿЏАЯаяѐџѠѡҐĀıΣ¿\u{a0}";
        words.extend(random_words(pool, 20_000, 10, 11));
        let mut found = 0;
        for w in &words {
            let line = format!(" {w} ");
            for a in 0..=line.len() {
                for z in a..=line.len().min(a + 24) {
                    let got = core_is_stopword(&line, (a, z));
                    assert_eq!(got, plain(&line, (a, z)), "{line:?} {a}..{z}");
                    found += usize::from(got);
                }
            }
            assert!(!core_is_stopword(&line, (usize::MAX, 0)));
        }
        assert!(found > 100);
    }

    /// [`short_core_key`] agrees with [`stopword_key`] on every byte range of random words
    /// of characters of one to four bytes (Latin-1 and Cyrillic at the edges of their case
    /// ranges, characters of two bytes without a simple lowercase, hangul, CJK, fullwidth,
    /// emoji), read with the bytes after the range and without: a key is the word's key, a
    /// word it calls no stopword is none.
    #[test]
    fn short_core_keys_match_stopword_key() {
        let pool =
            "aZo.ИиВвЯяЁёЀѐЏџѠѡАаПпРрÀàÉéÞþßÿ×÷¿\u{a0}ĀıΣ한日\u{212A}\u{2126}\u{FF08}\u{1F600}";
        let mut words: Vec<String> = STOPWORDS.iter().map(|w| w.to_uppercase()).collect();
        words.extend(random_words(pool, 30_000, 12, 0x51_7cc1_b727_220a));
        let (mut keys, mut stop) = (0, 0);
        for w in &words {
            let b = w.as_bytes();
            for a in 0..=b.len() {
                for z in a..=b.len() {
                    let plain = w.get(a..z).filter(|c| !c.is_empty()).and_then(stopword_key);
                    for from in [None, b.get(a..)] {
                        match short_core_key(&b[a..z], from) {
                            ShortKey::Key(k) => {
                                assert_eq!(Some(k), plain, "{w:?} {a}..{z}");
                                keys += 1;
                                stop += usize::from(is_stopword_key(k));
                            }
                            ShortKey::NotStopword => {
                                assert!(!plain.is_some_and(is_stopword_key), "{w:?} {a}..{z}")
                            }
                            ShortKey::Other => {}
                        }
                    }
                }
            }
        }
        assert!(keys > 100_000 && stop > 1000, "{keys} {stop}");
    }

    #[test]
    fn core_bytes_cover_the_core() {
        for m in 1..256u64 {
            let want: u64 = (0..8)
                .filter(|&i| i <= 63 - m.leading_zeros())
                .map(|i| 0xFFu64 << (8 * i))
                .sum();
            assert_eq!(CORE_BYTES[m as usize], want, "{m:#b}");
            assert_eq!(ascii_core_key(u64::MAX, m), want, "{m:#b}");
        }
        assert_eq!(ascii_core_key(u64::MAX, 0x100), 0);
    }

    /// Lines of ASCII and any character with a stand-in take the ASCII path: it and the
    /// other lines' path agree with the reference on them.
    #[test]
    fn stand_in_lines_match_the_reference() {
        let t = char_table();
        let mut n = 0;
        for c in (0x80..=0xFFFFu32).filter_map(char::from_u32) {
            for l in [
                format!("don{c}t. The{c} x {c}A a{c}{c}b"),
                format!("{c}the end{c} Next one ({c}) {c}"),
                format!("a{c}"),
            ] {
                let mut plain = vec![];
                if !t.ascii_stand_in(l.as_bytes(), &mut plain) {
                    continue;
                }
                n += 1;
                assert_same_stats(&l, &l);
                let mut fast = Stats::default();
                fast.ascii_line(&plain);
                let mut other = Stats::default();
                other.unicode_line(&l);
                assert_eq!(format!("{fast:?}"), format!("{other:?}"), "{l:?}");
            }
        }
        assert!(n > 1000, "{n}");
        let mut plain = vec![];
        // Random mixes of ASCII and other characters, against a character-by-character copy.
        let alphabet = [
            'a', 'B', ' ', '.', '\u{2019}', '\u{201c}', '\u{a0}', '\u{2014}', '»', 'é',
        ];
        let mut rng = xorshift(0x5eed_57a4);
        for case in 0..40_000 {
            // Half the lines short and dense with other characters, half long with rare
            // ones (ASCII runs of sixteen bytes and more, read sixteen at a time).
            let (len, other_odds) = if case % 2 == 0 { (40, 1) } else { (160, 24) };
            let len = rng(len) as usize;
            let l: String = (0..len)
                .map(|_| {
                    let k = rng(alphabet.len() as u64 * other_odds) as usize;
                    // The first four of the alphabet are ASCII.
                    alphabet[if k < alphabet.len() { k } else { k % 4 }]
                })
                .collect();
            let want: Option<Vec<u8>> = l
                .char_indices()
                .map(|(i, c)| match u8::try_from(c).ok().filter(u8::is_ascii) {
                    Some(a) => Some(a),
                    None => t
                        .class_at(l.as_bytes(), i)
                        .map(|k| t.stand_in[k.0])
                        .filter(|&s| s != 0),
                })
                .collect();
            let got = t.ascii_stand_in(l.as_bytes(), &mut plain);
            assert_eq!(got, want.is_some(), "{l:?}");
            if let Some(want) = want {
                assert_eq!(plain, want, "{l:?}");
            }
        }
        assert!(!t.ascii_stand_in("naïve".as_bytes(), &mut plain));
        assert!(!t.ascii_stand_in("😀".as_bytes(), &mut plain));
        // The buffer from an earlier line is overwritten, and eight-byte runs of ASCII and
        // other characters at every offset are kept in order.
        for pad in 0..20 {
            let l = format!("{}\u{2019}abc\u{a0}defghijk\u{201c}", "x".repeat(pad));
            assert!(t.ascii_stand_in(l.as_bytes(), &mut plain), "{l:?}");
            let want: Vec<u8> = l
                .char_indices()
                .map(|(i, c)| match u8::try_from(c).ok().filter(u8::is_ascii) {
                    Some(a) => a,
                    None => t.stand_in[t.class_at(l.as_bytes(), i).map_or(0, |k| k.0)],
                })
                .collect();
            assert_eq!(plain, want, "{l:?}");
        }
    }

    #[test]
    fn stats_match_the_reference_on_random_lines() {
        // A small xorshift generator over an alphabet of the cases that matter.
        let alphabet: Vec<char> =
            "aZ9 .,|/>!?\u{a0}\u{202f}\u{2007}–“”»•·。！？、東한ЖжÉéß\u{212a}İ(ª²"
                .chars()
                .collect();
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..next(40) {
                line.push(alphabet[next(alphabet.len() as u64) as usize]);
            }
            assert_same_stats(&line, &line);
        }
    }

    #[test]
    fn run_starts_match_a_bit_by_bit_count() {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for case in 0..2000 {
            // Sparse to dense masks, so that runs of every length occur.
            let m = (0..=case % 4).fold(u64::MAX, |m, _| m & next(u64::MAX));
            for n in 1..=9 {
                let slow = (0..64)
                    .filter(|&i| (i..(i + n).min(64)).all(|j| m >> j & 1 != 0) && i + n <= 64)
                    .fold(0u64, |r, i| r | 1 << i);
                assert_eq!(run_starts(m, n as u32), slow, "{m:#x} {n}");
            }
        }
    }

    #[test]
    fn ascii_lines_match_the_reference_around_block_edges() {
        // Stopwords with and without edge punctuation (the longest too), cores of 7 (one
        // more than the longest stopword), 8 and 9 bytes, capitals after sentence ends, runs
        // of spaces: words of every length across the 8-byte words and 64-byte blocks the
        // ASCII path reads.
        let tokens = [
            "the",
            "dengan",
            "(Adalah)",
            "dengans",
            "3dengan",
            "The",
            "THE",
            "(the)",
            "\"And",
            "a",
            "U.S.",
            "x",
            "abcdefgh",
            "ABCDEFGHI",
            "...",
            ",",
            "|",
            "A.",
            "end.",
            "Yes!",
            "dan",
            "((((it))))",
            "9",
            "von,",
            "x/y",
            "longwordwithoutanyspacesinsideit-and-some-more-of-it-to-cross-a-block",
        ];
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        for target in 0..=200usize {
            for _ in 0..30 {
                let mut line = " ".repeat(next(3) as usize);
                while line.len() < target {
                    line.push_str(tokens[next(tokens.len() as u64) as usize]);
                    line.push_str(&" ".repeat(1 + (next(8) == 0) as usize * 2));
                }
                let cut = target.min(line.len());
                line.truncate(cut);
                assert_same_stats(&line, &line);
            }
        }
    }

    #[test]
    fn mixed_lines_match_the_reference_around_block_edges() {
        // Characters of one to four bytes, separators of one to three, stopwords plain and
        // lowercased from other scripts, sentence ends of one and three bytes: words and
        // characters of every length across the 64-byte blocks the other-lines path reads.
        let tokens = [
            "the",
            "Der",
            "ЧТО",
            "что",
            "Ж",
            "é",
            "É",
            "não",
            "für",
            "\u{212a}e",
            "東京",
            "。",
            "한국어",
            "😀",
            "a😀b",
            "x\u{1F600}.",
            "—",
            "«Это»",
            "(и)",
            "1",
            "²",
            "Ab.",
            "Жж!",
            "ǅemal",
            "İ",
            "ß",
            "ẞ",
            ",",
            "、",
            "»",
            "abcdefgh",
            "dengan",
            "Adalah»",
            "adalahé",
            "dengans",
            "ÀÉÎÕÜ",
            "ééééé",
            "да…",
            "東京大学研究所の",
        ];
        let seps = [" ", "\u{a0}", "\u{202f}", "\u{2007}", "  "];
        let mut next = xorshift(0x6A09_E667_F3BC_C908);
        for target in 0..=200usize {
            for _ in 0..30 {
                let mut line = String::new();
                while line.len() < target {
                    line.push_str(tokens[next(tokens.len() as u64) as usize]);
                    if next(4) != 0 {
                        line.push_str(seps[next(seps.len() as u64) as usize]);
                    }
                }
                // Cut at the character boundary at or before the target.
                let mut cut = target.min(line.len());
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                line.truncate(cut);
                assert_same_stats(&line, &line);
            }
        }
    }

    #[test]
    fn stats_match_the_reference_on_the_dev_pages() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cleanup-dev");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut n = 0;
        for e in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            for line in text.lines() {
                let l = super::super::text::normalize_ws(line);
                assert_same_stats(&l, &l);
                n += 1;
            }
        }
        assert!(n > 10_000, "dev pages not found: {n} lines");
    }

    #[test]
    fn stopwords_fit_the_packing() {
        assert!(
            STOPWORDS.iter().all(|w| w.len() <= 8),
            "a stopword is longer than 8 bytes"
        );
        // `ascii_core_key` ORs bytes with 0x20 instead of lowercasing them.
        for w in STOPWORDS.iter().filter(|w| w.is_ascii()) {
            assert!(w.bytes().all(|c| c.is_ascii_lowercase()), "{w:?}");
        }
        let mut b = String::new();
        assert!(is_stopword("The", &mut b));
        assert!(is_stopword("ЧТО", &mut b));
        assert!(!is_stopword("Kharkiv", &mut b));
        assert!(!is_stopword("", &mut b));
        // The compile-time table holds exactly the set.
        for &k in stopwords() {
            assert!(is_stopword_key(k), "{k:#x}");
        }
        let n = STOP_TABLE.0.iter().filter(|&&k| k != NO_STOPWORD).count();
        assert_eq!(n, stopwords().len());
        assert!(!is_stopword_key(0));
    }

    /// Prints a multiplier for [`STOP_MULTIPLIER`] that hashes the stopwords to distinct
    /// slots (needed if the build says two share one).
    #[test]
    #[ignore]
    fn find_stop_multiplier() {
        let bits = STOP_SLOTS.trailing_zeros();
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        let mut seen = vec![0u32; STOP_SLOTS];
        for t in 1..=10_000_000u32 {
            let m = rng.next_u64() | 1;
            let distinct = stopwords().iter().all(|&k| {
                let h = (k.wrapping_mul(m) >> (64 - bits)) as usize;
                std::mem::replace(&mut seen[h], t) != t
            });
            if distinct {
                println!("STOP_MULTIPLIER: {m:#x}");
                return;
            }
        }
        panic!("no multiplier found: more slots?");
    }

    /// The straightforward feature matrix (the code [`features_into`] replaced): one vector per
    /// quantity, a zeroed matrix filled in place.
    fn features_reference(units: &[UnitCtx<'_>], out: &mut Vec<f32>) {
        let n = units.len();
        out.clear();
        out.resize(n * N_FEAT, 0.0);
        if n == 0 {
            return;
        }
        let log_eff: Vec<f32> = units.iter().map(|u| ln_1p(u.stats.eff)).collect();
        let body: Vec<bool> = units.iter().map(|u| u.stats.bodyish()).collect();
        let chars: Vec<f32> = units.iter().map(|u| u.stats.chars as f32).collect();
        let total_chars: f32 = chars.iter().sum::<f32>().max(1.0);
        let body_chars: Vec<f32> = (0..n)
            .map(|i| if body[i] { chars[i] } else { 0.0 })
            .collect();
        let total_body: f32 = body_chars.iter().sum::<f32>().max(1.0);

        // Prefix sums for windows.
        let mut pre_eff = vec![0f32; n + 1];
        let mut pre_body = vec![0f32; n + 1];
        let mut pre_chars = vec![0f32; n + 1];
        let mut pre_bchars = vec![0f32; n + 1];
        for i in 0..n {
            pre_eff[i + 1] = pre_eff[i] + log_eff[i];
            pre_body[i + 1] = pre_body[i] + if body[i] { 1.0 } else { 0.0 };
            pre_chars[i + 1] = pre_chars[i] + chars[i];
            pre_bchars[i + 1] = pre_bchars[i] + body_chars[i];
        }
        let win = |pre: &[f32], i: usize, r: usize| -> f32 {
            let a = i.saturating_sub(r);
            let b = (i + r + 1).min(n);
            (pre[b] - pre[a]) / (b - a) as f32
        };

        // The densest region (maximum-sum subarray of a body score), and the runner-up regions
        // ranked by their sum.
        let score: Vec<f32> = (0..n)
            .map(|i| {
                let s = units[i].stats;
                if body[i] {
                    s.eff.min(80.0)
                } else if s.eff < 5.0 {
                    -3.0
                } else {
                    -1.0
                }
            })
            .collect();
        let (core_a, core_b, core_sum) = max_subarray(&score);
        let core_chars = pre_chars[core_b + 1] - pre_chars[core_a];
        // Rank of each unit's local region: sum of scores of the maximal positive segment around it.
        let seg = segment_sums(&score);

        // Nearest bodyish line distance.
        let mut body_dist = vec![f32::MAX; n];
        let mut last: Option<usize> = None;
        for i in 0..n {
            if body[i] {
                last = Some(i);
            }
            if let Some(l) = last {
                body_dist[i] = (i - l) as f32;
            }
        }
        last = None;
        for i in (0..n).rev() {
            if body[i] {
                last = Some(i);
            }
            if let Some(l) = last {
                body_dist[i] = body_dist[i].min((l - i) as f32);
            }
        }

        let nf = n as f32;
        let log_units = ln_1p(nf);
        let gap_rate = units.iter().filter(|u| u.gap_before).count() as f32 / nf;
        let body_rate = pre_body[n] / nf;
        for i in 0..n {
            let u = &units[i];
            let s = u.stats;
            let f = &mut out[i * N_FEAT..(i + 1) * N_FEAT];
            let words = (s.words as f32).max(1.0);
            let chars_f = (s.chars as f32).max(1.0);
            let letters = (s.letters as f32).max(1.0);
            let nb = |k: isize| -> usize { (i as isize + k) as usize };
            let has = |k: isize| -> bool {
                let j = i as isize + k;
                j >= 0 && (j as usize) < n
            };
            f[0] = log_eff[i];
            f[1] = ln_1p(chars_f);
            f[2] = s.terminal_end as u8 as f32;
            f[3] = (s.sent_breaks as f32).min(10.0);
            f[4] = s.commas as f32 / s.eff.max(1.0);
            f[5] = s.punct as f32 / chars_f;
            f[6] = s.upper as f32 / letters;
            f[7] = s.cap_words as f32 / words;
            f[8] = s.digits as f32 / chars_f;
            f[9] = s.stop_words as f32 / words;
            f[10] = s.starts_lower as u8 as f32;
            f[11] = s.starts_bullet as u8 as f32;
            f[12] = (s.cues & CUE_LEGAL != 0) as u8 as f32;
            f[13] = (s.cues & CUE_SOCIAL != 0) as u8 as f32;
            f[14] = (s.seps as f32).min(10.0);
            f[15] = (s.cues & CUE_PROMO != 0) as u8 as f32;
            f[16] = (s.cues & CUE_NAV != 0) as u8 as f32;
            f[17] = (s.cues & CUE_CAPTION != 0) as u8 as f32;
            f[18] = s.date_line as u8 as f32;
            f[19] = s.byline as u8 as f32;
            f[20] = (u.dup as f32).min(5.0);
            f[21] = i as f32 / nf;
            f[22] = pre_chars[i] / total_chars;
            f[23] = u.gap_before as u8 as f32;
            f[24] = u.gap_after as u8 as f32;
            f[25] = u.glued as u8 as f32;
            f[26] = (u.merged as f32).min(10.0);
            f[27] = if has(-2) { log_eff[nb(-2)] } else { -1.0 };
            f[28] = if has(-1) { log_eff[nb(-1)] } else { -1.0 };
            f[29] = if has(1) { log_eff[nb(1)] } else { -1.0 };
            f[30] = if has(2) { log_eff[nb(2)] } else { -1.0 };
            f[31] = if has(-1) {
                units[nb(-1)].stats.terminal_end as u8 as f32
            } else {
                -1.0
            };
            f[32] = if has(1) {
                units[nb(1)].stats.terminal_end as u8 as f32
            } else {
                -1.0
            };
            f[33] = win(&pre_eff, i, 3);
            f[34] = win(&pre_body, i, 3);
            f[35] = win(&pre_body, i, 10);
            f[36] = (i >= core_a && i <= core_b && core_sum > 0.0) as u8 as f32;
            f[37] = span_dist(i, core_a, core_b).clamp(-50.0, 50.0);
            f[38] = core_chars / total_chars;
            f[39] = body_dist[i].min(50.0);
            f[40] = s.ends_colon as u8 as f32;
            f[41] = (s.letters > 3 && s.upper as f32 / letters > 0.9) as u8 as f32;
            f[42] = (s.letters == 0) as u8 as f32;
            f[43] = s.cjk as f32 / chars_f;
            f[44] = chars_f / words;
            f[45] = (total_body - pre_bchars[i + 1]) / total_body;
            f[46] = pre_bchars[i] / total_body;
            f[47] = ln_1p(u.block_len as f32);
            f[48] = u.block_first as u8 as f32;
            f[49] = (s.cues & CUE_COMMENT != 0) as u8 as f32;
            f[50] = (s.cues & CUE_TIME != 0) as u8 as f32;
            f[51] = log_units;
            f[52] = if has(-1) {
                body[nb(-1)] as u8 as f32
            } else {
                -1.0
            };
            f[53] = if has(1) {
                body[nb(1)] as u8 as f32
            } else {
                -1.0
            };
            f[54] = if core_sum > 0.0 {
                seg[i] / core_sum
            } else {
                0.0
            };
            f[55] = u.title_sim;
            f[56] = gap_rate;
            f[57] = body_rate;
        }
    }

    /// Maximum-sum contiguous span (Kadane): (start, end inclusive, sum).
    fn max_subarray(xs: &[f32]) -> (usize, usize, f32) {
        let mut best = (0, 0, f32::MIN);
        let mut cur = 0f32;
        let mut start = 0;
        for (i, &x) in xs.iter().enumerate() {
            if cur <= 0.0 {
                cur = x;
                start = i;
            } else {
                cur += x;
            }
            if cur > best.2 {
                best = (start, i, cur);
            }
        }
        if best.2 == f32::MIN {
            (0, 0, 0.0)
        } else {
            best
        }
    }

    /// For each position, the sum of the Kadane segment it belongs to (0 outside positive ones).
    fn segment_sums(xs: &[f32]) -> Vec<f32> {
        let n = xs.len();
        let mut out = vec![0f32; n];
        // Forward pass: running sum that resets when it drops to <= 0; segment ids.
        let mut seg_start = 0;
        let mut cur = 0f32;
        let mut best_in_seg = 0f32;
        let mut i = 0;
        while i < n {
            if cur <= 0.0 {
                // close previous segment
                for o in out.iter_mut().take(i).skip(seg_start) {
                    *o = best_in_seg.max(0.0);
                }
                seg_start = i;
                cur = xs[i];
                best_in_seg = cur;
            } else {
                cur += xs[i];
                best_in_seg = best_in_seg.max(cur);
            }
            i += 1;
        }
        for o in out.iter_mut().skip(seg_start) {
            *o = best_in_seg.max(0.0);
        }
        out
    }

    #[test]
    fn features_match_the_reference() {
        let mut next = xorshift(0x3C6E_F372_FE94_F82B);
        let mut out = vec![f32::NAN; 7];
        let mut shipped_out = vec![f32::NAN; 7];
        for round in 0..400 {
            let n =
                (next(40) as usize) * usize::from(round % 10 != 0) + usize::from(round % 7 == 0);
            let stats: Vec<Stats> = (0..n)
                .map(|_| {
                    let words = next(60) as u32;
                    let chars = words * (1 + next(8) as u32) + next(5) as u32;
                    let letters = chars.saturating_sub(next(20) as u32);
                    Stats {
                        chars,
                        words,
                        // Whole and half counts (the table), odd values, and NaN-free zeros.
                        eff: match next(4) {
                            0 => words as f32,
                            1 => words as f32 / 2.0 + 0.5,
                            2 => next(3000) as f32 * 0.37,
                            _ => 0.0,
                        },
                        cjk: next(3) as u32 * chars / 2,
                        letters,
                        upper: letters * next(11) as u32 / 10,
                        digits: next(9) as u32,
                        punct: next(12) as u32,
                        cap_words: words * next(5) as u32 / 4,
                        stop_words: words * next(3) as u32 / 2,
                        terminal_end: next(2) == 1,
                        sent_breaks: next(14) as u32,
                        commas: next(6) as u32,
                        starts_lower: next(3) == 0,
                        starts_bullet: next(9) == 0,
                        ends_colon: next(8) == 0,
                        seps: next(13) as u32,
                        cues: next(256) as u32 * u32::from(next(3) == 0),
                        date_line: next(10) == 0,
                        byline: next(12) == 0,
                    }
                })
                .collect();
            let units: Vec<UnitCtx> = stats
                .iter()
                .map(|stats| UnitCtx {
                    stats,
                    dup: next(8) as u32,
                    gap_before: next(3) == 0,
                    gap_after: next(3) == 0,
                    glued: next(9) == 0,
                    merged: next(12) as u32,
                    block_len: 1 + next(120) as u32,
                    block_first: next(2) == 0,
                    title_sim: next(5) as f32 / 4.0,
                })
                .collect();
            let mut want = Vec::new();
            features_reference(&units, &mut want);
            // `out` holds the previous round's rows: nothing of them may show through.
            let len = features_into::<false>(&units, &mut out);
            assert_eq!(len, want.len());
            for (k, (a, b)) in out.iter().zip(&want).enumerate() {
                assert_eq!(
                    a.to_bits(),
                    b.to_bits(),
                    "round {round}, row {}, feature {}",
                    k / N_FEAT,
                    k % N_FEAT
                );
            }
            // Only the columns the shipped model reads: those as the reference, the others 0
            // (whatever the buffer held).
            let len = features_into::<true>(&units, &mut shipped_out);
            assert_eq!(len, want.len());
            for (k, (a, b)) in shipped_out.iter().zip(&want).enumerate() {
                let unread = UNREAD_BY_SHIPPED >> (k % N_FEAT) & 1 != 0;
                assert_eq!(
                    a.to_bits(),
                    if unread { 0 } else { b.to_bits() },
                    "round {round}, row {}, feature {}",
                    k / N_FEAT,
                    k % N_FEAT
                );
            }
        }
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    /// Instruction counts of the statistics alone, for callgrind: the dev pages' distinct
    /// lines as segmentation makes them, `REPS` times through the function `FN` names
    /// (`of`, `cues`, `ascii`, `unicode`, or nothing for the harness alone).
    /// `FN=of valgrind --tool=callgrind target/profiling/deps/newsprep-... stats_ir --ignored`
    #[test]
    #[ignore]
    fn stats_ir() {
        let mut lines: Vec<String> = vec![];
        for (_, page) in crate::testing::dev_pages() {
            let mut seen = FxSet::default();
            for u in super::super::segment(&page).units {
                if seen.insert(u.text.to_string()) {
                    lines.push(u.text.into_owned());
                }
            }
        }
        // The tables are built before the measured part (`INIT=chars`, `INIT=cues`: only
        // that one, to measure the building).
        match std::env::var("INIT").unwrap_or_default().as_str() {
            "chars" => drop(char_table()),
            "cues" => drop(cue_table()),
            _ => drop((char_table(), cue_table())),
        }
        let reps: usize = std::env::var("REPS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        let f: fn(&str) -> u32 = match std::env::var("FN").unwrap_or_default().as_str() {
            "of" => |l| Stats::of(l).words,
            "cues" => |l| if l.len() <= CUE_MAX_LINE { cues(l) } else { 0 },
            "ascii" => |l| {
                let mut st = Stats::default();
                if l.is_ascii() {
                    st.ascii_line(l.as_bytes());
                }
                st.words
            },
            "unicode" => |l| {
                let mut st = Stats::default();
                if !l.is_ascii() {
                    st.unicode_line(l);
                }
                st.words
            },
            _ => |l| l.len() as u32,
        };
        if std::env::var("SHAPE").is_ok() {
            // Which path the lines take, and their lengths.
            let t = char_table();
            let (mut n, mut bytes) = ([0usize; 3], [0usize; 3]);
            let mut short = [0usize; 3];
            for l in &lines {
                let k = if l.is_ascii() {
                    0
                } else if t.ascii_stand_in(l.as_bytes(), &mut vec![]) {
                    1
                } else {
                    2
                };
                n[k] += 1;
                bytes[k] += l.len();
                short[k] += usize::from(l.len() <= 16);
            }
            println!("ascii/stand-in/other lines {n:?} bytes {bytes:?} <=16 bytes {short:?}");
        }
        let mut x = 0u32;
        for _ in 0..reps {
            for l in &lines {
                x = x.wrapping_add(f(std::hint::black_box(l)));
            }
        }
        println!("{} lines: {x}", lines.len());
    }

    /// `cargo test --release --lib stats_speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn stats_speed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cleanup-dev");
        let mut lines = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                lines.extend(
                    text.lines()
                        .map(|l| super::super::text::normalize_ws(l).into_owned())
                        .filter(|l| !l.is_empty()),
                );
            }
        }
        let bytes: usize = lines.iter().map(String::len).sum();
        for (name, f) in [
            (
                "Stats::of",
                (|l: &str| Stats::of(l).words) as fn(&str) -> u32,
            ),
            ("cues", |l: &str| cues(l)),
            ("ascii_line alone (ASCII lines)", |l: &str| {
                let mut st = Stats::default();
                if l.is_ascii() {
                    st.ascii_line(l.as_bytes());
                }
                st.words
            }),
            ("unicode_line alone (other lines)", |l: &str| {
                let mut st = Stats::default();
                if !l.is_ascii() {
                    st.unicode_line(l);
                }
                st.words
            }),
            ("ends_terminal", |l: &str| {
                u32::from(super::super::text::ends_terminal(l))
            }),
            ("count spaces (calibration)", |l: &str| {
                l.bytes().fold(0u32, |a, b| a + u32::from(b == b' '))
            }),
            ("branchy byte loop (calibration)", |l: &str| {
                let mut n = 0u32;
                for b in l.bytes() {
                    if b == b' ' {
                        n += 3;
                    } else if b.is_ascii_uppercase() {
                        n += 1;
                    }
                }
                n
            }),
        ] {
            let t = std::time::Instant::now();
            let mut x = 0u32;
            for _ in 0..20 {
                for l in &lines {
                    x = x.wrapping_add(f(l));
                }
            }
            let dt = t.elapsed().as_secs_f64();
            println!(
                "{name}: {:.0} ns/line, {:.2} ns/byte ({x})",
                dt * 1e9 / (20 * lines.len()) as f64,
                dt * 1e9 / (20 * bytes) as f64
            );
        }
    }
}
