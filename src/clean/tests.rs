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
    assert!(a.text.contains("last week.\n\nThe Ministry"), "{:?}", a.text);
}

#[test]
fn nothing_is_invented() {
    let page = "Home\nNews\nSport\n\nA long first paragraph of the article that says many things, all of them true.\n\nAnother paragraph follows here, and it is long enough to be body text too.\n\n12 Comments\nShare this";
    let a = clean(page);
    let src = text::normalize_ws(page);
    let mut pos = 0;
    for p in a.text.split("\n\n") {
        let at = src[pos..].find(p).expect("paragraph comes from the input in order");
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
        let got = Expected { title: a.title, date: a.date, byline: a.byline, text: a.text };
        if got != want {
            failures.push(format!("seed {name}:\n got  {got:#?}\n want {want:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
