"""Property tests (hypothesis) for newsprep's invariants (issue 7):

* tagging: offsets slice the surface (``text[m.start:m.end] == m.text``), non-overlapping
  mentions are sorted and disjoint, every one of them is also an overlapping match, no
  letter or digit touches a mention; ``tag_many`` equals ``tag`` per text; a pickled
  Gazetteer tags identically;
* cleanup: invents nothing, keeps the paragraph format, and is idempotent.

The texts mix the scripts and characters news text has (Latin with diacritics, Cyrillic,
CJK, emoji, combining marks, curly quotes, dashes, NBSP and other spaces) with the aliases of
the gazetteer under test, so that matches happen. Agreement with the pure-Python reference
tagger is tests/test_reference.py's job.
"""

from __future__ import annotations

import pickle
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsprep
from newsprep import Gazetteer, GazetteerError

from conftest import DEV

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ----------------------------------------------------------------------------- alphabets

SPECIAL = [
    "\u00a0",  # NBSP
    "\u2009",  # thin space
    "\u3000",  # ideographic space
    "\n",
    "\t",
    "\u2019",  # ’
    "\u2018",
    "\u02bc",  # ʼ
    "'",
    "\u201c",  # “
    "\u201d",
    '"',
    "\u2013",  # –
    "\u2014",  # —
    "-",
    "\u0301",  # combining acute
    "\u0308",  # combining diaeresis
    "\u200b",  # zero-width space
    "\U0001f600",  # emoji
    "\U0001f1fa\U0001f1e6",  # flag (two regional indicators)
    "\u00df",  # ß (folds to ss)
    "\u0130",  # İ (folds to i + combining dot)
    "\ufb01",  # ﬁ ligature
    "\u03a3",  # Σ (final sigma rules)
    ".",
    ",",
    " ",
]

LETTERS = st.sampled_from(
    list("abcdeiklmnorsuvyzAKSZ")
    + list("éèüöñçšžýÉŠ")
    + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґАБКХЗ")
    + list("中国北京东乌克兰日本")
    + list("0123456789")
)

word = st.text(alphabet=LETTERS, min_size=1, max_size=8)
separator = st.sampled_from(SPECIAL)


@st.composite
def alias_text(draw: st.DrawFn) -> str:
    """One to three words joined by separators that the tagger treats specially."""
    words = draw(st.lists(word, min_size=1, max_size=3))
    seps = draw(st.lists(st.sampled_from([" ", "\u00a0", "-", "\u2019", " \n "]), min_size=2))
    out = words[0]
    for w, s in zip(words[1:], seps):
        out += s + w
    return out


@st.composite
def gazetteer_records(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(min_value=1, max_value=6))
    records = []
    for _ in range(n):
        aliases = draw(st.lists(alias_text(), max_size=3))
        cased = draw(st.lists(st.booleans(), min_size=len(aliases), max_size=len(aliases)))
        records.append(
            {
                "id": f"E{draw(st.integers(min_value=0, max_value=n))}",
                "label": "PLACE",
                "name": draw(alias_text()),
                "aliases": [
                    {"text": a, "case_sensitive": True} if c else a for a, c in zip(aliases, cased)
                ],
            }
        )
    return records


def surfaces(records: list[dict]) -> list[str]:
    out = []
    for r in records:
        out.append(r["name"])
        out.extend(a if isinstance(a, str) else a["text"] for a in r["aliases"])
    return out


@st.composite
def text_for(draw: st.DrawFn, records: list[dict]) -> str:
    """Aliases (as written, upper-cased, or with a variant separator) among random words,
    separators and special characters."""
    known = surfaces(records)
    pieces = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        kind = draw(st.integers(min_value=0, max_value=4))
        if kind == 0:
            pieces.append(draw(st.sampled_from(known)))
        elif kind == 1:
            pieces.append(draw(st.sampled_from(known)).upper())
        elif kind == 2:
            pieces.append(draw(word))
        elif kind == 3:
            pieces.append(draw(separator))
        else:
            pieces.append(draw(st.text(max_size=4)))  # anything, surrogates excluded
    return "".join(pieces)


@st.composite
def gazetteer_and_texts(draw: st.DrawFn) -> tuple[list[dict], bool, bool, list[str]]:
    records = draw(gazetteer_records())
    texts = draw(st.lists(text_for(records), min_size=1, max_size=4))
    return records, draw(st.booleans()), draw(st.booleans()), texts


def build(records: list[dict], case_sensitive: bool, fold: bool) -> Gazetteer | None:
    try:
        return Gazetteer.from_records(records, case_sensitive=case_sensitive, fold_diacritics=fold)
    except GazetteerError as e:
        # The one documented reason random records fail: an id repeated with another label
        # cannot happen here (one label), so only an empty id could; none is generated.
        raise AssertionError(f"valid records rejected: {e}") from e


def is_word(ch: str) -> bool:
    """Letters, digits and combining marks: the tagger's word characters."""
    return unicodedata.category(ch)[0] in "LNM"


def check_mentions(gaz: Gazetteer, text: str, found: list, overlapping: bool) -> None:
    ids = {e[0] for e in gaz.entities()}
    for m in found:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.candidates[0] == m.entity_id and set(m.candidates) <= ids
        assert len(set(m.candidates)) == len(m.candidates)
        assert m.start == 0 or not is_word(text[m.start - 1]), (text, m)
        assert m.end == len(text) or not is_word(text[m.end]), (text, m)
    if not overlapping:
        for a, b in zip(found, found[1:]):
            assert a.end <= b.start, (a, b)


# --------------------------------------------------------------------------------- tagging


@SETTINGS
@given(gazetteer_and_texts())
def test_offsets_slice_the_surface(case: tuple) -> None:
    records, case_sensitive, fold, texts = case
    gaz = build(records, case_sensitive, fold)
    for text in texts:
        found = gaz.tag(text)
        check_mentions(gaz, text, found, overlapping=False)
        every = gaz.tag(text, overlapping=True)
        check_mentions(gaz, text, every, overlapping=True)
        spans = {(m.start, m.end) for m in every}
        assert all((m.start, m.end) in spans for m in found)


@SETTINGS
@given(gazetteer_and_texts())
def test_every_alias_standing_alone_is_found_whole(case: tuple) -> None:
    records, case_sensitive, fold, _ = case
    gaz = build(records, case_sensitive, fold)
    for surface in surfaces(records):
        spans = {(m.start, m.end) for m in gaz.tag(surface, overlapping=True)}
        assert (0, len(surface)) in spans, (surface, spans)
        (m,) = gaz.tag(surface)  # leftmost-longest: the whole text, once
        assert (m.start, m.end) == (0, len(surface))


@settings(SETTINGS, max_examples=100)
@given(gazetteer_and_texts(), st.sampled_from([None, 1, 2]))
def test_tag_many_equals_tag(case: tuple, threads: int | None) -> None:
    records, case_sensitive, fold, texts = case
    gaz = build(records, case_sensitive, fold)
    assert gaz.tag_many(texts, threads=threads) == [gaz.tag(t) for t in texts]
    assert gaz.tag_many(texts, threads=threads, overlapping=True) == [
        gaz.tag(t, overlapping=True) for t in texts
    ]


@settings(SETTINGS, max_examples=100)
@given(gazetteer_and_texts())
def test_pickled_gazetteer_tags_identically(case: tuple) -> None:
    records, case_sensitive, fold, texts = case
    gaz = build(records, case_sensitive, fold)
    again = pickle.loads(pickle.dumps(gaz))
    assert again.entities() == gaz.entities()
    assert (again.case_sensitive, again.fold_diacritics) == (case_sensitive, fold)
    for text in texts:
        assert again.tag(text) == gaz.tag(text)
        assert again.tag(text, overlapping=True) == gaz.tag(text, overlapping=True)


# --------------------------------------------------------------------------------- cleanup


def _dev_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(DEV.glob("*.noisy.txt"))[:30]:
        lines.extend(x for x in path.read_text(encoding="utf-8").splitlines() if x.strip())
    return lines


DEV_LINES = _dev_lines()
FURNITURE = [
    "Home | News | Sport | Weather",
    "icon bookmark-bicon bookmarkicon cameraicon checkicon chevron downicon",
    "Share this article",
    "READ MORE: Ukraine retakes Izium",
    "Sign up for our newsletter",
    "12 Comments",
    "© Sputnik / Ivan Ivanov",
    "date 2022-09-10",
    "10 Sep, 2022 13:18",
    "– Ranjith Perera –",
    "",
    " ",
]

line = st.one_of(
    st.sampled_from(DEV_LINES),
    st.sampled_from(FURNITURE),
    st.lists(st.one_of(word, separator), max_size=30).map("".join),
    st.text(max_size=80),
)
page = st.lists(line, max_size=40).map("\n".join)


def invents_nothing(out: str, src: str) -> bool:
    """Every non-whitespace character of ``out`` comes from ``src``, in order."""
    rest = iter(ch for ch in src if not ch.isspace())
    return all(any(ch == c for c in rest) for ch in out if not ch.isspace())


@SETTINGS
@given(page)
def test_cleanup_invents_nothing(text: str) -> None:
    article = newsprep.clean(text)
    assert invents_nothing(article.text, text)
    for field in (article.title, article.byline):
        assert field is None or invents_nothing(field, text)
    assert article.text == article.text.strip()
    assert "\n\n\n" not in article.text
    assert all(p.strip() == p and p for p in article.text.split("\n\n")) or not article.text
    assert newsprep.clean_many([text, text], threads=2) == [article, article]


@SETTINGS
@given(page)
def test_strip_icons_invents_nothing_and_is_idempotent(text: str) -> None:
    out = newsprep.strip_icons(text)
    assert invents_nothing(out, text)
    assert out.count("\n") == text.count("\n")
    assert newsprep.strip_icons(out) == out


@SETTINGS
@given(page)
def test_cleanup_is_idempotent(text: str) -> None:
    once = newsprep.clean(text).text
    assert newsprep.clean(once).text == once


# Found by fuzzing (fuzz/regressions/clean_idempotent): each pass over the shorter output
# dropped one more trailing line, and clean() stopped after four extra passes (fixed on the
# clean branch: bounded re-pass loop with a stable give-up).
PEELING = (
    "\x1e\x00d fixr f exact\x00\x00:\ntit\x01\x00\x00\x00ov## 04: e tv \ufffd \ufffd Spt 12ives "
    'a.\ngivy.\n a pD\x00ress TV \ufffd Sept 1s TV \ufffd vy.\n T\x08\x00022" .\ny.\n a ## 0: s '
    'V \ufffd\ufffd Sept 11, 202s day.\ns\x00\x00"2ives day.\n.\n'
)


def test_cleanup_is_idempotent_regression_peeling() -> None:
    once = newsprep.clean(PEELING).text
    assert newsprep.clean(once).text == once


# --------------------------------------------------------------------------------- corpus

PLACES = Gazetteer.from_records(
    [
        {"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov"]},
        {"id": "L-izium", "label": "PLACE", "name": "Izium", "aliases": ["Izyum"]},
        {"id": "O-mod", "label": "ORG", "name": "Ministry of Defense"},
    ]
)


def _rows(result: newsprep.Result) -> tuple[list, list]:
    """Documents and mentions without the columns that name the batch or the source."""
    docs = result.documents.drop_columns(["doc_id", "source"]).to_pylist()
    mentions = result.mentions.drop_columns(["doc_id"]).to_pylist()
    return docs, mentions


@settings(SETTINGS, max_examples=25)
@given(
    st.lists(page, min_size=1, max_size=12),
    st.data(),
    st.sampled_from([None, 1, 2]),
    st.booleans(),
)
def test_process_gives_the_same_result_for_any_split(
    texts: list[str], data: st.DataObject, threads: int | None, clean: bool
) -> None:
    """process() with any batch size, or on any split of the corpus into chunks processed
    one after the other, gives the same documents and mentions."""
    reference = newsprep.process(
        texts, gazetteer=PLACES, clean=clean, progress=False, batch_size=10_000
    )
    batch_size = data.draw(st.integers(min_value=1, max_value=len(texts) + 1))
    batched = newsprep.process(
        texts,
        gazetteer=PLACES,
        clean=clean,
        progress=False,
        batch_size=batch_size,
        threads=threads,
    )
    assert batched.documents.equals(reference.documents)
    assert batched.mentions.to_pylist() == reference.mentions.to_pylist()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(texts)), max_size=3)))
    bounds = [0, *cuts, len(texts)]
    docs: list = []
    mentions: list = []
    for a, b in zip(bounds, bounds[1:]):
        part = newsprep.process(texts[a:b], gazetteer=PLACES, clean=clean, progress=False)
        d, m = _rows(part)
        docs += d
        mentions += m
    assert (docs, mentions) == _rows(reference)
    for row, text in zip(reference.documents.to_pylist(), texts):
        assert row["text"] == (newsprep.clean(text).text if clean else text)
