//! Icon-font label noise: "icon bookmark-bicon bookmarkicon cameraicon checkicon chevron
//! downicon ...". Scrapers keep the text labels of icon glyphs; they come in runs, glued to
//! each other and often to real text on the same line.

use std::borrow::Cow;

use super::text::{is_invisible, is_space};

/// The token as it reads once tidied (zero-width characters gone), so that stripping judges
/// tokens as the tidied output will show them.
fn visible(tok: &str) -> Cow<'_, str> {
    if tok.chars().any(is_invisible) {
        Cow::Owned(tok.chars().filter(|&c| !is_invisible(c)).collect())
    } else {
        Cow::Borrowed(tok)
    }
}

/// A token that names an icon glyph: "icon", "cameraicon", "icon-close", "v-playicon".
fn is_icon_token(tok: &str) -> bool {
    let tok = visible(tok);
    let t = tok.trim_matches(|c: char| !c.is_alphanumeric());
    if t.len() < 4 || !t.is_ascii() {
        return false;
    }
    // "icon" in any ASCII case at `i`: compared in place (most tokens of a line holding
    // "icon" are ordinary words; no lowercased copy of each).
    let b = t.as_bytes();
    let icon_at = |i: usize| {
        b.get(i..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"icon"))
    };
    let last = b.len() - 4;
    icon_at(last)
        || icon_at(0)
        || (0..last).any(|i| icon_at(i) && b.get(i + 4) == Some(&b'-'))
        || (1..=last).any(|i| b.get(i - 1) == Some(&b'-') && icon_at(i))
}

/// A short word allowed between icon tokens ("chevron downicon": "chevron").
fn is_filler(tok: &str) -> bool {
    let tok = visible(tok);
    tok.len() <= 12
        && tok
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Cheap pre-check: does the line contain "icon" in any ASCII case?
pub fn may_have_icons(line: &str) -> bool {
    super::text::line_flags(line.as_bytes()) & super::text::flag::ICON != 0
}

/// Byte ranges of icon runs in one line (no newlines inside). A run needs at least three
/// icon tokens; up to two filler words may sit between icon tokens.
pub fn icon_runs(line: &str) -> Vec<(usize, usize)> {
    // Fast path: no "icon" at all.
    if !may_have_icons(line) || too_few_icons(line) {
        return Vec::new();
    }
    runs_of_tokens(line)
}

/// Whether `line` holds fewer "icon"s (in any ASCII case) than a run needs and no zero-width
/// character: then it has no run. Each icon token holds its own "icon" but for zero-width
/// characters, which tokens are judged without. Most lines [`may_have_icons`] lets through
/// are such ("silicon", "iconic"), and tokenizing a long one costs far more.
fn too_few_icons(line: &str) -> bool {
    let b = line.as_bytes();
    let icons = memchr::memchr2_iter(b'i', b'I', b)
        .filter(|&i| {
            b.get(i..i + 4)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"icon"))
        })
        .take(3)
        .count();
    icons < 3 && (line.is_ascii() || !line.chars().any(is_invisible))
}

/// [`icon_runs`] of a line, token by token.
fn runs_of_tokens(line: &str) -> Vec<(usize, usize)> {
    // Tokens are separated by what tidying the kept text turns into a space (any whitespace
    // or control character): splitting at ' ' only left "f\x0cicon" whole, and the tidied
    // output then had a new run (not idempotent; fuzz/regressions/strip_icons).
    let toks: Vec<(usize, &str)> = line
        .split(is_space)
        .filter(|t| !t.is_empty())
        .map(|t| (t.as_ptr() as usize - line.as_ptr() as usize, t))
        .collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !is_icon_token(toks[i].1) {
            i += 1;
            continue;
        }
        let first = i;
        let mut last = i;
        let mut count = 1;
        let mut fillers = 0;
        let mut j = i + 1;
        while j < toks.len() {
            if is_icon_token(toks[j].1) {
                last = j;
                count += 1;
                j += 1;
                continue;
            }
            // Up to two fillers, then an icon token again.
            let mut k = j;
            while k < toks.len() && k < j + 2 && !is_icon_token(toks[k].1) && is_filler(toks[k].1) {
                k += 1;
            }
            if k < toks.len() && k > j && is_icon_token(toks[k].1) {
                fillers += k - j;
                j = k;
                continue;
            }
            break;
        }
        if count >= 3 && count >= 2 * fillers {
            // One short trailing token that ends the line belongs to the run ("wticon fm").
            if last + 2 == toks.len() {
                if let Some(&(_, t)) = toks.get(last + 1) {
                    if t.len() <= 3 && t.chars().all(|c| c.is_ascii_lowercase()) {
                        last += 1;
                    }
                }
            }
            let (s0, _) = toks[first];
            let (s1, t1) = toks[last];
            runs.push((s0, s1 + t1.len()));
        }
        i = last + 1;
    }
    runs
}

/// Removes icon runs from one line; returns the kept text (spaces tidied) and the removed pieces.
pub fn strip_line(line: &str) -> (String, Vec<String>) {
    let runs = icon_runs(line);
    if runs.is_empty() {
        return (line.to_string(), Vec::new());
    }
    let mut kept = String::with_capacity(line.len());
    let mut removed = Vec::with_capacity(runs.len());
    let mut last = 0;
    for (a, b) in runs {
        if let (Some(before), Some(run)) = (line.get(last..a), line.get(a..b)) {
            kept.push_str(before);
            removed.push(run.to_string());
        }
        last = b;
    }
    if let Some(rest) = line.get(last..) {
        kept.push_str(rest);
    }
    (super::text::normalize_ws(&kept).into_owned(), removed)
}

/// Public `strip_icons`: every line with its icon runs removed, other lines untouched.
pub fn strip_icons(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if icon_runs(line).is_empty() {
            out.push_str(line);
        } else {
            // Keep the line's own leading indentation; tidy the rest.
            let (kept, _) = strip_line(line);
            out.push_str(&kept);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `icon_runs` agrees with the token scan behind only its first pre-check, on lines with
    /// zero to four "icon"s in any case, joined by zero-width characters or soft hyphens,
    /// among fillers and other words.
    #[test]
    fn too_few_icons_keeps_every_run() {
        let pieces = [
            "icon",
            "ICON",
            "Icon",
            "cameraicon",
            "icon-close",
            "ic\u{200b}on",
            "i\u{ad}con",
            "\u{feff}",
            "chevron",
            "down",
            "silicon",
            "iconic",
            "é",
            "fm",
            " ",
            " ",
            "\t",
            "-",
        ];
        let mut rng = crate::testing::XorShift(0x5851_F42D_4C95_7F2D);
        let mut runs = 0;
        for _ in 0..30_000 {
            let r = rng.next_u64();
            let line: String = (0..2 + r % 12)
                .map(|k| {
                    let x = rng.next_u64() ^ r.rotate_left(k as u32);
                    pieces[(x % pieces.len() as u64) as usize]
                })
                .collect();
            let want = if may_have_icons(&line) {
                runs_of_tokens(&line)
            } else {
                Vec::new()
            };
            runs += usize::from(!want.is_empty());
            assert_eq!(icon_runs(&line), want, "{line:?}");
        }
        assert!(runs > 1000, "{runs}");
    }

    #[test]
    fn strips_icon_runs_sharing_a_line() {
        let s = "date 2022-09-10 icon bookmark-bicon bookmarkicon cameraicon checkicon chevron downicon chevron lefticon closeicon fm";
        assert_eq!(strip_icons(s), "date 2022-09-10");
        let s = "Real text here. icon shareicon mailicon fbicon Then more.";
        assert_eq!(strip_icons(s), "Real text here. Then more.");
    }

    /// Found by fuzzing: icon tokens separated by other whitespace than ' '.
    #[test]
    fn regression_runs_split_by_any_whitespace() {
        let s = "icon icon icon f\u{fffd}\u{c}icon icon icon";
        assert_eq!(strip_icons(s), "f\u{fffd}");
        assert_eq!(
            strip_icons("Text.\ticon\u{a0}shareicon\tmailicon fbicon"),
            "Text."
        );
        let s = "-1\u{fffd}\0icon icon cicon c\0 icon\u{c}icon icon\u{c}";
        assert_eq!(strip_icons(s), "-1\u{fffd}");
        let s = "Text. icon share\u{200b}icon mail\u{200b}icon";
        assert_eq!(strip_icons(s), "Text.");
    }

    /// [`is_icon_token`] against the lowercased copy it used to make.
    #[test]
    fn icon_tokens_agree_with_the_lowercased_check() {
        let reference = |tok: &str| {
            let tok = visible(tok);
            let t = tok.trim_matches(|c: char| !c.is_alphanumeric());
            let lower = t.to_ascii_lowercase();
            t.len() >= 4
                && t.is_ascii()
                && (lower.ends_with("icon")
                    || lower.starts_with("icon")
                    || lower.contains("icon-")
                    || lower.contains("-icon"))
        };
        let mut toks: Vec<String> = Vec::new();
        for core in [
            "icon",
            "ICON",
            "Icon",
            "icon-",
            "-icon",
            "x-icon",
            "icon-x",
            "xicon-y",
            "x-icony",
            "xiconx",
            "ico",
            "icn",
            "silicon",
            "iconic",
            "-",
            "a-b",
            "i\u{200b}con",
            "icön",
            "éicon",
            "",
            "x",
            "xx-icon-xx",
            "--icon--",
            "icon--",
            "i-con",
        ] {
            for (pre, post) in [("", ""), ("(", ")"), ("\"", "\","), ("a", ""), ("", "b")] {
                toks.push(format!("{pre}{core}{post}"));
            }
        }
        for t in &toks {
            assert_eq!(is_icon_token(t), reference(t), "{t:?}");
        }
    }

    #[test]
    fn leaves_ordinary_words() {
        let s = "The pop icon was a silicon valley icon.";
        assert_eq!(strip_icons(s), s);
        assert_eq!(strip_icons("a\nb\n"), "a\nb\n");
    }
}
