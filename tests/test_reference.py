"""Differential test: the Rust tagger agrees with tests/reference_tagger.py, a small,
obviously-correct pure-Python implementation of the same semantics, on the dev-set texts and
on hypothesis-generated texts and gazetteers."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsprep import Gazetteer

from conftest import seed_names, seed_text
from reference_tagger import reference_tag


def _rust(records, text, **options) -> list[tuple[int, int, str, list[str]]]:
    overlapping = options.pop("overlapping", False)
    gaz = Gazetteer.from_records(records, **options)
    return [
        (m.start, m.end, m.entity_id, list(m.candidates))
        for m in gaz.tag(text, overlapping=overlapping)
    ]


def _reference(records, text, **options) -> list[tuple[int, int, str, list[str]]]:
    return [(s, e, eid, list(c)) for s, e, eid, c in reference_tag(records, text, **options)]


def _dev_gazetteer(texts: list[str]) -> list[dict[str, Any]]:
    """Capitalised words and word pairs that recur in the dev texts, grouped into entities so
    that some aliases are shared, some are prefixes of others, and some are case-sensitive."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)?\b", text))
    common = [w for w, _ in counts.most_common(120)]
    records = []
    for i, word in enumerate(common):
        aliases: list[Any] = [word.upper()] if i % 7 == 0 else []
        if i % 5 == 0:
            aliases.append({"text": word.split()[0], "case_sensitive": True})
        records.append({"id": f"E{i}", "label": "X", "name": word, "aliases": aliases})
    records.append({"id": "dup", "label": "X", "name": common[0]})  # a shared alias
    return records


@pytest.mark.parametrize("options", [{}, {"overlapping": True}, {"fold_diacritics": True}])
def test_agrees_on_dev_texts(dev_texts, options) -> None:
    ids = sorted(dev_texts)[::4]  # a quarter of the pages keeps the pure-Python side quick
    texts = [dev_texts[i] for i in ids] + [seed_text(n) for n in seed_names()]
    records = _dev_gazetteer(texts)
    total = 0
    for text in texts:
        expected = _reference(records, text, **options)
        assert _rust(records, text, **options) == expected
        total += len(expected)
    assert total > 1000  # the comparison saw real matches


ALPHABET = st.sampled_from(
    list("aAbBkKyYiIvVéÉ ")
    + [
        "\n",
        "\u00a0",
        "'",
        "’",
        "-",
        "–",
        '"',
        "“",
        "ß",
        "İ",
        "ı",
        "Ж",
        "ж",
        "東",
        "京",
        "😀",
        "\u0301",
        ".",
        ",",
        "1",
    ]
)
WORDS = st.text(ALPHABET, min_size=1, max_size=6)
ALIAS = st.one_of(
    WORDS,
    st.builds(lambda t, c: {"text": t, "case_sensitive": c}, WORDS, st.booleans()),
)
RECORDS = st.lists(
    st.builds(
        lambda i, name, aliases: {"id": f"E{i}", "label": "X", "name": name, "aliases": aliases},
        st.integers(0, 5),
        WORDS,
        st.lists(ALIAS, max_size=3),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=RECORDS,
    text=st.text(ALPHABET, max_size=60),
    case_sensitive=st.booleans(),
    fold_diacritics=st.booleans(),
    overlapping=st.booleans(),
)
def test_agrees_on_generated_cases(records, text, case_sensitive, fold_diacritics, overlapping):
    # Records sharing an id must agree on the label (else it is an error): one label here.
    options = {
        "case_sensitive": case_sensitive,
        "fold_diacritics": fold_diacritics,
        "overlapping": overlapping,
    }
    assert _rust(records, text, **options) == _reference(records, text, **options)
    for start, end, _, _ in _rust(records, text, **options):
        assert 0 <= start < end <= len(text)
