"""Cleanup: exact outputs on the seed fixtures, invariants, bad input, and dev-set quality."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import newsprep

from conftest import DEV, seed_expected, seed_names, seed_text

#: Macro F1 on the dev set (tests/data/cleanup-dev, score.py) reached by the shipped cleaner
#: (0.957), minus 0.01 of slack. Raise it when the cleaner improves; never lower it to make a
#: change pass. The model was trained on these pages: the honest figure for unseen pages is
#: the 5-fold cross-validated 0.897 that scripts/train_cleaner.py reports. (The floor came
#: down from 0.958 once, deliberately: the 80-tree model was swapped for a 4x faster
#: 40-tree depth-5 one with the same cross-validated score but less fit to these pages.)
DEV_MACRO_F1_FLOOR = 0.946
#: The weakest scraper dump style (glued, 0.946) must stay above this.
DEV_STYLE_F1_FLOOR = 0.936

REASONS = {"icons", "navigation", "caption", "promo", "metadata", "boilerplate"}


# ---------------------------------------------------------------- seed fixtures


@pytest.mark.parametrize("name", seed_names())
def test_seed_exact_output(name: str) -> None:
    article = newsprep.clean(seed_text(name))
    expected = seed_expected(name)
    assert article.title == expected["title"]
    assert article.date == expected["date"]
    assert article.byline == expected["byline"]
    assert article.text == expected["text"]


def test_seed_many_equals_one_by_one() -> None:
    texts = [seed_text(n) for n in seed_names()]
    one_by_one = [newsprep.clean(t) for t in texts]
    assert newsprep.clean_many(texts) == one_by_one
    assert newsprep.clean_many(texts, threads=1) == one_by_one
    assert newsprep.clean_many(texts, threads=2) == one_by_one


def test_dropped_lines_are_audited() -> None:
    article = newsprep.clean(seed_text(seed_names()[1]))
    reasons = {reason for _, reason in article.dropped}
    assert reasons <= REASONS
    assert "icons" in reasons
    for line, _ in article.dropped:
        assert line.strip()


def test_strip_icons_keeps_real_text_on_the_same_line() -> None:
    line = (
        "icon bookmark-bicon bookmarkicon cameraicon checkicon chevron downicon closeicon Kyiv said"
    )
    out = newsprep.strip_icons(line)
    assert "Kyiv said" in out
    assert "bookmarkicon" not in out and "cameraicon" not in out


def test_strip_icons_leaves_plain_prose_alone() -> None:
    text = "The lexicon of an iconic photographer is not an icon font."
    assert newsprep.strip_icons(text) == text


# ---------------------------------------------------------------- invariants


def _words(text: str) -> list[str]:
    return text.split()


def _is_subsequence_of_chars(out: str, source: str) -> bool:
    """Every non-whitespace character of `out` appears in `source` in the same order."""
    it = iter(c for c in source if not c.isspace())
    return all(any(c == s for s in it) for c in out if not c.isspace())


prose = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Russian troops withdrew from Izyum on Saturday.",
                "The ministry said the regrouping would strengthen units in Donetsk.",
                "Share",
                "Menu",
                "icon bookmarkicon cameraicon",
                "READ MORE: more news",
                "© Reuters",
                "12 Comments",
                "date 2022-09-10",
                "– Jane Doe –",
                "Kyiv’s counteroffensive gained momentum.The SBU published photos.",
                "Пресс-служба сообщила об отводе войск.",
                "東京で会議が開かれた。",
                "",
            ]
        ),
        st.text(min_size=0, max_size=80),
    ),
    max_size=25,
).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(prose)
def test_nothing_is_invented(text: str) -> None:
    article = newsprep.clean(text)
    assert _is_subsequence_of_chars(article.text, text)


@settings(max_examples=200, deadline=None)
@given(prose)
def test_idempotent(text: str) -> None:
    once = newsprep.clean(text).text
    assert newsprep.clean(once).text == once


@settings(max_examples=100, deadline=None)
@given(prose)
def test_paragraph_format(text: str) -> None:
    out = newsprep.clean(text).text
    assert out == out.strip()
    assert "\n\n\n" not in out
    for paragraph in out.split("\n\n") if out else []:
        assert paragraph.strip() == paragraph and paragraph


@pytest.mark.parametrize("text", ["", " ", "\n\n\t \n", "\u00a0\u2003"])
def test_empty_and_whitespace_only(text: str) -> None:
    article = newsprep.clean(text)
    assert article.text == ""
    assert article.title is None and article.date is None and article.byline is None


def test_nul_bytes_and_lone_surrogates() -> None:
    body = "Russian troops are withdrawing from key areas of the Kharkiv region, the ministry said."
    article = newsprep.clean(f"{body}\x00\n{body}\ud800 and more text follows here, as it should.")
    assert "withdrawing" in article.text
    assert "\ud800" not in article.text  # a lone surrogate becomes U+FFFD at the boundary
    assert newsprep.strip_icons("a\ud800b") == "a\ufffdb"


def test_large_document_is_linear() -> None:
    paragraphs = [
        f"On day {i} the ministry said troops had regrouped near Izyum, and officials in the "
        f"region confirmed to reporters that {i % 97} convoys had left overnight."
        for i in range(60_000)
    ]
    big = "\n\n".join(p for i, p in enumerate(paragraphs) for p in (p, "Share", "Menu"))
    assert len(big) > 9_000_000
    article = newsprep.clean(big)
    assert article.text.count("regrouped near Izyum") >= 0.95 * len(paragraphs)


# ---------------------------------------------------------------- dev-set quality


def _score(out_dir, *extra: str) -> dict:
    json_path = out_dir / "score.json"
    subprocess.run(
        [sys.executable, str(DEV / "score.py"), str(out_dir), "--json", str(json_path), *extra],
        check=True,
        capture_output=True,
    )
    return json.loads(json_path.read_text())


def test_dev_set_quality_guard(tmp_path, dev_texts) -> None:
    ids = sorted(dev_texts)
    articles = newsprep.clean_many([dev_texts[i] for i in ids])
    for doc_id, article in zip(ids, articles):
        (tmp_path / f"{doc_id}.txt").write_text(article.text, encoding="utf-8")
    overall = _score(tmp_path)
    macro = overall["macro_f1"]
    assert macro >= DEV_MACRO_F1_FLOOR, f"macro F1 {macro:.3f} fell below {DEV_MACRO_F1_FLOOR}"
    by_style = _score(tmp_path, "--by", "noisy_style")
    for style, numbers in by_style["by"].items():
        f1 = numbers["macro_f1"]
        assert f1 >= DEV_STYLE_F1_FLOOR, f"{style}: macro F1 {f1:.3f}"


def test_no_language_is_emptied(dev_texts) -> None:
    manifest = (DEV / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    header = manifest[0].split("\t")
    langs = {row.split("\t")[0]: row.split("\t")[header.index("lang")] for row in manifest[1:]}
    kept: dict[str, list[int]] = {}
    for doc_id, text in dev_texts.items():
        kept.setdefault(langs[doc_id], []).append(len(newsprep.clean(text).text))
    for lang, sizes in kept.items():
        assert sum(1 for s in sizes if s > 0) >= 0.8 * len(sizes), (lang, sizes)


def test_glued_paragraphs_split() -> None:
    text = (
        "Russia redeploys troops out of Ukraine’s Kharkiv region\n"
        "Russian troops are withdrawing from key areas of Ukraine’s Kharkiv region, including the "
        "strategically important city of Izyum, the Defence Ministry in Moscow said on Saturday. "
        "Russian troops are also to withdraw from the city of Balakliya, which the Ukrainians "
        "had reported as having liberated last week.The Russian Defence Ministry said the "
        "regrouping is intended to strengthen units in the neighbouring Donetsk region.The "
        "Ukrainian side said earlier in the day that it had made major gains in Kharkiv.\n"
    )
    out = newsprep.clean(text).text
    assert re.search(r"last week\.\n\nThe Russian Defence", out), out
    assert re.search(r"Donetsk region\.\n\nThe Ukrainian side", out), out
