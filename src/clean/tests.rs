use super::*;

#[test]
fn empty_and_whitespace_input() {
    assert_eq!(clean(""), Article::default());
    assert_eq!(clean(" \n\t\u{a0}\n \0 "), Article::default());
}

#[test]
fn glued_paragraphs_are_split() {
    let body = "The first paragraph talks about something that happened in the city last week.The Ministry said it would respond to the claims within days, officials added.";
    let a = clean(body);
    assert!(
        a.text.contains("last week.\n\nThe Ministry"),
        "{:?}",
        a.text
    );
}

#[test]
fn nothing_is_invented() {
    let page = "Home\nNews\nSport\n\nA long first paragraph of the article that says many things, all of them true.\n\nAnother paragraph follows here, and it is long enough to be body text too.\n\n12 Comments\nShare this";
    let a = clean(page);
    let src = text::normalize_ws(page);
    let mut pos = 0;
    for p in a.text.split("\n\n") {
        let at = src[pos..]
            .find(p)
            .expect("paragraph comes from the input in order");
        pos += at + p.len();
    }
}

#[test]
fn idempotent_on_seeds() {
    for (_, input, _) in SEEDS {
        let a = clean(input);
        assert_eq!(clean(&a.text).text, a.text);
    }
}

#[test]
fn nul_bytes_and_odd_unicode() {
    let a = clean("\0\0abc\u{feff}\n\u{200b}\u{10ffff}");
    let _ = a;
    let _ = clean(&"x".repeat(10_000));
    let _ = clean(&"word ".repeat(100_000));
}

const SEEDS: [(&str, &str, &str); 5] = [
    (
        "000",
        include_str!("../../tests/fixtures/seeds/000_c98d205a5ff6e4d1.txt"),
        include_str!("../../tests/fixtures/seeds/000_c98d205a5ff6e4d1.expected.json"),
    ),
    (
        "001",
        include_str!("../../tests/fixtures/seeds/001_f21cd05d734874f0.txt"),
        include_str!("../../tests/fixtures/seeds/001_f21cd05d734874f0.expected.json"),
    ),
    (
        "002",
        include_str!("../../tests/fixtures/seeds/002_c5341ec74962319e.txt"),
        include_str!("../../tests/fixtures/seeds/002_c5341ec74962319e.expected.json"),
    ),
    (
        "003",
        include_str!("../../tests/fixtures/seeds/003_0fa14214702da2b8.txt"),
        include_str!("../../tests/fixtures/seeds/003_0fa14214702da2b8.expected.json"),
    ),
    (
        "004",
        include_str!("../../tests/fixtures/seeds/004_cbbf8a01673db6fc.txt"),
        include_str!("../../tests/fixtures/seeds/004_cbbf8a01673db6fc.expected.json"),
    ),
];

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Expected {
    title: Option<String>,
    date: Option<String>,
    byline: Option<String>,
    text: String,
}

#[test]
fn seeds_match_expected_exactly() {
    let mut failures = Vec::new();
    for (name, input, expected) in SEEDS {
        let want: Expected = serde_json::from_str(expected).unwrap();
        let a = clean(input);
        let got = Expected {
            title: a.title,
            date: a.date,
            byline: a.byline,
            text: a.text,
        };
        if got != want {
            failures.push(format!("seed {name}:\n got  {got:#?}\n want {want:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A tiny deterministic generator of awkward pages (no extra dependencies).
fn junk_pages() -> Vec<String> {
    let pieces = [
        "Home",
        "\n",
        "\n\n",
        " ",
        "\u{a0}",
        "\0",
        "\t",
        "é",
        "Ж",
        "日本語の文章です。",
        "한국어 문장입니다.",
        "The minister said.",
        "The",
        "week.The",
        "U.S.",
        "3.5",
        "icon",
        "cameraicon",
        "©",
        "12",
        "Comments",
        "READ MORE:",
        "By Jane Doe",
        "– Ranjith Perera –",
        "date 2022-09-10 ",
        "September 11, 2022",
        "MoscowRussian",
        "“",
        "”",
        "(",
        ")",
        "—",
        "|",
        "\u{200b}",
        "\r\n",
        "a long sentence with many ordinary words in it, and a comma, ending properly.",
        "\u{10ffff}",
        "\u{feff}",
        "ـ",
        "👍🏽",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..300)
        .map(|_| {
            let len = (next() % 200) as usize;
            (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn awkward_input_never_panics_and_is_idempotent() {
    for page in junk_pages() {
        let a = clean(&page);
        assert_eq!(a.text, a.text.trim());
        assert!(!a.text.contains("\n\n\n"));
        let b = clean(&a.text);
        assert_eq!(b.text, a.text, "not idempotent on {page:?}");
        let _ = strip_icons(&page);
    }
}

/// A re-pass segments the kept paragraphs as if it knew nothing of them: the flags they
/// carry are their own, and segmenting with them gives the same units as without.
#[test]
fn known_paragraphs_segment_as_unknown_ones() {
    let mut pages = dev_noisy_pages();
    pages.extend(junk_pages());
    pages.extend(SEEDS.iter().map(|(_, input, _)| input.to_string()));
    pages.extend(
        [
            "date 2022-09-10 date 2023-01-01 The first paragraph was cut after a scraper header, and it goes on for long enough to be kept.\n\nA second paragraph follows it, also long enough to be body text, with some words.",
            "Silicon icons: the icon of an era.The valley said so, in a long sentence that goes on and on for the body.\n\nicon bookmark icon camera The second paragraph talks of U.S. policy in 2019.The end came soon after, as many predicted it would.",
            "A paragraph\u{a0}with no-break\u{a0}spaces and  double  spaces, long enough to be read as body text by the classifier.\n\nAnother one\u{200b} with a zero-width space, and it too is long enough to be body text here.",
        ]
        .map(str::to_string),
    );
    let same = |a: &Segmented, b: &Segmented| {
        format!("{:?}", a.units) == format!("{:?}", b.units)
            && a.pre_drops == b.pre_drops
            && a.header_date == b.header_date
    };
    for page in &pages {
        let mut input = page.clone();
        // The first pass's paragraphs, then a re-pass's.
        for _ in 0..2 {
            let out = run_pass(&input, model::shipped(), None);
            for p in &out.paras {
                if let Some(w) = p.line {
                    assert_eq!(text::line_flags(p.text.as_bytes()), w.flags, "{:?}", p.text);
                    assert_eq!(text::split_glued(&p.text), vec![p.text.as_ref()]);
                    if w.untouched {
                        assert!(matches!(text::normalize_ws(&p.text), Cow::Borrowed(_)));
                        assert!(icons::strip_line(&p.text).1.is_empty(), "{:?}", p.text);
                    }
                }
            }
            let (joined, starts) = join_paras(&out.paras);
            let known = segment_known(&joined, Some((&starts, &out.paras)));
            assert!(same(&known, &segment(&joined)), "{page:?}");
            input = joined;
        }
    }
}

#[test]
fn junk_rarely_needs_the_give_up_rule() {
    // The give-up of the re-pass loop (which keeps the last pass) is a last resort.
    let pages = junk_pages();
    let before = GIVE_UPS.load(std::sync::atomic::Ordering::Relaxed);
    for p in &pages {
        let _ = clean(p);
    }
    let gave_up = GIVE_UPS.load(std::sync::atomic::Ordering::Relaxed) - before;
    // Other tests run in parallel and may add to the counter: a loose bound.
    assert!(
        gave_up * 20 < pages.len(),
        "gave up on {gave_up} of {} junk pages",
        pages.len()
    );
}

#[test]
fn stacked_site_suffixes_come_off_the_title() {
    for (line, title, stripped) in [
        (
            "The Guardian view on Hong Kong: a city on the brink | Editorial | Opinion | The Guardian",
            "The Guardian view on Hong Kong: a city on the brink",
            true,
        ),
        (
            "Classificação NASCAR | Autoracing | F1 | Indy | MotoGP | StockCar",
            "Classificação NASCAR",
            true,
        ),
        ("Nadal keeps Spain alive - Reuters", "Nadal keeps Spain alive", true),
        // A kicker before the title is not a suffix; a long tail is the title itself.
        (
            "Opinion | Republicans Are Following Trump to Nowhere",
            "Opinion | Republicans Are Following Trump to Nowhere",
            false,
        ),
        // The head keeps two words at least.
        ("Sports | Live | Scores", "Sports | Live", true),
    ] {
        assert_eq!(
            strip_site_suffix(line),
            (title.to_string(), stripped),
            "{line:?}"
        );
    }
}

#[test]
fn a_role_glued_to_the_byline_name_is_cut_off() {
    for (line, name) in [
        ("By Meg JamesStaff Writer", "Meg James"),
        ("By Jonathan GarberFOXBusiness", "Jonathan Garber"),
        ("By Michael HiltzikBusiness Columnist", "Michael Hiltzik"),
        // Name prefixes with an inner capital stay whole.
        ("By Ronald McDonald", "Ronald McDonald"),
        ("By Douglas MacArthur", "Douglas MacArthur"),
        ("By Danny DeVito", "Danny DeVito"),
        ("By Ella FitzGerald", "Ella FitzGerald"),
        ("By LISA MASCARO", "LISA MASCARO"),
        ("By Jane Doe", "Jane Doe"),
        ("By: Jane Doe", "Jane Doe"),
        ("Text: Jane Doe", "Jane Doe"),
    ] {
        assert_eq!(byline_of(line).as_deref(), Some(name), "{line:?}");
    }
    // A form label is no byline.
    assert_eq!(byline_of("Text Input:"), None);
}

#[test]
fn a_byline_does_not_run_on_into_the_date_under_it() {
    let page = "Ukraine war: troops retake villages near Kharkiv - Example News\nBy Jane Doe\n12 September 2022\nUkrainian forces have retaken dozens of villages in the Kharkiv region in a rapid counter-offensive, officials said on Sunday.\nThe advance, which began last week, has forced Russian troops to abandon equipment and positions they had held for months.";
    let a = clean(page);
    assert_eq!(a.byline.as_deref(), Some("Jane Doe"));
    assert_eq!(a.date.as_deref(), Some("2022-09-12"));
    assert!(a.text.starts_with("Ukrainian forces"), "{:?}", a.text);
}

/// A fingerprint of everything `clean` returns on the 181 dev pages, in several shapes
/// (as written, first half, lines reversed, blank lines removed). Speed work must leave it
/// unchanged; a deliberate change in behaviour updates it (the failure prints the new one)
/// and says why in its commit.
#[test]
fn dev_outputs_fingerprint() {
    const FINGERPRINT: u64 = 0x80b2_5fa6_9757_a93c;
    let mut h = crate::testing::Fnv::new();
    let mut feed = |s: &str| h.write(s.bytes().chain([0xFF]));
    for (_, text) in &crate::testing::dev_pages() {
        let lines: Vec<&str> = text.lines().collect();
        let shapes = [
            text.clone(),
            lines[..lines.len() / 2].join("\n"),
            lines.iter().rev().copied().collect::<Vec<_>>().join("\n"),
            lines
                .iter()
                .copied()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
        ];
        for page in &shapes {
            let a = clean(page);
            feed(&a.text);
            feed(a.title.as_deref().unwrap_or("\u{0}"));
            feed(a.date.as_deref().unwrap_or("\u{0}"));
            feed(a.byline.as_deref().unwrap_or("\u{0}"));
            for d in &a.dropped {
                feed(&d.line);
                feed(d.reason.as_str());
            }
        }
    }
    assert_eq!(
        h.0, FINGERPRINT,
        "clean() output on the dev pages changed: new fingerprint {:#018x}",
        h.0
    );
}

/// `line_ids` numbers texts as a `HashMap` of them does: on the dev pages' units, and on
/// lines its hash cannot tell apart (same length, same first and last 24 bytes), empty and
/// non-ASCII ones, many repeats.
#[test]
fn line_ids_agree_with_a_hash_map() {
    let unit = |t: String| Unit {
        text: Cow::Owned(t),
        origin: 0,
        block: 0,
        gap_before: false,
        gap_after: false,
        glued: false,
        merged: 0,
        forced: None,
        flags: 0,
    };
    for page in dev_noisy_pages() {
        let seg = segment(&page);
        assert_eq!(line_ids(&seg.units), line_ids_reference(&seg.units));
    }
    let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
    let pieces = ["a", "b", "é", "“", "Home", " ", ""];
    for n in [0usize, 1, 2, 3, 7, 64, 300] {
        let mut units = Vec::new();
        for _ in 0..n {
            let r = rng.next_u64();
            let middle: String = (0..r % 6)
                .map(|k| pieces[((r >> (8 + 3 * k)) % pieces.len() as u64) as usize])
                .collect();
            // Equal heads and tails around a short middle: hashes collide, texts differ.
            let t = match r >> 60 {
                0..=7 => format!("{}{middle}{}", "x".repeat(24), "y".repeat(24)),
                8..=11 => middle,
                _ => format!("{middle}{}", "z".repeat((r >> 40) as usize % 40)),
            };
            units.push(unit(t));
        }
        assert_eq!(line_ids(&units), line_ids_reference(&units), "{n}");
    }
}

/// The dev set's noisy pages (for the speed harnesses).
fn dev_noisy_pages() -> Vec<String> {
    crate::testing::dev_pages()
        .into_iter()
        .map(|(_, text)| text)
        .collect()
}

/// The title similarity computed for the rows that reach the trees reading it gives the
/// decisions the whole column gives (and is asked for a small share of the rows).
#[test]
fn title_sims_on_demand_decide_as_the_whole_column() {
    let m = model::shipped().unwrap();
    let (mut asked, mut rows) = (0, 0);
    for page in dev_noisy_pages() {
        let prep = prepare(&page, None, u64::MAX);
        // As run_pass sees it: the column not filled in (garbage, to be sure it is not read).
        let mut lazy = prep.feats[..prep.feats_len].to_vec();
        for row in lazy.chunks_exact_mut(N_FEAT) {
            row[features::TITLE_SIM] = f32::NAN;
        }
        let mut prep = prep;
        prep.fill_title_sims();
        let full = &prep.feats[..prep.feats_len];
        let got = m.keep_rows_deferring(&mut lazy, features::TITLE_SIM, |row| {
            asked += 1;
            full[row * N_FEAT + features::TITLE_SIM]
        });
        assert_eq!(got, m.keep_rows(full));
        rows += prep.row_units.len();
    }
    assert!(asked * 5 < rows, "{asked} of {rows}");
}

/// Where a page's time goes, stage by stage (cumulative: each stage includes the ones
/// above it). `cargo test --release --lib pipeline_speed -- --ignored --nocapture`
#[test]
#[ignore]
fn pipeline_speed() {
    use std::time::Instant;
    let pages = dev_noisy_pages();
    const REPS: usize = 10;
    let bytes = pages.iter().map(String::len).sum::<usize>() * REPS;
    let time = |name: &str, f: &dyn Fn(&str) -> usize| {
        let mut best = f64::MAX;
        let mut check = 0;
        for _ in 0..3 {
            let t0 = Instant::now();
            check = pages
                .iter()
                .cycle()
                .take(pages.len() * REPS)
                .map(|p| f(p))
                .sum();
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!(
            "{name:34} {:6.2} ns/byte ({check})",
            best * 1e9 / bytes as f64
        );
    };
    time("segment", &|p| segment(p).units.len());
    time("segment + line_stats", &|p| {
        segment(p)
            .units
            .iter()
            .map(|u| line_stats(&u.text).words as usize)
            .sum()
    });
    time("prepare (+ dups, rules, features)", &|p| {
        prepare(p, None, shipped_reads()).rows.len()
    });
    time("first pass (+ model, metadata)", &|p| {
        run_pass(p, model::shipped(), None).paras.len()
    });
    time("clean (+ re-pass)", &|p| clean(p).text.len());
}

/// The features the shipped model reads (what `clean` computes).
fn shipped_reads() -> u64 {
    model::shipped().map_or(u64::MAX, Model::reads)
}

/// A steady loop over one stage for a profiler: `STAGE=segment|prepare|clean perf record
/// target/profiling/deps/newsprep-... profile_stage --ignored` (built with
/// `cargo test --profile profiling --lib --no-run`), or `REPS=10 valgrind --tool=callgrind`
/// on the same binary for exact instruction counts.
#[test]
#[ignore]
fn profile_stage() {
    let pages = dev_noisy_pages();
    let stage = std::env::var("STAGE").unwrap_or_default();
    // REPS=10 keeps a callgrind run short (its instruction counts are exact, so a few
    // repetitions suffice).
    let reps = crate::testing::profile_reps();
    let mut n = 0;
    for _ in 0..reps {
        for p in &pages {
            n += match stage.as_str() {
                "segment" => segment(p).units.len(),
                "prepare" => prepare(p, None, shipped_reads()).rows.len(),
                "pass" => run_pass(p, model::shipped(), None).paras.len(),
                _ => clean(p).text.len(),
            }
        }
    }
    println!("{n}");
}

/// The first-byte filter of `by_prefix` lets every byline word through, in either case.
#[test]
fn by_prefix_first_bytes_cover_by_words() {
    for w in BY_WORDS {
        for v in [w.to_string(), w.to_ascii_uppercase()] {
            assert!(by_prefix(&format!("{v} Jane Doe")).is_some(), "{v}");
        }
    }
}

/// `starts_with_any` without its first-byte filters.
fn starts_with_any_reference(s: &str, prefixes: &[&str]) -> bool {
    let head: String = s.chars().take(24).flat_map(char::to_lowercase).collect();
    prefixes.iter().any(|p| {
        if p.is_ascii() {
            s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))
        } else {
            head.starts_with(p)
        }
    })
}

/// Teasers whose first letter is ASCII but not the rest ("também") are found in any case.
#[test]
fn teasers_with_accents_after_an_ascii_letter() {
    for l in ["Leia também: o que muda", "VEJA TAMBÉM", "veja também"] {
        assert!(starts_with_any(l, &TEASER_PREFIXES), "{l}");
    }
    assert!(!starts_with_any("Veja tambem", &TEASER_PREFIXES));
}

#[test]
fn starts_with_any_matches_reference() {
    let mut lines: Vec<String> = vec![
        String::new(),
        "r".into(),
        "K teaser".into(),
        "\u{212A}eep reading".into(),
        "İ".into(),
        "Ämter".into(),
        "Читайте также: новости".into(),
        "СМОТРИТЕ ТАКЖЕ".into(),
        "смотрите".into(),
        "l\u{212A}".into(),
        "R\u{130}ad more".into(),
        "LEIA TAMB\u{C9}M".into(),
        "s\u{e9}e also".into(),
    ];
    for t in TEASERS {
        let chars: Vec<char> = t.chars().collect();
        for k in 0..=chars.len() {
            let head: String = chars[..k].iter().collect();
            lines.push(head.clone());
            lines.push(head.to_uppercase());
            lines.push(format!("{} more text", head.to_uppercase()));
            lines.push(format!("x{head}"));
            lines.push(format!("{}{}", head.to_uppercase(), "\u{212A}"));
        }
        lines.push(format!("{t}: the story"));
    }
    for l in &lines {
        assert_eq!(
            starts_with_any(l, &TEASER_PREFIXES),
            starts_with_any_reference(l, TEASERS),
            "{l:?}"
        );
    }
}

/// `last_title_separator` as it was: the latest of each separator's `rfind`.
fn last_title_separator_reference(t: &str) -> Option<(usize, usize)> {
    let mut cut = None;
    for sep in TITLE_SEPARATORS {
        if let Some(p) = t.rfind(sep) {
            if cut.is_none_or(|(q, _): (usize, usize)| p > q) {
                cut = Some((p, sep.len()));
            }
        }
    }
    cut
}

#[test]
fn last_title_separator_matches_reference() {
    let mut lines: Vec<String> = vec![
        String::new(),
        " ".into(),
        "  ".into(),
        " |".into(),
        " | ".into(),
        "a - b | c".into(),
        "a | b - c".into(),
        "a - - b".into(),
        "a  -  b".into(),
        "a :: b ::".into(),
        "a :: b :: c".into(),
        "x » y · z — w – v".into(),
        "a — | b".into(),
    ];
    let pieces = [" ", "|", "-", "–", "—", ":", "»", "·", "a", "é"];
    let mut rng = crate::testing::XorShift(0x5851_F42D_4C95_7F2D);
    for _ in 0..20_000 {
        let mut l = String::new();
        for _ in 0..rng.next_u64() % 16 {
            l.push_str(pieces[(rng.next_u64() % pieces.len() as u64) as usize]);
        }
        lines.push(l);
    }
    for p in crate::testing::dev_pages() {
        lines.extend(p.1.lines().take(5).map(str::to_string));
    }
    for l in &lines {
        assert_eq!(
            last_title_separator(l),
            last_title_separator_reference(l),
            "{l:?}"
        );
    }
}

/// `by_prefix` as it was: a split at the first space, then the byline words.
fn by_prefix_reference(st: &str) -> Option<&str> {
    if !starts_by_word(*st.as_bytes().first()?) {
        return None;
    }
    let (first, rest) = st.split_once(' ')?;
    let f = first.trim_end_matches(':');
    BY_WORDS
        .iter()
        .any(|b| match b.strip_suffix(':') {
            Some(_) => b.eq_ignore_ascii_case(first),
            None => b.eq_ignore_ascii_case(f),
        })
        .then_some(rest)
}

#[test]
fn by_prefix_matches_reference() {
    let mut lines: Vec<String> = Vec::new();
    for w in BY_WORDS
        .iter()
        .chain(&["b", "bye", "texto", "text", "автора", "Democrats"])
    {
        for colons in ["", ":", "::", ":::::::::::::"] {
            for rest in ["", " ", " Jane Doe", "  x", ":x y"] {
                lines.push(format!("{w}{colons}{rest}"));
                lines.push(format!("{}{colons}{rest}", w.to_uppercase()));
            }
        }
    }
    for p in crate::testing::dev_pages() {
        lines.extend(p.1.lines().map(str::to_string));
    }
    for l in &lines {
        assert_eq!(by_prefix(l), by_prefix_reference(l), "{l:?}");
    }
}

#[test]
fn trim_bullets_matches_trim_start_matches() {
    for l in [
        "",
        " ",
        "-",
        "– x",
        "—•* > a",
        "•",
        "é",
        "’x",
        "a - b",
        "> quote",
        "\u{2013}",
        "x",
    ] {
        assert_eq!(
            trim_bullets(l),
            l.trim_start_matches(['-', '–', '—', '•', '*', '>', ' ']),
            "{l:?}"
        );
    }
}

/// `count_newlines` agrees with a byte count at every length around its 64-byte chunks.
#[test]
fn count_newlines_agrees_with_a_byte_count() {
    let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
    for len in 0..300 {
        let b: Vec<u8> = (0..len)
            .map(|_| match rng.next_u64() % 4 {
                0 => b'\n',
                1 => 0xE2,
                _ => b'a',
            })
            .collect();
        let want = b.iter().filter(|&&x| x == b'\n').count();
        assert_eq!(count_newlines(&b), want, "{len}");
    }
    assert_eq!(count_newlines(&[b'\n'; 1000]), 1000);
}
