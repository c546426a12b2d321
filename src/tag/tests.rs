//! Table-driven tagging tests, grouped by rule. A case is (name, records, text, expected
//! mentions as (surface, entity id)); `check` also verifies the offsets and runs the case
//! through `tag_many` on two threads.

use super::*;

/// A record: id, name, aliases. An alias prefixed with "=" is case-sensitive, with "~"
/// explicitly case-insensitive.
type Rec = (&'static str, &'static str, &'static [&'static str]);

fn records(recs: &[Rec]) -> Vec<EntityRecord> {
    recs.iter()
        .map(|&(id, name, aliases)| EntityRecord {
            id: id.into(),
            label: "PLACE".into(),
            name: name.into(),
            aliases: aliases
                .iter()
                .map(|a| {
                    if let Some(t) = a.strip_prefix('=') {
                        AliasSpec::Detailed {
                            text: t.into(),
                            case_sensitive: Some(true),
                        }
                    } else if let Some(t) = a.strip_prefix('~') {
                        AliasSpec::Detailed {
                            text: t.into(),
                            case_sensitive: Some(false),
                        }
                    } else {
                        AliasSpec::Text((*a).into())
                    }
                })
                .collect(),
        })
        .collect()
}

fn gaz(recs: &[Rec], options: GazetteerOptions) -> Gazetteer {
    Gazetteer::new(records(recs), options).unwrap()
}

/// Checks that offsets agree with each other and returns (surface, primary id, candidates).
fn summarize(g: &Gazetteer, text: &str, ms: &[Mention]) -> Vec<(String, String, Vec<String>)> {
    let chars: Vec<char> = text.chars().collect();
    ms.iter()
        .map(|m| {
            let by_bytes = &text[m.byte_start..m.byte_end];
            let by_chars: String = chars[m.start..m.end].iter().collect();
            assert_eq!(
                by_bytes, by_chars,
                "char and byte offsets disagree in {text:?}"
            );
            assert_eq!(m.candidates.first(), Some(&m.entity));
            (
                by_bytes.to_string(),
                g.entity(m.entity).id.clone(),
                m.candidates
                    .iter()
                    .map(|&c| g.entity(c).id.clone())
                    .collect(),
            )
        })
        .collect()
}

struct Case {
    name: &'static str,
    recs: &'static [Rec],
    text: &'static str,
    /// (surface, primary entity id)
    want: &'static [(&'static str, &'static str)],
}

macro_rules! t {
    ($name:expr, $recs:expr, $text:expr, $want:expr) => {
        Case {
            name: $name,
            recs: $recs,
            text: $text,
            want: $want,
        }
    };
}

fn run(cases: &[Case], options: GazetteerOptions, overlapping: bool) {
    for case in cases {
        let g = gaz(case.recs, options);
        let ms = if overlapping {
            g.tag_overlapping(case.text)
        } else {
            g.tag(case.text)
        };
        let got: Vec<(String, String)> = summarize(&g, case.text, &ms)
            .into_iter()
            .map(|(s, id, _)| (s, id))
            .collect();
        let want: Vec<(String, String)> = case
            .want
            .iter()
            .map(|&(s, id)| (s.to_string(), id.to_string()))
            .collect();
        assert_eq!(got, want, "case {}", case.name);
        let many = g
            .tag_many(&[case.text, case.text], Some(2), overlapping)
            .unwrap();
        assert_eq!(many, vec![ms.clone(), ms], "case {} (tag_many)", case.name);
    }
}

const DEFAULT: GazetteerOptions = GazetteerOptions {
    case_sensitive: false,
    fold_diacritics: false,
};

const KIEV: &[Rec] = &[("kiev", "Kiev", &["Kyiv"])];

const BOUNDARIES: &[Case] = &[
    t!("whole word", KIEV, "in Kiev today", &[("Kiev", "kiev")]),
    t!("not a prefix", KIEV, "Kievan Rus", &[]),
    t!("not a suffix", KIEV, "xKiev", &[]),
    t!("digit after", KIEV, "Kiev2", &[]),
    t!("digit before", KIEV, "2Kiev", &[]),
    t!(
        "underscore is a boundary",
        KIEV,
        "_Kiev_",
        &[("Kiev", "kiev")]
    ),
    t!("start and end of text", KIEV, "Kiev", &[("Kiev", "kiev")]),
    t!(
        "acronym not in word",
        &[("ap", "AP", &[])],
        "APPLE and AP.",
        &[("AP", "ap")]
    ),
    t!(
        "possessive",
        &[("ru", "Russia", &[])],
        "Russia's army, Russia’s navy",
        &[("Russia", "ru"), ("Russia", "ru")]
    ),
    t!(
        "hyphenated pair",
        &[("iz", "Izium", &[]), ("ba", "Balakliya", &[])],
        "the Izium-Balakliya road",
        &[("Izium", "iz"), ("Balakliya", "ba")]
    ),
    t!(
        "after an apostrophe",
        &[("s", "sea", &[])],
        "d'sea l’sea",
        &[("sea", "s"), ("sea", "s")]
    ),
    t!(
        "combining mark after is part of the word",
        KIEV,
        "Kiev\u{0301} Kiev",
        &[("Kiev", "kiev")]
    ),
    t!("cyrillic letter after", KIEV, "Kievж", &[]),
    t!("cjk letter before", KIEV, "東Kiev", &[]),
    t!("emoji is a boundary", KIEV, "😀Kiev😀", &[("Kiev", "kiev")]),
    t!(
        "alias starting with punctuation",
        &[("x", "(AP)", &[])],
        "a(AP) (AP)",
        &[("(AP)", "x")]
    ),
];

const LEFTMOST_LONGEST: &[Case] = &[
    t!(
        "longest wins",
        &[
            ("ru", "Russian", &[]),
            ("mod", "Russian Ministry of Defense", &[])
        ],
        "The Russian Ministry of Defense said",
        &[("Russian Ministry of Defense", "mod")]
    ),
    t!(
        "shorter when longer fails the end boundary",
        &[("a", "New York", &[]), ("b", "New York Cityx", &[])],
        "New York Cityxx",
        &[("New York", "a")]
    ),
    t!(
        "shorter when the longest is not at a boundary",
        &[("a", "Kiev", &[]), ("b", "Kievan", &[])],
        "Kievans and Kiev",
        &[("Kiev", "a")]
    ),
    t!(
        "leftmost first",
        &[("a", "New York", &[]), ("b", "York City", &[])],
        "New York City",
        &[("New York", "a")]
    ),
    t!(
        "non-overlapping",
        &[("a", "a b", &[]), ("b", "b c", &[])],
        "a b c",
        &[("a b", "a")]
    ),
    t!(
        "adjacent",
        &[("a", "Kiev", &[])],
        "Kiev Kiev-Kiev",
        &[("Kiev", "a"), ("Kiev", "a"), ("Kiev", "a")]
    ),
    t!(
        "case-sensitive longest fails, shorter wins",
        &[("a", "New", &[]), ("b", "x", &["=New York"])],
        "new york",
        &[("new", "a")]
    ),
];

const OVERLAPPING: &[Case] = &[
    t!(
        "all matches",
        &[
            ("ru", "Russian", &[]),
            ("mod", "Russian Ministry of Defense", &[]),
            ("min", "Ministry of Defense", &[]),
            ("def", "Defense", &[])
        ],
        "Russian Ministry of Defense",
        &[
            ("Russian", "ru"),
            ("Russian Ministry of Defense", "mod"),
            ("Ministry of Defense", "min"),
            ("Defense", "def")
        ]
    ),
    t!(
        "only at boundaries",
        &[("a", "Kiev", &[]), ("b", "Kievan", &[]), ("c", "evan", &[])],
        "Kievan",
        &[("Kievan", "b")]
    ),
];

const UNICODE_CASE: &[Case] = &[
    t!(
        "ascii",
        KIEV,
        "KYIV kyiv Kyiv kYiV",
        &[
            ("KYIV", "kiev"),
            ("kyiv", "kiev"),
            ("Kyiv", "kiev"),
            ("kYiV", "kiev")
        ]
    ),
    t!(
        "cyrillic",
        &[("kh", "Харків", &[])],
        "ХАРКІВ, харків",
        &[("ХАРКІВ", "kh"), ("харків", "kh")]
    ),
    t!(
        "sharp s in text",
        &[("s", "Strasse", &[])],
        "Straße STRASSE",
        &[("Straße", "s"), ("STRASSE", "s")]
    ),
    t!(
        "sharp s in alias",
        &[("s", "Straße", &[])],
        "STRASSE strasse",
        &[("STRASSE", "s"), ("strasse", "s")]
    ),
    t!(
        "no half of a folded character",
        &[("s", "s", &[])],
        "ß s",
        &[("s", "s")]
    ),
    t!(
        "dotted capital I",
        &[("i", "İstanbul", &[])],
        "İSTANBUL i̇stanbul",
        &[("İSTANBUL", "i"), ("i̇stanbul", "i")]
    ),
    t!(
        "greek final sigma",
        &[("o", "ΟΔΥΣΣΕΥΣ", &[])],
        "Οδυσσευς",
        &[("Οδυσσευς", "o")]
    ),
];

const CASE_SENSITIVE: &[Case] = &[
    t!(
        "acronym",
        &[("sbu", "Security Service of Ukraine", &["=SBU"])],
        "the SBU said; sbu is a word",
        &[("SBU", "sbu")]
    ),
    t!(
        "acronym with variants",
        &[("x", "x", &["=U.S. ARMY"])],
        "U.S.\u{00A0}ARMY u.s. army",
        &[("U.S.\u{00A0}ARMY", "x")]
    ),
    t!(
        "same key, one sensitive one not",
        &[("a", "Aaa", &["=US"]), ("b", "Bbb", &["us"])],
        "US us",
        &[("US", "a"), ("us", "b")]
    ),
];

const VARIANTS: &[Case] = &[
    t!(
        "apostrophes",
        &[("x", "Kurt's Place", &[])],
        "Kurt’s Place, Kurt‘s place, Kurtʼs place",
        &[
            ("Kurt’s Place", "x"),
            ("Kurt‘s place", "x"),
            ("Kurtʼs place", "x")
        ]
    ),
    t!(
        "quotes and dashes",
        &[("x", "“Wagner” – PMC", &[])],
        "\"Wagner\" - PMC and “Wagner” — PMC",
        &[("\"Wagner\" - PMC", "x"), ("“Wagner” — PMC", "x")]
    ),
    t!(
        "alias with a typographic apostrophe",
        &[("x", "Sa’dah", &[])],
        "Sa'dah",
        &[("Sa'dah", "x")]
    ),
    t!(
        "whitespace runs",
        &[("x", "Krasny  Liman", &[])],
        "Krasny\nLiman, Krasny \t\u{00A0}\r\n Liman, Krasny\u{3000}Liman",
        &[
            ("Krasny\nLiman", "x"),
            ("Krasny \t\u{00A0}\r\n Liman", "x"),
            ("Krasny\u{3000}Liman", "x")
        ]
    ),
    t!(
        "no space is not whitespace",
        &[("x", "Krasny Liman", &[])],
        "KrasnyLiman",
        &[]
    ),
];

const CANDIDATES: &[Case] = &[
    t!(
        "record order",
        &[
            ("paris-fr", "Paris", &[]),
            ("paris-tx", "Paris", &[]),
            ("p3", "Lutetia", &["Paris"])
        ],
        "Paris",
        &[("Paris", "paris-fr")]
    ),
    t!(
        "name beats alias",
        &[("a", "Georgia (US)", &["Georgia"]), ("b", "Georgia", &[])],
        "Georgia",
        &[("Georgia", "b")]
    ),
];

const OFFSETS: &[Case] = &[
    t!(
        "emoji, combining marks, cjk before",
        KIEV,
        "😀👍🏽 é 東京 Kiev",
        &[("Kiev", "kiev")]
    ),
    t!("cyrillic before", KIEV, "Київ Kyiv", &[("Kyiv", "kiev")]),
    t!("empty text", KIEV, "", &[]),
    t!("only whitespace", KIEV, " \n ", &[]),
];

const SMALL: &[Case] = &[
    t!(
        "one-character alias",
        &[("x", "X", &[])],
        "x X xx a-x",
        &[("x", "x"), ("X", "x"), ("x", "x")]
    ),
    t!(
        "empty and whitespace aliases skipped",
        &[("x", "", &["", " ", "\u{00A0}\n", "Kiev"])],
        "Kiev  x",
        &[("Kiev", "x")]
    ),
    t!(
        "duplicate aliases",
        &[("x", "Kiev", &["Kiev", "KIEV", "=Kiev"])],
        "Kiev",
        &[("Kiev", "x")]
    ),
    t!("empty gazetteer", &[], "Kiev", &[]),
];

const REGRESSION: &[Case] = &[t!(
    "regression_whitespace_inside_alias_is_trimmed",
    &[("x", "  Kiev  ", &[])],
    " Kiev ",
    &[("Kiev", "x")]
)];

#[test]
fn boundaries() {
    run(BOUNDARIES, DEFAULT, false);
}

#[test]
fn leftmost_longest() {
    run(LEFTMOST_LONGEST, DEFAULT, false);
}

#[test]
fn overlapping() {
    run(OVERLAPPING, DEFAULT, true);
}

#[test]
fn unicode_case() {
    run(UNICODE_CASE, DEFAULT, false);
}

#[test]
fn case_sensitive_aliases() {
    run(CASE_SENSITIVE, DEFAULT, false);
}

#[test]
fn typographic_variants_and_whitespace() {
    run(VARIANTS, DEFAULT, false);
}

#[test]
fn candidates_and_primary() {
    run(CANDIDATES, DEFAULT, false);
}

#[test]
fn offsets() {
    run(OFFSETS, DEFAULT, false);
}

#[test]
fn small_and_degenerate() {
    run(SMALL, DEFAULT, false);
}

#[test]
fn regression() {
    run(REGRESSION, DEFAULT, false);
}

#[test]
fn exact_offsets_after_astral_and_combining() {
    let g = gaz(KIEV, DEFAULT);
    let text = "😀e\u{0301}東 Kyiv";
    let ms = g.tag(text);
    assert_eq!(ms.len(), 1);
    assert_eq!((ms[0].start, ms[0].end), (5, 9));
    assert_eq!((ms[0].byte_start, ms[0].byte_end), (11, 15));
}

#[test]
fn candidates_list_every_entity() {
    let g = gaz(
        &[
            ("p3", "Lutetia", &["Paris"]),
            ("paris-fr", "Paris", &[]),
            ("paris-tx", "PARIS", &[]),
        ],
        DEFAULT,
    );
    let ms = g.tag("Paris");
    let got = summarize(&g, "Paris", &ms);
    assert_eq!(
        got,
        vec![(
            "Paris".to_string(),
            "paris-fr".to_string(),
            vec!["paris-fr".into(), "paris-tx".into(), "p3".into()]
        )]
    );
}

#[test]
fn gazetteer_wide_case_sensitive() {
    let options = GazetteerOptions {
        case_sensitive: true,
        fold_diacritics: false,
    };
    let g = gaz(&[("a", "Kiev", &["~Kyiv"])], options);
    let got = summarize(&g, "kiev Kiev KYIV", &g.tag("kiev Kiev KYIV"));
    let surfaces: Vec<&str> = got.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(surfaces, ["Kiev", "KYIV"]);
}

#[test]
fn fold_diacritics() {
    let options = GazetteerOptions {
        case_sensitive: false,
        fold_diacritics: true,
    };
    let g = gaz(
        &[("z", "Zelenskyi", &[]), ("k", "Kraków", &["=ŁÓDŹ"])],
        options,
    );
    // "Ł" has no decomposition: NFD keeps it.
    let text = "Zelenskýi, ZELENSKYI, Zelensky\u{0301}i, Krakow, KRAKÓW, ŁODZ, łodz, LODZ";
    let got: Vec<String> = summarize(&g, text, &g.tag(text))
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert_eq!(
        got,
        [
            "Zelenskýi",
            "ZELENSKYI",
            "Zelensky\u{0301}i",
            "Krakow",
            "KRAKÓW",
            "ŁODZ"
        ]
    );
    // Without the option, diacritics matter.
    let g = gaz(&[("z", "Zelenskyi", &[])], DEFAULT);
    assert_eq!(g.tag("Zelenskýi").len(), 0);
}

#[test]
fn fold_diacritics_absorbs_trailing_marks() {
    let options = GazetteerOptions {
        case_sensitive: false,
        fold_diacritics: true,
    };
    let g = gaz(KIEV, options);
    let text = "Kyiv\u{0301}\u{0301} x";
    let ms = g.tag(text);
    assert_eq!(ms.len(), 1);
    assert_eq!(
        &text[ms[0].byte_start..ms[0].byte_end],
        "Kyiv\u{0301}\u{0301}"
    );
}

/// Multi-word aliases whose first word begins no one-word alias (so the second-word filter
/// decides whether to walk) are found wherever the text spells them, with typographic
/// variants, whitespace runs, case and diacritics.
#[test]
fn multi_word_aliases_through_the_second_word_filter() {
    const RECS: &[Rec] = &[
        (
            "a",
            "New York",
            &["new-york", "New York City", "New. York", "new 'york'"],
        ),
        (
            "b",
            "St. Louis",
            &["St Louis", "st.louis", "st. \u{e9}tienne"],
        ),
        (
            "c",
            "Rock \u{2019}n\u{2019} Roll",
            &["rock-n-roll", "rock 9"],
        ),
        ("d", "U.S.", &["U.S.A", "u.k", "inc."]),
        (
            "e",
            "Verylongfirstwordbeyondsixteen Second",
            &["abcdefgh12345678 x"],
        ),
        ("f", "O'Neil", &["o' neil", "Sao Paulo"]),
    ];
    let texts = [
        ("NEW\u{a0}\u{a0}YORK CITY!", "NEW\u{a0}\u{a0}YORK CITY"),
        ("the new\u{2013}york times", "new\u{2013}york"),
        ("(new. york)", "new. york"),
        ("a new \u{2018}york\u{2019}.", "new \u{2018}york\u{2019}"),
        ("from st.louis,", "st.louis"),
        ("in St. \u{c9}tienne", "St. \u{c9}tienne"),
        ("rock \u{2019}n\u{2019} roll", "rock \u{2019}n\u{2019} roll"),
        ("rock-n-roll", "rock-n-roll"),
        ("rock 9!", "rock 9"),
        ("the U.S.A. and", "U.S.A"),
        ("U.S.", "U.S."),
        ("u.k", "u.k"),
        ("Acme Inc.", "Inc."),
        (
            "VERYLONGFIRSTWORDBEYONDSIXTEEN second",
            "VERYLONGFIRSTWORDBEYONDSIXTEEN second",
        ),
        ("abcdefgh12345678 x", "abcdefgh12345678 x"),
        ("O\u{2019}Neil", "O\u{2019}Neil"),
        ("o'\n neil", "o'\n neil"),
        ("S\u{e3}o Paulo", "S\u{e3}o Paulo"),
    ];
    let options = GazetteerOptions {
        case_sensitive: false,
        fold_diacritics: true,
    };
    let g = gaz(RECS, options);
    for (text, surface) in texts {
        let found: Vec<&str> = g
            .tag_overlapping(text)
            .iter()
            .map(|m| &text[m.byte_start..m.byte_end])
            .collect();
        assert!(found.contains(&surface), "{text:?}: {found:?}");
    }
    // Followed by none of their second words: nothing.
    for text in ["new jersey", "st. paul", "rock on", "u.n.", "o'hara", "new"] {
        assert!(g.tag_overlapping(text).is_empty(), "{text:?}");
    }
}

#[test]
fn empty_id_is_an_error() {
    let err = Gazetteer::new(records(&[("", "Kiev", &[])]), DEFAULT).unwrap_err();
    match err {
        Error::Gazetteer { line, field, .. } => {
            assert_eq!(line, 1);
            assert_eq!(field.as_deref(), Some("id"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn duplicate_ids_merge() {
    let g = gaz(
        &[("k", "Kyiv", &["Kiev"]), ("k", "Kyjiw", &["Kijów"])],
        DEFAULT,
    );
    assert_eq!(g.entities().len(), 1);
    assert_eq!(g.entity(0).name, "Kyiv");
    let text = "Kyiv Kiev Kyjiw Kijów";
    let got: Vec<String> = summarize(&g, text, &g.tag(text))
        .into_iter()
        .map(|x| x.1)
        .collect();
    assert_eq!(got, ["k", "k", "k", "k"]);
}

#[test]
fn duplicate_ids_with_other_label_are_an_error() {
    let mut recs = records(&[("k", "Kyiv", &[]), ("k", "Kiev", &[])]);
    recs[1].label = "ORG".into();
    let err = Gazetteer::new(recs, DEFAULT).unwrap_err();
    match err {
        Error::Gazetteer { line, field, .. } => {
            assert_eq!(line, 2);
            assert_eq!(field.as_deref(), Some("label"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn jsonl_errors_name_the_line() {
    let text = "{\"id\": \"a\", \"label\": \"P\", \"name\": \"A\"}\n\n{\"id\": \"\", \"label\": \"P\", \"name\": \"B\"}\n";
    let err = Gazetteer::from_jsonl_str(text, "g.jsonl", DEFAULT).unwrap_err();
    assert_eq!(err.to_string(), "g.jsonl line 3, field \"id\": empty id");
    let err = Gazetteer::from_jsonl_str("{nope", "g.jsonl", DEFAULT).unwrap_err();
    assert!(err.to_string().starts_with("g.jsonl line 1"));
}

#[test]
fn jsonl_aliases() {
    let g = Gazetteer::from_jsonl_str(
        r#"{"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov", {"text": "SBU", "case_sensitive": true}]}"#,
        "g.jsonl",
        DEFAULT,
    )
    .unwrap();
    assert_eq!(g.alias_count(), 3);
    let null = Gazetteer::from_jsonl_str(
        r#"{"id": "a", "label": "P", "name": "Kyiv", "aliases": null, "population": 3}"#,
        "g.jsonl",
        DEFAULT,
    )
    .unwrap();
    assert_eq!(null.tag("Kyiv").len(), 1);
    let bom = Gazetteer::from_jsonl_str(
        "\u{feff}{\"id\": \"a\", \"label\": \"P\", \"name\": \"Kyiv\"}\r\n",
        "g.jsonl",
        DEFAULT,
    )
    .unwrap();
    assert_eq!(bom.tag("Kyiv").len(), 1);
    assert_eq!(g.tag("KHARKOV sbu SBU").len(), 2);
}

#[test]
fn compact_round_trip() {
    let options = GazetteerOptions {
        case_sensitive: false,
        fold_diacritics: true,
    };
    let g = gaz(
        &[("k", "Kyiv", &["Kiev", "=KYIV"]), ("x", "Kraków", &[])],
        options,
    );
    let bytes = g.to_compact_bytes().unwrap();
    let h = Gazetteer::from_compact_bytes(&bytes).unwrap();
    assert_eq!(h.records(), g.records());
    assert_eq!(h.options(), g.options());
    let text = "Kyiv, Krakow and KIEV";
    assert_eq!(h.tag(text), g.tag(text));
    assert!(Gazetteer::from_compact_bytes(b"garbage").is_err());
}

#[test]
fn send_sync_and_cheap_clone() {
    fn assert_send_sync<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    assert_send_sync::<Gazetteer>();
    assert_send_sync::<Mention>();
    let g = gaz(KIEV, DEFAULT);
    let h = g.clone();
    assert!(Arc::ptr_eq(&g.inner, &h.inner));
    assert_eq!(
        format!("{g:?}"),
        "Gazetteer { entities: 1, aliases: 2, options: GazetteerOptions { case_sensitive: false, fold_diacritics: false } }"
    );
}

#[test]
fn no_panic_on_odd_input() {
    let g = gaz(
        &[(
            "x",
            "a",
            &["\u{0301}", "ß", "İ", "\u{00A0}", "a b", "'", "-"],
        )],
        GazetteerOptions {
            case_sensitive: false,
            fold_diacritics: true,
        },
    );
    for text in [
        "",
        " ",
        "\u{0301}",
        "ßßß",
        "İİ",
        "a\u{0301}b",
        "'-'",
        "\0\0a\0",
        "a\u{0301}",
        "\u{10FFFF}a",
    ] {
        let ms = g.tag(text);
        summarize(&g, text, &ms);
        let ms = g.tag_overlapping(text);
        summarize(&g, text, &ms);
    }
    let big = "Kyiv ".repeat(200_000);
    assert_eq!(gaz(KIEV, DEFAULT).tag(&big).len(), 200_000);
}

#[test]
fn threads_zero_is_an_error() {
    let g = gaz(KIEV, DEFAULT);
    assert!(g.tag_many(&["Kiev"], Some(0), false).is_err());
}

#[test]
fn long_texts_in_pieces_tag_the_same() {
    let g = gaz(
        &[
            ("k", "Kyiv", &["Kiev"]),
            ("n", "New York", &["New  York City", "York"]),
            ("s", "Straße", &[]),
        ],
        DEFAULT,
    );
    let text = "Kyiv, new york city! Kievan NEW\n YORK Straße-Kiev 😀Kyiv york ".repeat(7);
    for overlapping in [false, true] {
        let whole = g.scan_pieces(&text, overlapping, usize::MAX, 0);
        assert!(whole.len() > 20);
        for piece in [1, 2, 3, 5, 8, 13, 40] {
            for margin in [16, 30] {
                let pieces = g.scan_pieces(&text, overlapping, piece, margin);
                assert_eq!(pieces, whole, "piece {piece}, margin {margin}");
            }
        }
    }
}

#[test]
fn errors_name_the_origin_and_line() {
    let err = Gazetteer::new_with_origin(
        records(&[("a", "A", &[]), ("", "B", &[])]),
        "g.csv",
        &[2, 5],
        DEFAULT,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "g.csv line 5, field \"id\": empty id");
}

#[test]
fn text_longer_than_one_piece() {
    // Crosses the 4 MiB piece boundary with a two-word alias.
    let g = gaz(&[("k", "Kyiv Oblast", &[])], DEFAULT);
    let text = "Kyiv Oblast, ".repeat(PIECE / 13 + 1000);
    let ms = g.tag(&text);
    assert_eq!(ms.len(), PIECE / 13 + 1000);
    assert!(ms.windows(2).all(|w| w[1].start == w[0].start + 13));
}

#[test]
fn random_texts_never_panic_and_offsets_agree() {
    // A small xorshift PRNG: deterministic, no dependency.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pool: Vec<char> = "aAbBsSß\u{1E9E}iIİ\u{307}\u{301}é Ж東😀'’-—\u{a0}\n\t.ﬀςσΣ1"
        .chars()
        .collect();
    for fold in [false, true] {
        let g = gaz(
            &[
                (
                    "x",
                    "a",
                    &["ss", "i\u{307}", "=A b", "ж", "😀", "'", "é", "ﬀ", "σς"],
                ),
                ("y", "a b", &["ab", "B-a", "\u{301}"]),
            ],
            GazetteerOptions {
                case_sensitive: false,
                fold_diacritics: fold,
            },
        );
        for _ in 0..400 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 5 == 0 {
                        char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('?')
                    } else {
                        pool[(r >> 8) as usize % pool.len()]
                    }
                })
                .collect();
            let ms = g.tag(&text);
            summarize(&g, &text, &ms);
            assert!(ms.windows(2).all(|w| w[0].byte_end <= w[1].byte_start));
            let all = g.tag_overlapping(&text);
            summarize(&g, &text, &all);
            assert!(ms.iter().all(|m| all.contains(m)), "{text:?}");
        }
    }
}

/// A fingerprint of every mention (offsets, entity, candidates) that `tag` and
/// `tag_overlapping` find with the default gazetteer's records on the 181 dev pages, as
/// written and upper-cased, under three option sets (the default's case-sensitive aliases;
/// case-insensitive; case-insensitive with diacritics folded). Speed work must leave it
/// unchanged; a deliberate change in behaviour updates it (the failure prints the new one) and
/// says why in its commit.
#[test]
fn dev_pages_tagging_fingerprint() {
    const FINGERPRINT: u64 = 0x2f7d_f7de_0841_294d;
    let pages: Vec<String> = crate::testing::dev_pages()
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let records = default_records().expect("default records");
    let mut h = crate::testing::Fnv::new();
    let mut feed = |x: u64| h.write(x.to_le_bytes());
    let mut mentions = 0u64;
    for options in [
        default_options(),
        GazetteerOptions::default(),
        GazetteerOptions {
            case_sensitive: false,
            fold_diacritics: true,
        },
    ] {
        let g = Gazetteer::new(records.clone(), options).expect("default gazetteer");
        for page in &pages {
            for text in [page.clone(), page.to_uppercase()] {
                for ms in [g.tag(&text), g.tag_overlapping(&text)] {
                    feed(ms.len() as u64);
                    for m in &ms {
                        mentions += 1;
                        for x in [m.start, m.end, m.byte_start, m.byte_end] {
                            feed(x as u64);
                        }
                        feed(u64::from(m.entity));
                        feed(m.candidates.len() as u64);
                        m.candidates.iter().for_each(|&c| feed(u64::from(c)));
                    }
                }
            }
        }
    }
    assert!(mentions > 50_000, "only {mentions} mentions");
    assert_eq!(
        h.0, FINGERPRINT,
        "tagging output on the dev pages changed: new fingerprint {:#018x}",
        h.0
    );
}

/// A steady loop of the default gazetteer over the cleaned dev pages, for a profiler:
/// `REPS=10 valgrind --tool=callgrind <test binary> profile_tag --ignored` (the gazetteer is
/// built once, before the loop).
#[test]
#[ignore]
fn profile_tag() {
    let pages: Vec<String> = crate::testing::dev_pages()
        .iter()
        .map(|(_, page)| crate::clean::clean(page).text)
        .collect();
    let g = Gazetteer::default_world().unwrap();
    let reps = crate::testing::profile_reps();
    let mut n = 0;
    for _ in 0..reps {
        for p in &pages {
            n += g.tag(p).len();
        }
    }
    println!("{n}");
}

/// Each dev page cleaned and then tagged, as the corpus pipeline does (the cleaner's working
/// set evicts the tagger's between pages, which `profile_tag` keeps hot): `REPS=60 <test
/// binary> profile_clean_tag --ignored`, and with `TAG=0` the cleaning alone, to subtract.
#[test]
#[ignore]
fn profile_clean_tag() {
    let pages = crate::testing::dev_pages();
    let g = Gazetteer::default_world().unwrap();
    let tag = std::env::var("TAG").map_or(true, |v| v != "0");
    let reps = crate::testing::profile_reps();
    let mut n = 0;
    for _ in 0..reps {
        for (_, page) in pages.iter() {
            let text = crate::clean::clean(page).text;
            n += if tag { g.tag(&text).len() } else { text.len() };
        }
    }
    println!("{n}");
}
