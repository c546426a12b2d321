"""newsprep.process and Result: sources, error rows, equality with clean()/tag(), batch-split
invariance, atomic output, Ctrl-C, round trips, analysis helpers, the `run` command."""

from __future__ import annotations

import json
import signal
import time
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import newsprep
from newsprep import _core
from newsprep import corpus as corpus_mod
from newsprep.cli import main as cli_main
from newsprep.display import render_entities

from conftest import DEV, dev_ids

RECORDS = [
    {"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov"]},
    {"id": "L-izium", "label": "PLACE", "name": "Izium", "aliases": ["Izyum", "Izum"]},
    {"id": "L-russia", "label": "PLACE", "name": "Russia"},
    {"id": "L-ukraine", "label": "PLACE", "name": "Ukraine"},
    {"id": "L-moscow", "label": "PLACE", "name": "Moscow"},
    {"id": "L-kyiv", "label": "PLACE", "name": "Kyiv", "aliases": ["Kiev"]},
    {"id": "P-zelensky", "label": "PERSON", "name": "Volodymyr Zelensky",
     "aliases": ["Zelensky", "Zelenskyy", "Zelenskiy"]},
    {"id": "P-putin", "label": "PERSON", "name": "Vladimir Putin", "aliases": ["Putin"]},
    {"id": "O-un", "label": "ORG", "name": "United Nations", "aliases": ["UN"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def gaz() -> newsprep.Gazetteer:
    return newsprep.Gazetteer.from_records(RECORDS)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [(DEV / f"{i}.noisy.txt").read_text(encoding="utf-8") for i in dev_ids()[:60]]


def table_rows(table: pa.Table) -> list[dict]:
    """Rows with dictionary columns decoded, for comparisons."""
    return corpus_mod._decoded(table).to_pylist()


# ------------------------------------------------------------------------------ sources


def test_list_source(texts, gaz):
    r = newsprep.process(texts[:5], gazetteer=gaz, progress=False)
    assert r.documents.column("doc_id").to_pylist() == ["0", "1", "2", "3", "4"]
    assert r.documents.column("source").to_pylist() == ["list"] * 5
    assert isinstance(r, newsprep.Result)
    assert len(r) == 5


@pytest.mark.parametrize("threads", [1, 2])
def test_generator_source_equals_the_list(texts, gaz, threads):
    """Any iterable of str is a source, read as the run goes: same rows as the list (over
    several batches), only the `source` column names the kind of iterable."""
    corpus = texts * 3
    want = newsprep.process(corpus, gazetteer=gaz, progress=False, threads=threads, batch_size=37)
    got = newsprep.process(
        (t for t in corpus), gazetteer=gaz, progress=False, threads=threads, batch_size=37
    )
    assert got.summary["batches"] == want.summary["batches"] == -(-len(corpus) // 37)
    assert got.documents.drop_columns(["source"]).equals(want.documents.drop_columns(["source"]))
    assert set(got.documents.column("source").to_pylist()) == {"generator"}
    assert got.mentions.equals(want.mentions)


def test_an_iterable_source_is_read_only_a_batch_ahead():
    """The run holds the batch in work and the one read ahead, never the whole source: a
    generator larger than memory works."""
    pulled = 0

    def docs():
        nonlocal pulled
        for i in range(20_000):
            pulled += 1
            yield f"Document {i} about Kharkiv."

    run = _core.CorpusRun("texts", texts=docs(), name="gen", batch_size=1000)
    documents, _ = run.next_batch()
    assert documents.num_rows == 1000
    # This batch and the next (read while this one was processed), give or take the
    # conversion chunk of 256 texts.
    assert 2000 <= pulled <= 2000 + 256
    while run.next_batch() is not None:
        pass
    assert pulled == 20_000
    assert run.summary()["documents"] == 20_000


@pytest.mark.parametrize("with_out", [False, True])
def test_an_exception_from_the_source_is_raised_as_is(tmp_path, with_out):
    class SourceBroke(Exception):
        pass

    def docs():
        for i in range(5000):
            if i == 2500:
                raise SourceBroke(f"lost the connection at {i}")
            yield f"Document {i}."

    out = tmp_path / "out" if with_out else None
    with pytest.raises(SourceBroke, match="lost the connection at 2500"):
        newsprep.process(docs(), progress=False, batch_size=1000, out=out)
    if with_out:
        # Batches finished before the failure stay; the run is not marked complete.
        assert not (out / "newsprep.json").exists()
        assert not list(out.rglob(".*tmp*"))


def test_a_texts_run_takes_no_ids():
    with pytest.raises(newsprep.InputError, match="takes no `ids`"):
        _core.CorpusRun("texts", texts=["a", "b"], ids=["x", "y"])


def test_a_non_str_item_from_a_generator_is_a_type_error():
    def docs():
        yield "fine"
        yield b"bytes are not text"

    with pytest.raises(TypeError, match="expected str items, got bytes"):
        newsprep.process(docs(), progress=False)
    with pytest.raises(TypeError, match=r"source\[1\] is int, not str"):
        newsprep.process(["fine", 5], progress=False)


def test_folder_glob_and_single_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "two.txt").write_text("Two.", encoding="utf-8")
    (tmp_path / "skip.md").write_text("not text", encoding="utf-8")
    r = newsprep.process(tmp_path, progress=False, clean=False)
    assert r.documents.column("doc_id").to_pylist() == ["a/one", "two"]
    assert r.documents.column("text").to_pylist() == ["One.", "Two."]
    r = newsprep.process(str(tmp_path / "**" / "*.txt"), progress=False)
    assert r.documents.column("doc_id").to_pylist() == ["a/one", "two"]
    r = newsprep.process(str(tmp_path / "two.txt"), progress=False)
    assert r.documents.column("doc_id").to_pylist() == ["two"]
    with pytest.raises(newsprep.InputError):
        newsprep.process(str(tmp_path / "*.nothing"), progress=False)
    with pytest.raises(FileNotFoundError):
        newsprep.process(tmp_path / "missing.jsonl", progress=False)
    with pytest.raises(newsprep.InputError):
        newsprep.process(tmp_path / "skip.md", progress=False)


def test_jsonl_source_with_error_rows(tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "body": "Kharkiv."}),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": 3, "body": None}),
        json.dumps({"body": "no id"}),
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "c", "body": "x\xffy"}\n')
    r = newsprep.process(path, text_column="body", progress=False, clean=False)
    rows = r.documents.to_pylist()
    assert [d["doc_id"] for d in rows] == ["a", "2", "b", "3", "5", "c"]
    errors = [d["error"] for d in rows]
    assert errors[0] is None and errors[4] is None and errors[5] is None
    assert errors[1].startswith("invalid JSON")
    assert "no field" in errors[2]
    assert "not a string" in errors[3]
    assert rows[1]["source"] == f"{path}:2"
    assert rows[5]["text"] == "x\ufffdy"
    assert rows[5]["invalid_utf8"] == 1
    assert r.summary["errors"] == 3


def test_gzipped_jsonl(tmp_path):
    import gzip

    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for i in range(3):
            f.write(json.dumps({"id": f"g{i}", "text": f"text {i}"}) + "\n")
    r = newsprep.process(path, clean=False, progress=False)
    assert r.documents.column("doc_id").to_pylist() == ["g0", "g1", "g2"]


def test_truncated_gzipped_jsonl_raises_after_its_complete_lines(tmp_path):
    """A .jsonl.gz cut short: every complete line before the cut is processed (and written
    to `out`), then the read error is raised as an OSError naming the file."""
    import gzip

    lines = [json.dumps({"id": f"g{i}", "text": f"text {i} " * 20}) + "\n" for i in range(3000)]
    packed = gzip.compress("".join(lines).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    with pytest.raises(OSError, match="cut.jsonl.gz"):
        newsprep.process(path, clean=False, progress=False, batch_size=500, out=tmp_path / "o")
    decoder = zlib.decompressobj(wbits=31)
    complete = decoder.decompress(packed[: len(packed) * 2 // 3]).count(b"\n")
    assert complete >= 1000
    written = pq.read_table(tmp_path / "o" / "documents").column("doc_id").to_pylist()
    assert written == [f"g{i}" for i in range(complete)]
    assert not (tmp_path / "o" / "newsprep.json").exists(), "an interrupted run is not complete"


def test_invalid_utf8_in_files_is_counted(tmp_path):
    raw = b"Caf\xe9 in Kharkiv \xff\xfe."
    (tmp_path / "bad.txt").write_bytes(raw)
    r = newsprep.process(tmp_path, clean=False, progress=False)
    row = r.documents.to_pylist()[0]
    expected = raw.decode("utf-8", errors="replace")
    assert row["text"] == expected
    assert row["invalid_utf8"] == expected.count("\ufffd") == 3
    assert row["chars_in"] == len(expected)


def test_missing_file_is_an_error_row():
    run = _core.CorpusRun("files", paths=["/nonexistent/x.txt"], ids=["x"])
    docs, _ = run.next_batch()
    row = docs.to_pylist()[0]
    assert row["doc_id"] == "x" and row["text"] == ""
    assert "cannot read file" in row["error"]
    assert run.next_batch() is None


def test_parquet_and_dataframe_sources(tmp_path, texts):
    ids = [f"doc-{i}" for i in range(10)]
    table = pa.table({"id": ids, "text": texts[:10], "other": list(range(10))})
    pq.write_table(table, tmp_path / "in.parquet")
    expected = newsprep.process(texts[:10], progress=False).documents
    want = expected.column("text").to_pylist()

    r = newsprep.process(tmp_path / "in.parquet", progress=False)
    assert r.documents.column("doc_id").to_pylist() == ids
    assert r.documents.column("text").to_pylist() == want

    r = newsprep.process(table, progress=False)
    assert r.documents.column("doc_id").to_pylist() == ids
    assert r.documents.column("text").to_pylist() == want

    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"story": texts[:10], "n": range(10)})
    r = newsprep.process(df, text_column="story", progress=False)
    assert r.documents.column("doc_id").to_pylist() == [str(i) for i in range(10)]
    assert r.documents.column("text").to_pylist() == want

    pl = pytest.importorskip("polars")
    r = newsprep.process(pl.DataFrame({"id": list(range(10)), "text": texts[:10]}), progress=False)
    assert r.documents.column("doc_id").to_pylist() == [str(i) for i in range(10)]
    assert r.documents.column("text").to_pylist() == want

    with pytest.raises(newsprep.InputError, match="no text column"):
        newsprep.process(tmp_path / "in.parquet", text_column="body", progress=False)
    with pytest.raises(newsprep.InputError, match="no text column"):
        newsprep.process(df, progress=False)


def test_misaligned_arrow_buffers_are_copied_not_a_crash():
    # Buffers that come through pickle (Dask) can sit at odd addresses.
    raw = pa.py_buffer(b"\x00" + pa.array([0, 5, 11], pa.int32()).buffers()[1].to_pybytes())
    text = pa.Array.from_buffers(pa.string(), 2, [None, raw.slice(1), pa.py_buffer(b"Kyiv.Izium.")])
    assert text.buffers()[1].address % 8
    r = newsprep.process(pa.table({"text": text}), clean=False, progress=False)
    assert r.documents.column("text").to_pylist() == ["Kyiv.", "Izium."]


def test_bad_arguments():
    with pytest.raises(TypeError):
        newsprep.process(["ok", 3], progress=False)
    with pytest.raises(TypeError):
        newsprep.process(42, progress=False)
    with pytest.raises(newsprep.InputError):
        newsprep.process(["x"], format="csv", out="nowhere", progress=False)
    with pytest.raises(newsprep.InputError):
        newsprep.process(["x"], batch_size=0, progress=False)
    with pytest.raises(newsprep.InputError):
        newsprep.process(["x"], threads=0, progress=False)


def test_wrong_file_format_is_a_typed_error(tmp_path):
    bad = tmp_path / "x.parquet"
    bad.write_text("this is not parquet")
    with pytest.raises(newsprep.NewsprepError):
        newsprep.process(bad, progress=False)


# ------------------------------------------------------------------------- semantics


def test_equals_a_per_document_clean_and_tag_loop(texts, gaz):
    r = newsprep.process(texts, gazetteer=gaz, progress=False)
    docs = r.documents.to_pylist()
    articles = [newsprep.clean(t) for t in texts]
    assert [d["text"] for d in docs] == [a.text for a in articles]
    assert [d["title"] for d in docs] == [a.title for a in articles]
    assert [d["date"] for d in docs] == [a.date for a in articles]
    assert [d["byline"] for d in docs] == [a.byline for a in articles]
    assert [d["chars_in"] for d in docs] == [len(t) for t in texts]
    assert [d["chars_out"] for d in docs] == [len(a.text) for a in articles]
    expected = [
        (str(i), m.start, m.end, m.text, m.entity_id, m.label, m.name)
        for i, a in enumerate(articles)
        for m in gaz.tag(a.text)
    ]
    got = [
        (m["doc_id"], m["start"], m["end"], m["text"], m["entity_id"], m["label"], m["name"])
        for m in table_rows(r.mentions)
    ]
    assert got == expected
    for m in got:  # offsets are Python str offsets into the cleaned text
        assert docs[int(m[0])]["text"][m[1] : m[2]] == m[3]


def test_no_clean_tags_the_text_as_read(gaz):
    text = "Menu | Home\nKharkiv and Izium."
    r = newsprep.process([text], gazetteer=gaz, clean=False, progress=False)
    assert r.documents.column("text").to_pylist() == [text]
    assert [m["text"] for m in table_rows(r.mentions)] == [m.text for m in gaz.tag(text)]


@pytest.mark.parametrize("batch_size,threads", [(1, 2), (7, 1), (25, None)])
def test_batch_split_invariance(texts, gaz, batch_size, threads):
    reference = newsprep.process(texts, gazetteer=gaz, progress=False, batch_size=10_000)
    r = newsprep.process(
        texts, gazetteer=gaz, progress=False, batch_size=batch_size, threads=threads
    )
    assert table_rows(r.documents) == table_rows(reference.documents)
    assert table_rows(r.mentions) == table_rows(reference.mentions)
    assert r.summary["batches"] == -(-len(texts) // batch_size)


# ---------------------------------------------------------------------------- output


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_out_dir_is_written_atomically_and_read_lazily(tmp_path, texts, gaz, fmt):
    in_memory = newsprep.process(texts, gazetteer=gaz, progress=False)
    out = tmp_path / "out"
    r = newsprep.process(texts, gazetteer=gaz, progress=False, out=out, batch_size=25, format=fmt)
    assert r._documents is None  # nothing read yet
    names = files_under(out)
    assert names == [
        f"{t}/part-0000{i}.{fmt}" for t in ("documents", "mentions") for i in range(3)
    ] + ["newsprep.json"]
    manifest = json.loads((out / "newsprep.json").read_text())
    assert manifest["documents"] == len(texts) and manifest["parts"] == 3
    assert table_rows(r.documents) == table_rows(in_memory.documents)
    assert table_rows(r.mentions) == table_rows(in_memory.mentions)
    # The same directory again needs overwrite=True.
    with pytest.raises(newsprep.InputError, match="earlier run"):
        newsprep.process(texts[:3], progress=False, out=out, format=fmt)
    newsprep.process(texts[:3], progress=False, out=out, format=fmt, overwrite=True)
    assert len(list((out / "documents").iterdir())) == 1


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_to_parquet_and_to_jsonl_round_trip(tmp_path, texts, gaz, fmt):
    r = newsprep.process(texts[:20], gazetteer=gaz, progress=False)
    target = tmp_path / fmt
    getattr(r, f"to_{fmt}")(target)
    back = corpus_mod.Result(out=target, format=fmt)
    assert table_rows(back.documents) == table_rows(r.documents)
    assert table_rows(back.mentions) == table_rows(r.mentions)
    assert not [n for n in files_under(target) if n.endswith(".tmp")]


@pytest.mark.parametrize(
    ("compression", "codec"),
    [
        (None, "SNAPPY"),
        ("snappy", "SNAPPY"),
        ("lz4", "LZ4"),  # Parquet's LZ4_RAW, which pyarrow calls LZ4
        ("zstd", "ZSTD"),
        ("none", "UNCOMPRESSED"),
    ],
)
def test_parquet_compression_is_chosen_and_read_back(tmp_path, texts, gaz, compression, codec):
    import pyarrow.parquet as pq

    in_memory = newsprep.process(texts, gazetteer=gaz, progress=False)
    out = tmp_path / "out"
    r = newsprep.process(
        texts, gazetteer=gaz, progress=False, out=out, batch_size=25, compression=compression
    )
    for table in ("documents", "mentions"):
        meta = pq.ParquetFile(out / table / "part-00000.parquet").metadata
        codecs = {meta.row_group(0).column(i).compression for i in range(meta.num_columns)}
        assert codecs == {codec}
    manifest = json.loads((out / "newsprep.json").read_text())
    assert manifest["compression"] == (compression or "snappy")
    assert table_rows(r.documents) == table_rows(in_memory.documents)
    assert table_rows(r.mentions) == table_rows(in_memory.mentions)
    # Result.to_parquet takes the same choice.
    again = in_memory.to_parquet(tmp_path / "again", compression=compression)
    meta = pq.ParquetFile(again / "documents" / "part-00000.parquet").metadata
    assert meta.row_group(0).column(0).compression == codec
    assert table_rows(corpus_mod.Result(out=again).documents) == table_rows(in_memory.documents)


def test_bad_compression_is_an_input_error(tmp_path, texts):
    with pytest.raises(newsprep.InputError, match="unknown compression"):
        newsprep.process(texts[:2], progress=False, out=tmp_path / "a", compression="gzip")
    with pytest.raises(newsprep.InputError, match="Parquet output"):
        newsprep.process(
            texts[:2], progress=False, out=tmp_path / "b", format="jsonl", compression="zstd"
        )
    r = newsprep.process(texts[:2], progress=False)
    with pytest.raises(newsprep.InputError, match="unknown compression"):
        r.to_parquet(tmp_path / "c", compression="brotli")
    assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()


def test_written_documents_can_be_processed_again(tmp_path, texts):
    out = tmp_path / "out"
    first = newsprep.process(texts[:10], progress=False, out=out)
    again = newsprep.process(
        out / "documents" / "part-00000.parquet", id_column="doc_id", clean=False,
        progress=False,
    )  # fmt: skip
    assert (
        again.documents.column("doc_id").to_pylist() == first.documents.column("doc_id").to_pylist()
    )
    assert again.documents.column("text").to_pylist() == first.documents.column("text").to_pylist()


# ---------------------------------------------------------------------------- Ctrl-C


class _InterruptingBar:
    """A stand-in progress bar whose first update delivers Ctrl-C (a real SIGINT), which
    arrives while the run is in progress."""

    def __init__(self) -> None:
        self.n = 0
        self.sent_at: float | None = None

    def update(self, k: int) -> None:
        self.n += k
        if self.sent_at is None:
            self.sent_at = time.monotonic()
            signal.raise_signal(signal.SIGINT)

    def close(self) -> None:
        pass


def test_ctrl_c_stops_the_run_and_leaves_no_partial_files(tmp_path, texts, monkeypatch, request):
    bar = _InterruptingBar()
    monkeypatch.setattr(corpus_mod, "_progress_bar", lambda *a: bar)
    # A process started in the background by a non-interactive shell (as CI may be) inherits
    # SIGINT ignored; Python's own handler is what turns Ctrl-C into KeyboardInterrupt.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        newsprep.process(texts * 50, out=out, batch_size=100, threads=1)
    assert bar.sent_at is not None
    assert time.monotonic() - bar.sent_at < 1.0
    names = files_under(out)
    assert not [n for n in names if n.endswith(".tmp")]
    assert "newsprep.json" not in names  # the run did not finish
    docs = sorted(n for n in names if n.startswith("documents/"))
    mentions = sorted(n for n in names if n.startswith("mentions/"))
    assert len(docs) == len(mentions) < 30
    for name in docs:  # every part left is complete
        pq.read_table(out / name)


def test_ctrl_c_stops_a_slow_generator_source_at_once(monkeypatch, request):
    """The run reads a generator as it goes, on its own thread: Ctrl-C must not wait for
    the generator to fill a batch (here 2000 documents at 5 ms each)."""
    bar = _InterruptingBar()
    monkeypatch.setattr(corpus_mod, "_progress_bar", lambda *a: bar)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    pulled = 0

    def slow_feed():
        nonlocal pulled
        for i in range(100_000):
            time.sleep(0.005)
            pulled += 1
            yield f"Document {i} from a slow feed."

    with pytest.raises(KeyboardInterrupt):
        newsprep.process(slow_feed(), batch_size=2000, threads=1)
    assert bar.sent_at is not None
    assert time.monotonic() - bar.sent_at < 1.0
    assert pulled < 400


def test_cancel_hook_stops_within_a_batch():
    run = _core.CorpusRun("texts", texts=["x"] * 200_000, batch_size=200_000, threads=1)
    run.cancel()
    with pytest.raises(KeyboardInterrupt):
        run.next_batch()
    assert run.next_batch() is None


# --------------------------------------------------------------------------- analysis


def hand_made_result() -> newsprep.Result:
    schemas = _core.corpus_schemas()
    text1 = "Kharkiv & Izium <b>: Kharkiv again."
    text2 = "Izium, then Kyiv."
    docs = pa.Table.from_pylist(
        [
            {"doc_id": "d1", "source": "s", "title": "T <1>", "date": "2022-09", "byline": None,
             "text": text1, "chars_in": 40, "chars_out": len(text1), "invalid_utf8": 0,
             "error": None},
            {"doc_id": "d2", "source": "s", "title": None, "date": None, "byline": None,
             "text": text2, "chars_in": 20, "chars_out": len(text2), "invalid_utf8": 0,
             "error": None},
        ],
        schema=schemas[0],
    )  # fmt: skip

    def m(doc, text, surface, nth, eid, label, name):
        start = text.find(surface) if nth == 0 else text.rfind(surface)
        return {"doc_id": doc, "start": start, "end": start + len(surface), "text": surface,
                "entity_id": eid, "label": label, "name": name, "candidates": None}  # fmt: skip

    mentions = pa.Table.from_pylist(
        [
            m("d1", text1, "Kharkiv", 0, "L-kharkiv", "PLACE", "Kharkiv"),
            m("d1", text1, "Izium", 0, "L-izium", "PLACE", "Izium"),
            m("d1", text1, "Kharkiv", 1, "L-kharkiv", "PLACE", "Kharkiv"),
            m("d2", text2, "Izium", 0, "L-izium", "PLACE", "Izium"),
            m("d2", text2, "Kyiv", 0, "L-kyiv", "PLACE", "Kyiv"),
        ],
        schema=schemas[1],
    )
    return newsprep.Result(docs, mentions)


def test_entity_counts():
    counts = hand_made_result().entity_counts().to_pylist()
    assert counts == [
        {"entity_id": "L-izium", "label": "PLACE", "name": "Izium", "documents": 2, "mentions": 2},
        {"entity_id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "documents": 1,
         "mentions": 2},
        {"entity_id": "L-kyiv", "label": "PLACE", "name": "Kyiv", "documents": 1, "mentions": 1},
    ]  # fmt: skip


def test_cooccurrence():
    pairs = hand_made_result().cooccurrence().to_pylist()
    assert [(p["entity_a"], p["entity_b"], p["documents"]) for p in pairs] == [
        ("L-izium", "L-kharkiv", 1),
        ("L-izium", "L-kyiv", 1),
    ]
    assert hand_made_result().cooccurrence(min_documents=2).num_rows == 0


def test_show_highlights_and_escapes():
    r = hand_made_result()
    page = r.show("d1")
    assert page._repr_html_() == str(page)
    assert page.count("<mark") == 3
    assert "&lt;b&gt;" in page and "<b>:" not in page
    assert "Kharkiv &amp; " in page or "&amp;" in page
    assert "T &lt;1&gt;" in page
    assert "PLACE" in page
    with pytest.raises(KeyError):
        r.show("nope")
    # Overlapping and out-of-range spans are skipped, never a crash.
    html = render_entities("abc", [{"start": 0, "end": 2, "label": "X"},
                                   {"start": 1, "end": 3, "label": "Y"},
                                   {"start": 2, "end": 9, "label": "Z"}])  # fmt: skip
    assert html.count("<mark") == 1


def test_repr_html_and_conversions():
    r = hand_made_result()
    summary = r._repr_html_()
    assert "2 documents" in summary and "5 mentions" in summary and "Izium" in summary
    assert "Result(documents=2" in repr(r)
    docs, mentions = r.to_arrow()
    assert docs.num_rows == 2 and mentions.num_rows == 5
    pytest.importorskip("pandas")
    docs_df, mentions_df = r.to_pandas()
    assert list(mentions_df["entity_id"].astype(str))[:2] == ["L-kharkiv", "L-izium"]
    pytest.importorskip("polars")
    docs_pl, mentions_pl = r.to_polars()
    assert docs_pl.height == 2 and mentions_pl.height == 5


def test_process_result_analysis_runs_on_real_output(texts, gaz):
    r = newsprep.process(texts, gazetteer=gaz, progress=False)
    counts = r.entity_counts()
    assert counts.column_names == ["entity_id", "label", "name", "documents", "mentions"]
    assert sum(counts.column("mentions").to_pylist()) == r.mentions.num_rows
    r.cooccurrence()
    html = r.show("0")
    assert html.startswith("<div")
    assert "newsprep Result" in r._repr_html_()


# ------------------------------------------------------------------------------- CLI


def test_cli_run(tmp_path, capsys):
    gaz_path = tmp_path / "gaz.jsonl"
    gaz_path.write_text("\n".join(json.dumps(r) for r in RECORDS), encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    for i in dev_ids()[:8]:
        (src / f"{i}.txt").write_bytes((DEV / f"{i}.noisy.txt").read_bytes())
    out = tmp_path / "out"
    code = cli_main(["run", str(src), "--out", str(out), "--gazetteer", str(gaz_path), "-q"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "documents: 8 (0 with errors)" in printed
    assert "dropped" in printed
    assert (out / "documents" / "part-00000.parquet").exists()
    code = cli_main(["run", str(src), "--out", str(out), "-q", "--format", "jsonl"])
    assert code == 2  # an earlier run's output is there
    code = cli_main(["run", str(src), "--out", str(out), "-q", "--format", "jsonl", "--overwrite"])
    assert code == 0
    assert (out / "documents" / "part-00000.jsonl").exists()


# ------------------------------------------------------------------------------ Dask


def test_dask_recipe_matches_a_single_process_run(texts, gaz):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")

    def run_partition(partition, gazetteer, table):
        result = newsprep.process(partition, gazetteer=gazetteer, threads=1, progress=False)
        return getattr(result.to_pandas(categorical=False), table)

    df = pd.DataFrame({"id": [f"d{i}" for i in range(len(texts))], "text": texts})
    single = newsprep.process(df, gazetteer=gaz, progress=False).to_pandas(categorical=False)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        gaz_future = client.scatter(gaz, broadcast=True)
        ddf = dd.from_pandas(df, npartitions=4)
        got = {}
        for table in ("documents", "mentions"):
            meta = run_partition(df.iloc[:0], gaz, table)
            got[table] = (
                ddf.map_partitions(run_partition, gaz_future, table, meta=meta)
                .compute()
                .reset_index(drop=True)
            )
    for table in ("documents", "mentions"):
        want = getattr(single, table)
        have = got[table].sort_values(["doc_id"] + (["start"] if table == "mentions" else []))
        want = want.sort_values(["doc_id"] + (["start"] if table == "mentions" else []))
        pd.testing.assert_frame_equal(
            have.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
        )
