"""Objects travel: Article, Mention and Gazetteer pickle, a Gazetteer tags the same after a
trip to another process, and one Gazetteer serves many Python threads at once."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ThreadPoolExecutor

import newsprep
from newsprep import Gazetteer

from conftest import seed_names, seed_text

RECORDS = [
    {"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov"]},
    {"id": "L-izium", "label": "PLACE", "name": "Izium", "aliases": ["Izyum", "Izum"]},
    {
        "id": "O-sbu",
        "label": "ORG",
        "name": "Security Service of Ukraine",
        "aliases": [{"text": "SBU", "case_sensitive": True}],
    },
    {
        "id": "P-zelensky",
        "label": "PERSON",
        "name": "Volodymyr Zelensky",
        "aliases": ["Zelensky", "Zelenskyy", "Zelenskiy"],
    },
]


def _tag_in_child(payload: bytes, texts: list[str]) -> list[list[tuple]]:
    gaz = pickle.loads(payload)
    return [[(m.start, m.end, m.entity_id) for m in ms] for ms in gaz.tag_many(texts)]


def _as_tuples(found) -> list[list[tuple]]:
    return [[(m.start, m.end, m.entity_id) for m in ms] for ms in found]


def test_gazetteer_round_trip_keeps_options_and_results() -> None:
    gaz = Gazetteer.from_records(RECORDS, fold_diacritics=True)
    again = pickle.loads(pickle.dumps(gaz))
    assert again.fold_diacritics and not again.case_sensitive
    assert again.entities() == gaz.entities()
    texts = [seed_text(n) for n in seed_names()]
    assert _as_tuples(again.tag_many(texts)) == _as_tuples(gaz.tag_many(texts))


def test_gazetteer_pickle_is_compact() -> None:
    gaz = Gazetteer.from_records(RECORDS)
    assert len(pickle.dumps(gaz)) < 2_000  # records travel, not the automaton


def test_gazetteer_in_another_process() -> None:
    gaz = Gazetteer.from_records(RECORDS)
    texts = [seed_text(n) for n in seed_names()]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        remote = pool.apply(_tag_in_child, (pickle.dumps(gaz), texts))
    assert remote == _as_tuples(gaz.tag_many(texts))
    assert sum(map(len, remote)) > 20


def test_article_and_mention_pickle() -> None:
    article = newsprep.clean(seed_text(seed_names()[1]))
    assert pickle.loads(pickle.dumps(article)) == article
    (mention,) = Gazetteer.from_records(RECORDS).tag("in Kharkov")
    again = pickle.loads(pickle.dumps(mention))
    assert again == mention and hash(again) == hash(mention)


def test_many_python_threads_share_one_gazetteer() -> None:
    gaz = Gazetteer.from_records(RECORDS)
    texts = [seed_text(n) for n in seed_names()] * 40
    sequential = [gaz.tag(t) for t in texts]
    cleaned_sequential = [newsprep.clean(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(gaz.tag, texts))
        cleaned_parallel = list(pool.map(newsprep.clean, texts))
    assert parallel == sequential
    assert cleaned_parallel == cleaned_sequential


def test_default_gazetteer_pickles_as_a_reference() -> None:
    gaz = Gazetteer.default()
    data = pickle.dumps(gaz)
    assert len(data) < 200
    assert pickle.loads(data) is gaz
