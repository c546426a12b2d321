//! Character classes and line repair: whitespace normalisation, splitting glued paragraphs
//! ("week.The") and merging lines a scraper cut at links ("Rafael Nadal" / "kept Spain's").

/// Whitespace for our purposes: Unicode whitespace and control characters (NUL included).
#[inline]
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Zero-width characters scrapers leave behind: removed outright.
#[inline]
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}')
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
    matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」' | '』' | '）' | '›')
}

/// Opening quotes that may start a sentence.
#[inline]
pub fn is_opener(c: char) -> bool {
    matches!(c, '"' | '“' | '«' | '„' | '‘' | '「' | '『' | '(' | '‹')
}

/// Collapses every run of whitespace (see [`is_space`]) into one space and trims; a lone
/// no-break space between words is kept as it is; zero-width characters are removed.
pub fn normalize_ws(s: &str) -> String {
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
                out.push(if run == 1 && is_nbsp(run_char) { run_char } else { ' ' });
            }
            run = 0;
            out.push(c);
        }
    }
    out
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

/// Byte offsets where a glued line should be split: after sentence punctuation (and closing
/// quotes) that is directly followed, with no space, by an uppercase letter or an opening
/// quote and an uppercase letter. "U.S.", decimals, "Mr.Smith" and domains are left alone.
pub fn glue_points(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let (_, c) = chars[i];
        if !matches!(c, '.' | '!' | '?') || i == 0 {
            i += 1;
            continue;
        }
        let prev = chars[i - 1].1;
        let prev_ok = prev.is_lowercase()
            || prev.is_ascii_digit()
            || is_closer(prev)
            || is_hangul(prev)
            || (prev.is_alphabetic() && !prev.is_uppercase() && !is_cjk(prev));
        if !prev_ok {
            i += 1;
            continue;
        }
        // Skip a run of sentence punctuation ("?!", "...") and closing quotes.
        let mut j = i + 1;
        while j < n && (matches!(chars[j].1, '.' | '!' | '?') || is_closer(chars[j].1)) {
            j += 1;
        }
        if j >= n {
            break;
        }
        let next = chars[j].1;
        let starts = if next.is_uppercase() {
            true
        } else if is_opener(next) && next != '(' {
            chars.get(j + 1).is_some_and(|&(_, d)| d.is_uppercase())
        } else {
            is_hangul(prev) && is_hangul(next)
        };
        if starts && prev.is_ascii_digit() {
            // "in 2019.The" splits, but "v2.0.X" style tokens do not.
            let digits_before = chars[..i].iter().rev().take_while(|(_, d)| d.is_ascii_digit()).count();
            let before = i.checked_sub(digits_before + 1).and_then(|k| chars.get(k)).map(|p| p.1);
            if before.is_some_and(|b| b == '.' || b.is_alphabetic()) {
                i = j;
                continue;
            }
        }
        if starts && c == '.' {
            // The word before the period: an honorific or a single letter is an abbreviation.
            let start = chars[..i]
                .iter()
                .rev()
                .take_while(|(_, d)| d.is_alphanumeric())
                .count();
            let word_start = chars[i - start].0;
            let word = &s[word_start..chars[i].0];
            let single = word.chars().count() <= 1 && !prev.is_ascii_digit();
            if single || HONORIFICS.contains(&word) {
                i = j;
                continue;
            }
        }
        if starts {
            out.push(chars[j].0);
        }
        i = j;
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

const JOIN_WORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "with", "by", "from", "and", "or",
    "as", "that", "than", "said", "says", "told", "via", "like", "including", "about", "into",
    "is", "was", "are", "were", "de", "da", "do", "das", "dos", "em", "der", "die", "das", "und",
    "von", "mit", "di", "il", "la", "le", "del", "della", "yang", "dan", "di", "ke", "dari", "и",
    "в", "на", "с", "по", "the", "this", "his", "her", "their", "its", "our", "new",
];

/// Should `b` continue `a` on one line (a scraper cut the sentence at a link or <em>)?
pub fn continues(a: &str, b: &str) -> bool {
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
    if matches!(b_first, ',' | '.' | ';' | ')' | '!' | '?' | '%' | '’' | '”' | ']') {
        return true;
    }
    if a_last.is_lowercase() {
        if b_first.is_ascii_digit() || b_first == '$' || b_first == '€' || b_first == '£' {
            return true;
        }
        let last_word = a.rsplit(is_sep).next().unwrap_or("");
        if b_first.is_uppercase() && JOIN_WORDS.contains(&last_word) && a.contains(' ') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_whitespace() {
        assert_eq!(normalize_ws("  a\u{a0}\u{a0} b\t\0c  "), "a b c");
        assert_eq!(normalize_ws("a\u{a0}b\u{200b}c\u{a0}"), "a\u{a0}bc");
        assert_eq!(normalize_ws(" \n "), "");
    }

    #[test]
    fn splits_glued_sentences() {
        assert_eq!(split_glued("last week.The Ministry said"), vec!["last week.", "The Ministry said"]);
        assert_eq!(split_glued("the U.S. Army and 3.5 km"), vec!["the U.S. Army and 3.5 km"]);
        assert_eq!(split_glued("wrote.“We will"), vec!["wrote.", "“We will"]);
        assert_eq!(split_glued("it said.”Then"), vec!["it said.”", "Then"]);
        assert_eq!(split_glued("Mr.Smith went"), vec!["Mr.Smith went"]);
        assert_eq!(split_glued("in 2019.The end"), vec!["in 2019.", "The end"]);
        assert_eq!(split_glued("Sportsnet.ca is"), vec!["Sportsnet.ca is"]);
        assert_eq!(split_glued("ASP.NET core"), vec!["ASP.NET core"]);
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
