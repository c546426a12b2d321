//! Dates in page furniture: "2022-09-10", "10 Sep, 2022 13:18", "Sept 11, 2022",
//! "19 de novembro de 2019", "19.11.2019", "2018年8月16日", "2018년 8월 25일".
//! Output is ISO 8601, partial when the text is partial ("2022-09").

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    /// value, number of digits
    Num(u32, usize),
    /// a word (letters), lowercased later by the matcher
    Word(&'a str),
    /// one other non-space character
    Sym(char),
}

/// A letter of a word token: alphabetic, not CJK (asked only of other than ASCII letters).
#[inline]
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic() && !super::text::is_cjk(c))
}

/// The character starting at byte `i` of `s`, and its length: ASCII without decoding.
#[inline]
fn char_at(s: &str, i: usize) -> Option<(char, usize)> {
    match *s.as_bytes().get(i)? {
        x @ 0..=0x7F => Some((char::from(x), 1)),
        _ => s.get(i..)?.chars().next().map(|c| (c, c.len_utf8())),
    }
}

/// Numbers (runs of ASCII digits), words and other non-space characters. Byte by byte
/// where the text is ASCII (dates mostly are): a character is decoded only where it is not.
fn tokenize(s: &str) -> Vec<Tok<'_>> {
    // Sized once for a short line (dates are looked for in short lines).
    let mut out = Vec::with_capacity(s.len().min(32));
    let b = s.as_bytes();
    let mut i = 0;
    while let Some((c, len)) = char_at(s, i) {
        if c.is_ascii_digit() {
            let digits = b.get(i..).unwrap_or_default();
            let n = digits.iter().take_while(|d| d.is_ascii_digit()).count();
            // Nine digits always fit; longer runs are no date's.
            let v = if n <= 9 {
                digits
                    .iter()
                    .take(n)
                    .fold(0u32, |v, &d| v * 10 + u32::from(d - b'0'))
            } else {
                u32::MAX
            };
            out.push(Tok::Num(v, n));
            i += n;
        } else if is_word_char(c) {
            let mut j = i + len;
            while let Some((_, dl)) = char_at(s, j).filter(|&(d, _)| is_word_char(d)) {
                j += dl;
            }
            out.push(Tok::Word(s.get(i..j).unwrap_or_default()));
            i = j;
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sym(c));
            }
            i += len;
        }
    }
    out
}

/// Month number of a month name or abbreviation in the dev-set languages.
fn month_of(word: &str) -> Option<u32> {
    if word.is_ascii() {
        return ascii_month_of(word.as_bytes());
    }
    unicode_month_of(word)
}

/// [`month_of`] for an ASCII word, lowercased as it is packed: the ASCII names are 3 to 10
/// bytes long, so any other length is no month.
fn ascii_month_of(word: &[u8]) -> Option<u32> {
    if !(3..=10).contains(&word.len()) {
        return None;
    }
    // Most words a date is looked for around are no month: told by their first byte and
    // length before they are packed and searched for.
    let first = word.first().map_or(0, u8::to_ascii_lowercase);
    if MONTH_LENGTHS_BY_FIRST[usize::from(first)] >> word.len() & 1 == 0 {
        return None;
    }
    let key = word
        .iter()
        .rev()
        .fold(0u128, |k, &b| k << 8 | u128::from(b.to_ascii_lowercase()));
    month_of_key(key)
}

fn unicode_month_of(word: &str) -> Option<u32> {
    lower_month_of(&word.to_lowercase())
}

/// Month names in the dev-set languages, lowercased.
const MONTH_NAMES: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("sept", 9),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("marco", 3),
    ("abril", 4),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("agosto", 8),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("gennaio", 1),
    ("febbraio", 2),
    ("marzo", 3),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    ("januari", 1),
    ("februari", 2),
    ("maret", 3),
    ("mei", 5),
    ("agustus", 8),
    ("desember", 12),
    ("enero", 1),
    ("febrero", 2),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("décembre", 12),
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    ("январь", 1),
    ("февраль", 2),
    ("март", 3),
    ("апрель", 4),
    ("май", 5),
    ("июнь", 6),
    ("июль", 7),
    ("август", 8),
    ("сентябрь", 9),
    ("октябрь", 10),
    ("ноябрь", 11),
    ("декабрь", 12),
];

/// Three-letter abbreviations of the English (and most Romance) names.
const MONTH_ABBRS: &[(&str, u32)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("fev", 2),
    ("abr", 4),
    ("ago", 8),
    ("set", 9),
    ("out", 10),
    ("dez", 12),
    ("okt", 10),
    ("mrz", 3),
    ("gen", 1),
    ("giu", 6),
    ("lug", 7),
    ("ott", 10),
    ("dic", 12),
    ("agu", 8),
    ("des", 12),
    ("янв", 1),
    ("фев", 2),
    ("мар", 3),
    ("апр", 4),
    ("июн", 6),
    ("июл", 7),
    ("авг", 8),
    ("сен", 9),
    ("окт", 10),
    ("ноя", 11),
    ("дек", 12),
];

/// A lowercased word of up to 16 bytes (every name is) packed into an integer, little-endian.
/// Words hold no NUL (they are letters), so the zero padding is unambiguous.
const fn month_key(b: &[u8]) -> u128 {
    let mut k = 0u128;
    let mut i = b.len();
    while i > 0 {
        i -= 1;
        k = k << 8 | b[i] as u128;
    }
    k
}

const MONTH_COUNT: usize = MONTH_NAMES.len() + MONTH_ABBRS.len();

/// Month name or abbreviation `i` of the [`MONTH_COUNT`]: the names, then the abbreviations.
const fn month_entry(i: usize) -> (&'static str, u32) {
    if i < MONTH_NAMES.len() {
        MONTH_NAMES[i]
    } else {
        MONTH_ABBRS[i - MONTH_NAMES.len()]
    }
}

/// The names and abbreviations by key, sorted (built at compile time; all are distinct,
/// and the abbreviations are the three-character words, so one lookup answers for both).
static MONTH_KEYS: [(u128, u32); MONTH_COUNT] = {
    let mut t = [(0u128, 0u32); MONTH_COUNT];
    let mut i = 0;
    while i < MONTH_COUNT {
        let (name, m) = month_entry(i);
        assert!(name.len() <= 16);
        t[i] = (month_key(name.as_bytes()), m);
        i += 1;
    }
    // Insertion sort.
    let mut a = 1;
    while a < MONTH_COUNT {
        let mut b = a;
        while b > 0 && t[b - 1].0 > t[b].0 {
            let x = t[b - 1];
            t[b - 1] = t[b];
            t[b] = x;
            b -= 1;
        }
        a += 1;
    }
    t
};

/// Per byte `b`: bit `n` set when some month name or abbreviation of `n` bytes starts with
/// `b` (all are lowercase).
static MONTH_LENGTHS_BY_FIRST: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < MONTH_COUNT {
        let name = month_entry(i).0.as_bytes();
        assert!(name.len() < 32);
        t[name[0] as usize] |= 1 << name.len();
        i += 1;
    }
    t
};

/// The month of a packed lowercased word.
fn month_of_key(key: u128) -> Option<u32> {
    let i = MONTH_KEYS.binary_search_by_key(&key, |&(k, _)| k).ok()?;
    MONTH_KEYS.get(i).map(|&(_, m)| m)
}

/// [`month_of`] for a lowercased word.
fn lower_month_of(w: &str) -> Option<u32> {
    // Every name or abbreviation is 3 to 16 bytes long.
    if !(3..=16).contains(&w.len()) {
        return None;
    }
    month_of_key(month_key(w.as_bytes()))
}

/// Is there a maximal run of exactly four ASCII digits worth 1900 to 2100 (see [`year_ok`])?
fn has_year(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 4 {
            let v = b[i..i + 4]
                .iter()
                .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
            if year_ok(v, 4) {
                return true;
            }
        }
        i += run;
    }
    false
}

fn year_ok(v: u32, digits: usize) -> bool {
    digits == 4 && (1900..=2100).contains(&v)
}

/// A date found: year, month, day (the latter two maybe unknown).
type Ymd = (u32, Option<u32>, Option<u32>);

/// The date when its month and day are in range (the matcher gives up otherwise).
fn iso(y: u32, m: Option<u32>, d: Option<u32>) -> Option<Ymd> {
    match (m, d) {
        (Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            Some((y, m.into(), d.into()))
        }
        (Some(m), None) if (1..=12).contains(&m) => Some((y, Some(m), None)),
        (None, None) => Some((y, None, None)),
        _ => None,
    }
}

/// ISO 8601, partial when the date is.
fn format_iso((y, m, d): Ymd) -> String {
    match (m, d) {
        (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{y:04}-{m:02}"),
        _ => format!("{y:04}"),
    }
}

fn is_word(t: Option<&Tok<'_>>, words: &[&str]) -> bool {
    matches!(t, Some(Tok::Word(w)) if words.iter().any(|x| x.eq_ignore_ascii_case(w)))
}

/// Finds the first date in `s` and returns it as ISO 8601 (maybe partial).
pub fn find_date(s: &str) -> Option<String> {
    find_ymd(s).map(format_iso)
}

/// Does `s` hold a date ([`find_date`] without formatting it)?
pub fn has_date(s: &str) -> bool {
    find_ymd(s).is_some()
}

#[allow(clippy::needless_range_loop)] // look-ahead by index reads best here
fn find_ymd(s: &str) -> Option<Ymd> {
    // Every date found has a year (a run of exactly four digits, 1900-2100): most short
    // lines with digits ("12 comments", "3.5 km") have none and are not tokenized.
    if !has_year(s.as_bytes()) {
        return None;
    }
    let t = tokenize(s);
    let n = t.len();
    let get = |k: usize| t.get(k).copied();
    for i in 0..n {
        match t[i] {
            Tok::Num(y, 4) if year_ok(y, 4) => {
                // 2022-09-10, 2022/09/10, 2022.09.10, 2022-09, 2022年9月10日, 2022년 9월 10일
                if let (Some(Tok::Sym(s1)), Some(Tok::Num(m, md))) = (get(i + 1), get(i + 2)) {
                    if matches!(s1, '-' | '/' | '.' | '年') && md <= 2 && (1..=12).contains(&m) {
                        let mut k = i + 3;
                        if s1 == '年' && matches!(get(k), Some(Tok::Sym('月'))) {
                            k += 1;
                        }
                        let sep2 = if s1 == '年' { None } else { Some(s1) };
                        match (get(k), get(k + 1)) {
                            (Some(Tok::Sym(s2)), Some(Tok::Num(d, dd)))
                                if dd <= 2 && (Some(s2) == sep2 || s2 == 'T') =>
                            {
                                return iso(y, Some(m), Some(d));
                            }
                            (Some(Tok::Num(d, dd)), _) if s1 == '年' && dd <= 2 => {
                                return iso(y, Some(m), Some(d));
                            }
                            _ => {
                                if s1 == '-' || s1 == '年' {
                                    return iso(y, Some(m), None);
                                }
                            }
                        }
                    }
                }
                if let Some(Tok::Sym('년')) = get(i + 1) {
                    if let (Some(Tok::Num(m, _)), Some(Tok::Sym('월'))) = (get(i + 2), get(i + 3))
                    {
                        if let (Some(Tok::Num(d, _)), Some(Tok::Sym('일'))) =
                            (get(i + 4), get(i + 5))
                        {
                            return iso(y, Some(m), Some(d));
                        }
                        return iso(y, Some(m), None);
                    }
                }
            }
            Tok::Num(d, dd) if dd <= 2 => {
                // 19.11.2019, 11/19/2019, 19-11-2019
                if let (
                    Some(Tok::Sym(s1)),
                    Some(Tok::Num(b, bd)),
                    Some(Tok::Sym(s2)),
                    Some(Tok::Num(y, 4)),
                ) = (get(i + 1), get(i + 2), get(i + 3), get(i + 4))
                {
                    if s1 == s2 && matches!(s1, '.' | '/' | '-') && bd <= 2 && year_ok(y, 4) {
                        let (day, mon) = if s1 == '.' || d > 12 { (d, b) } else { (b, d) };
                        if let Some(x) = iso(y, Some(mon), Some(day)) {
                            return Some(x);
                        }
                    }
                }
                // 10 Sep, 2022 / 19 de novembro de 2019 / 18 NOV 2019 / 5. März 2019
                let mut k = i + 1;
                if matches!(get(k), Some(Tok::Sym('.'))) {
                    k += 1;
                }
                if is_word(get(k).as_ref(), &["de", "of", "th", "st", "nd", "rd"]) {
                    k += 1;
                }
                if let Some(Tok::Word(w)) = get(k) {
                    if let Some(m) = month_of(w) {
                        let mut k2 = k + 1;
                        while matches!(get(k2), Some(Tok::Sym('.' | ',')))
                            || is_word(get(k2).as_ref(), &["de", "del"])
                        {
                            k2 += 1;
                        }
                        if let Some(Tok::Num(y, 4)) = get(k2) {
                            if year_ok(y, 4) {
                                return iso(y, Some(m), Some(d));
                            }
                        }
                    }
                }
            }
            Tok::Word(w) => {
                // Sept 11, 2022 / November 19th, 2019 / Nov. 2019
                if let Some(m) = month_of(w) {
                    let mut k = i + 1;
                    if matches!(get(k), Some(Tok::Sym('.'))) {
                        k += 1;
                    }
                    match get(k) {
                        Some(Tok::Num(d, dd)) if dd <= 2 => {
                            let mut k2 = k + 1;
                            if is_word(get(k2).as_ref(), &["th", "st", "nd", "rd"]) {
                                k2 += 1;
                            }
                            while matches!(get(k2), Some(Tok::Sym(',' | '.'))) {
                                k2 += 1;
                            }
                            if let Some(Tok::Num(y, 4)) = get(k2) {
                                if year_ok(y, 4) {
                                    return iso(y, Some(m), Some(d));
                                }
                            }
                        }
                        Some(Tok::Num(y, 4)) if year_ok(y, 4) && w.len() > 2 => {
                            return iso(y, Some(m), None);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{
        find_date, is_word_char, lower_month_of, month_of, tokenize, unicode_month_of, Tok,
        MONTH_ABBRS, MONTH_NAMES,
    };

    /// The tokenizer as it was: character by character, numbers parsed as strings.
    fn tokenize_reference(s: &str) -> Vec<Tok<'_>> {
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut it = s.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c.is_ascii_digit() {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let digits = &s[i..j];
                let v = if digits.len() <= 9 {
                    digits.parse().unwrap_or(u32::MAX)
                } else {
                    u32::MAX
                };
                out.push(Tok::Num(v, digits.len()));
                while it.peek().is_some_and(|&(k, _)| k < j) {
                    it.next();
                }
            } else if is_word_char(c) {
                let mut j = i + c.len_utf8();
                while let Some(&(k, d)) = it.peek() {
                    if is_word_char(d) {
                        j = k + d.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push(Tok::Word(&s[i..j]));
            } else if !c.is_whitespace() {
                out.push(Tok::Sym(c));
            }
        }
        out
    }

    /// The byte-wise tokenizer agrees with the reference on the dev pages' lines, on tricky
    /// lines and on random mixes of digits, letters, marks and spaces (ASCII and not).
    #[test]
    fn tokenize_matches_reference() {
        let mut lines: Vec<String> = [
            "",
            " ",
            "1",
            "1234567890123",
            "123456789",
            "4294967295",
            "2019",
            "a",
            "é",
            "Ünïcödé 2019-11-19",
            "2018年8月16日",
            "2018년 8월 25일",
            "19 de novembro de 2019",
            "\u{a0}2019\u{3000}12\u{2009}x",
            "٣ ١٢ 2019",
            "Sept.11,2022",
            "x\u{1F600}y 12",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        lines.extend(crate::testing::dev_set_lines());
        let pieces = [
            "0",
            "1",
            "9",
            "19",
            "2019",
            "1234567890",
            " ",
            "  ",
            "\t",
            "a",
            "Z",
            "de",
            ".",
            ",",
            "-",
            "/",
            "年",
            "月",
            "日",
            "년",
            "월",
            "é",
            "ß",
            "я",
            "\u{a0}",
            "\u{3000}",
            "٣",
            "漢",
            "\u{1F600}",
            "\u{301}",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let mut l = String::new();
            let len = rng.next_u64() % 40;
            while (l.len() as u64) < len {
                l.push_str(pieces[(rng.next_u64() % pieces.len() as u64) as usize]);
            }
            lines.push(l);
        }
        lines.push("2019 ".repeat(5_000) + "Nov 19, 2019");
        for l in &lines {
            assert_eq!(tokenize(l), tokenize_reference(l), "{l:?}");
        }
    }

    /// The month lookup as it was: a scan of the names, then of the abbreviations.
    fn lower_month_of_reference(w: &str) -> Option<u32> {
        let same = |n: &str| n == w;
        if let Some(&(_, m)) = MONTH_NAMES.iter().find(|(n, _)| same(n)) {
            return Some(m);
        }
        if w.chars().count() == 3 {
            return MONTH_ABBRS.iter().find(|(n, _)| same(n)).map(|&(_, m)| m);
        }
        None
    }

    /// The packed, sorted lookup agrees with the scan on every name, its prefixes and
    /// extensions, and in any case.
    #[test]
    fn month_lookup_matches_reference() {
        let mut words: Vec<String> = vec![String::new(), "a".into(), "ab".into()];
        for (n, _) in MONTH_NAMES.iter().chain(MONTH_ABBRS) {
            let chars: Vec<char> = n.chars().collect();
            for k in 0..=chars.len() {
                words.push(chars[..k].iter().collect());
            }
            for tail in ["s", "x", "é", "я", "aaaaaaaaaaaaaaaa"] {
                words.push(format!("{n}{tail}"));
                words.push(format!("{tail}{n}"));
            }
            words.push(n.to_uppercase());
        }
        // Every ASCII word of three letters (the abbreviations' length), in two cases.
        for k in 0..26 * 26 * 26 {
            let w: String = [k / 676, k / 26 % 26, k % 26]
                .iter()
                .map(|&i| char::from(b'a' + i as u8))
                .collect();
            words.push(w.to_ascii_uppercase());
            words.push(w);
        }
        for w in &words {
            assert_eq!(lower_month_of(w), lower_month_of_reference(w), "{w:?}");
            assert_eq!(
                month_of(w),
                lower_month_of_reference(&w.to_lowercase()),
                "{w:?}"
            );
        }
    }

    /// The ASCII shortcut agrees with the lowercasing lookup on month names in any case.
    #[test]
    fn ascii_month_names_agree_with_the_lookup() {
        let words = "january february march april may june july august september october \
            november december sept janeiro fevereiro marco abril maio junho julho agosto \
            setembro outubro novembro dezembro januar februar mai juni juli oktober dezember \
            gennaio febbraio marzo aprile maggio giugno luglio settembre ottobre dicembre \
            januari februari maret mei agustus desember enero febrero mayo junio julio \
            septiembre octubre noviembre diciembre janvier mars avril juin juillet septembre \
            octobre jan feb mar apr jun jul aug sep oct nov dec fev abr ago set out dez okt \
            mrz gen giu lug ott dic agu des a de th of nd x no decembers septembres janu";
        for w in words.split_whitespace() {
            let mut cap = w.to_string();
            cap[..1].make_ascii_uppercase();
            for v in [w.to_string(), cap, w.to_ascii_uppercase()] {
                assert_eq!(month_of(&v), unicode_month_of(&v), "{v}");
            }
        }
        assert_eq!(month_of("SEPTIEMBRE"), Some(9));
        assert_eq!(month_of("Mrz"), Some(3));
    }

    #[test]
    fn formats() {
        let cases = [
            ("date 2022-09-10", Some("2022-09-10")),
            ("date 2022-09", Some("2022-09")),
            ("10 Sep, 2022 13:18", Some("2022-09-10")),
            ("Press TV – Sept 11, 2022", Some("2022-09-11")),
            ("- September 11, 2022", Some("2022-09-11")),
            ("November 19, 2019, 9:02 AM", Some("2019-11-19")),
            ("18 NOV 2019", Some("2019-11-18")),
            ("19 de novembro de 2019", Some("2019-11-19")),
            ("19.11.2019 10:00", Some("2019-11-19")),
            ("11/19/2019", Some("2019-11-19")),
            ("기사입력 :[ 2018-08-25 15:24 ]", Some("2018-08-25")),
            ("2018年8月16日", Some("2018-08-16")),
            ("2018년 8월 25일", Some("2018-08-25")),
            ("Published Nov. 19th, 2019", Some("2019-11-19")),
            ("2019-11-19T10:00:00Z", Some("2019-11-19")),
            ("no date here 12", None),
            ("12 comments, 20220 views, 3.5 km", None),
            ("in 1899 and 2101", None),
            ("19.11.12019", None),
            ("May 2100", Some("2100-05")),
            ("May I help", None),
        ];
        for (s, want) in cases {
            assert_eq!(find_date(s).as_deref(), want, "{s}");
        }
    }
}
