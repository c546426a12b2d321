"""Whole corpora in, Arrow tables out: :func:`process` and its :class:`Result`.

The work runs in Rust (``newsprep._core.CorpusRun``): documents are read, cleaned and tagged
batch by batch on all cores with the GIL released, and each batch comes back as two pyarrow
RecordBatches (``documents`` and ``mentions``), with no Python object per document or
mention. With ``out=DIR`` the batches go straight to Parquet (or JSONL) part files and
memory stays bounded whatever the corpus size.

>>> import newsprep
>>> result = newsprep.process(["Kharkiv under fire.", "Nothing here."], progress=False)
>>> result.documents.num_rows
2
"""

from __future__ import annotations

import concurrent.futures
import glob
import operator
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from newsprep import _core
from newsprep.exceptions import InputError

# pyarrow is imported where it is used: it pulls in numpy, whose OpenBLAS threads start and
# spin for a moment, and `import newsprep` for clean() or tag() alone should cost neither.
if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from newsprep.display import Html
    from newsprep.gazetteer import Gazetteer

__all__ = ["Result", "Tables", "process"]

#: How often (seconds) the waiting Python thread wakes to update the progress bar and to let
#: Ctrl-C through while a batch runs in Rust.
_POLL_SECONDS = 0.1

_GLOB_CHARS = set("*?[")

#: The progress bar appears once a run has lasted this long (seconds).
_BAR_DELAY_SECONDS = 0.5


class Tables(NamedTuple):
    """The two tables of a result, in whatever form asked for (pyarrow, pandas, polars)."""

    documents: Any
    mentions: Any


def _schemas() -> tuple[pa.Schema, pa.Schema]:
    return _core.corpus_schemas()


# ----------------------------------------------------------------------------- sources


def _txt_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


def _file_ids(paths: list[Path], root: Path) -> list[str]:
    """Document ids for files: the path below `root`, without the .txt suffix."""
    ids = []
    for p in paths:
        try:
            rel = p.relative_to(root)
        except ValueError:
            rel = p
        s = rel.as_posix()
        ids.append(s[:-4] if s.endswith(".txt") else s)
    return ids


def _glob_root(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _source_kwargs(source: Any, text_column: str, id_column: str | None) -> dict[str, Any]:
    """The keyword arguments of ``_core.CorpusRun`` that describe `source`, plus 'total'
    (documents, when known) and 'total_bytes' (for JSONL)."""
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        path = Path(text)
        if path.is_dir():
            paths = _txt_files(path)
            if not paths:
                raise InputError(f"{text}: no .txt files in this folder")
            return {
                "kind": "files",
                "paths": [str(p) for p in paths],
                "ids": _file_ids(paths, path),
                "total": len(paths),
            }
        if _GLOB_CHARS & set(text) and not path.exists():
            paths = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not paths:
                raise InputError(f"{text}: the pattern matches no files")
            return {
                "kind": "files",
                "paths": [str(p) for p in paths],
                "ids": _file_ids(paths, _glob_root(text)),
                "total": len(paths),
            }
        name = path.name.lower()
        if name.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
            if not path.is_file():
                raise FileNotFoundError(f"{text}: no such file")
            gzipped = name.endswith(".gz")  # progress counts uncompressed bytes
            return {
                "kind": "jsonl",
                "path": text,
                "text_column": text_column,
                "id_column": id_column,
                "total_bytes": None if gzipped else path.stat().st_size,
            }
        if name.endswith((".parquet", ".pq")):
            if not path.is_file():
                raise FileNotFoundError(f"{text}: no such file")
            total = None
            try:
                import pyarrow.parquet as pq

                total = pq.ParquetFile(text).metadata.num_rows
            except Exception:  # the Rust reader reports what is wrong with the file
                total = None
            return {
                "kind": "parquet",
                "path": text,
                "text_column": text_column,
                "id_column": id_column,
                "total": total,
            }
        if name.endswith(".txt"):
            if not path.is_file():
                raise FileNotFoundError(f"{text}: no such file")
            return {
                "kind": "files",
                "paths": [text],
                "ids": [path.name[:-4]],
                "total": 1,
            }
        if not path.exists():
            raise FileNotFoundError(f"{text}: no such file or folder")
        raise InputError(
            f"{text}: cannot tell what this is: give a folder or glob of .txt files, "
            "a .jsonl or a .parquet file"
        )
    table = _as_arrow(source, text_column, id_column)
    if table is not None:
        table = _aligned(table)
        if id_column not in table.column_names:
            id_column = None
        return {
            "kind": "arrow",
            "stream": table,
            "name": type(source).__name__,
            "text_column": text_column,
            "id_column": id_column,
            "total": table.num_rows,
        }
    if isinstance(source, (bytes, bytearray)):
        raise TypeError("source: give str texts, not bytes (decode them first)")
    if isinstance(source, (list, tuple)):
        for i, t in enumerate(source):
            if not isinstance(t, str):
                raise TypeError(f"source[{i}] is {type(t).__name__}, not str")
        # Converted batch by batch as the run goes, like any iterable below: a list is not
        # copied whole into the run.
        return {"kind": "texts", "texts": source, "name": "list", "total": len(source)}
    if isinstance(source, Iterable):
        # A generator (or any iterable of str) is read as the run goes: only the batches in
        # flight are in memory, so it can be larger than RAM. An item that is not a str, or
        # an exception from the iterable, stops the run there and is raised as it is.
        hint = operator.length_hint(source, 0)
        return {
            "kind": "texts",
            "texts": source,
            "name": type(source).__name__,
            "total": hint or None,
        }
    raise TypeError(
        f"source: expected a folder, glob, .jsonl or .parquet path, a list of str or a "
        f"DataFrame, got {type(source).__name__}"
    )


def _as_arrow(source: Any, text_column: str, id_column: str | None) -> pa.Table | None:
    """A pyarrow Table of the text (and id) columns of a DataFrame-like `source`, or None."""
    import pyarrow as pa

    module = type(source).__module__.split(".")[0]
    if module == "pandas" and hasattr(source, "columns"):
        wanted = [c for c in (text_column, id_column) if c and c in source.columns]
        if text_column not in source.columns:
            raise InputError(
                f"the DataFrame has no text column {text_column!r} "
                f"(columns: {', '.join(map(str, source.columns))})"
            )
        return pa.Table.from_pandas(source[wanted], preserve_index=False)
    if module == "polars" and hasattr(source, "columns"):
        if text_column not in source.columns:
            raise InputError(
                f"the DataFrame has no text column {text_column!r} "
                f"(columns: {', '.join(source.columns)})"
            )
        wanted = [c for c in (text_column, id_column) if c and c in source.columns]
        return source.select(wanted).to_arrow()
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if isinstance(source, pa.Table):
        return source
    if hasattr(source, "__arrow_c_stream__"):
        return pa.table(source)
    return None


def _aligned(table: pa.Table) -> pa.Table:
    """`table` with every buffer 8-byte aligned, as the Rust side reads offsets in place.
    Buffers that came through pickle (e.g. Dask partitions of pandas' pyarrow-backed
    strings) can be misaligned; only those chunks are copied."""

    import pyarrow as pa

    def misaligned(chunk: pa.Array) -> bool:
        return any(b is not None and b.address % 8 for b in chunk.buffers())

    columns = []
    changed = False
    for column in table.columns:
        chunks = list(column.chunks)
        if any(misaligned(c) for c in chunks):
            chunks = [pa.concat_arrays([c]) if misaligned(c) else c for c in chunks]
            changed = True
        columns.append(pa.chunked_array(chunks, type=column.type))
    return pa.Table.from_arrays(columns, schema=table.schema) if changed else table


# ----------------------------------------------------------------------------- running


def _progress_bar(enabled: bool, total: int | None, total_bytes: int | None) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    # Shown only once a run has taken a moment: quick calls stay quiet.
    options: dict[str, Any] = {"desc": "newsprep", "delay": _BAR_DELAY_SECONDS}
    if total is None and total_bytes:
        options.update(total=total_bytes, unit="B", unit_scale=True)
    else:
        options.update(total=total, unit="doc")
    try:
        return tqdm(**options)
    except TypeError:  # pragma: no cover - a tqdm without `delay`
        del options["delay"]
        return tqdm(**options)


def _drive(run: Any, bar: Any, by_bytes: bool, on_batch: Any) -> None:
    """Runs `run` to the end on a worker thread, handing each (documents, mentions) pair
    to `on_batch`. The calling thread waits in short slices, so the progress bar moves
    during a batch and Ctrl-C (KeyboardInterrupt) is seen within ~0.1 s: it cancels the run,
    waits for the worker to stop, and propagates."""

    def update() -> None:
        if bar is not None:
            docs, done_bytes = run.progress()
            bar.update((done_bytes if by_bytes else docs) - bar.n)

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="newsprep") as pool:
        while True:
            future = pool.submit(run.next_batch)
            try:
                while True:
                    try:
                        pair = future.result(timeout=_POLL_SECONDS)
                        break
                    except concurrent.futures.TimeoutError:
                        update()
                update()
                if pair is None:
                    return
                on_batch(*pair)
            except BaseException:
                # Ctrl-C (or an error in the callback): stop the Rust side, which ends its
                # batch after the documents in flight and removes its temporary files.
                run.cancel()
                concurrent.futures.wait([future])
                raise


def process(
    source: Any,
    gazetteer: Gazetteer | None = None,
    clean: bool = True,
    threads: int | None = None,
    progress: bool = True,
    out: str | os.PathLike[str] | None = None,
    format: str = "parquet",
    batch_size: int = 2000,
    text_column: str = "text",
    id_column: str | None = "id",
    overwrite: bool = False,
    compression: str | None = None,
) -> Result:
    """Cleans and tags a whole corpus, streaming, on all cores.

    Args:
        source: a folder (its ``.txt`` files, recursively, sorted) or a glob of text files;
            a ``.jsonl`` (or ``.jsonl.gz``) or ``.parquet`` file with a text column (and an
            id column when present); a list of str, or any iterable of str such as a
            generator (read as the run goes: it may be larger than memory); or a
            pandas/polars DataFrame or pyarrow Table.
        gazetteer: tag its entities in each cleaned text (None: no mentions).
        clean: run :func:`newsprep.clean` on each document first (False: tag as read).
        threads: worker threads (None: all cores).
        progress: show a tqdm progress bar (notebook-aware).
        out: write each batch to Parquet/JSONL part files in this folder as it finishes
            (``out/documents/part-00000.parquet``, ``out/mentions/...``); the result then
            reads them lazily.
        format: "parquet" or "jsonl" (for `out`).
        compression: how Parquet pages are compressed: "snappy" (None: the default, which
            every Parquet reader knows), "lz4" (faster writes, the same size), "zstd" (about
            28% smaller files, writes as fast as snappy) or "none" (fastest writes, files
            about 70% larger). Only for Parquet output.
        batch_size: documents per batch (batches also close at 16 MB of text).
        text_column, id_column: the column names for JSONL, Parquet and DataFrame sources.
        overwrite: allow `out` to hold the output of an earlier run (its part files are
            removed first).

    Document ids are the file's path below the folder (without ``.txt``), the id column,
    the JSONL line number, or the position in the list. A document that cannot be read
    gets a row with ``error`` set; the run goes on. Ctrl-C stops the run within about a
    second; part files already finished stay, no partial file is left.
    """
    import pyarrow as pa

    if format not in ("parquet", "jsonl"):
        raise InputError(f'unknown format {format!r}: use "parquet" or "jsonl"')
    kwargs = _source_kwargs(source, text_column, id_column)
    total = kwargs.pop("total", None)
    total_bytes = kwargs.pop("total_bytes", None)
    inner = getattr(gazetteer, "_inner", gazetteer)
    run = _core.CorpusRun(
        **kwargs,
        gazetteer=inner,
        clean=clean,
        threads=threads,
        batch_size=batch_size,
        out=os.fspath(out) if out is not None else None,
        format=format,
        compression=compression,
        overwrite=overwrite,
    )
    documents: list[pa.RecordBatch] = []
    mentions: list[pa.RecordBatch] = []

    def keep(d: pa.RecordBatch, m: pa.RecordBatch) -> None:
        if out is None:
            documents.append(d)
            mentions.append(m)

    bar = _progress_bar(progress, total, total_bytes)
    try:
        _drive(run, bar, total is None and bool(total_bytes), keep)
    finally:
        if bar is not None:
            bar.close()
    summary = dict(run.summary())
    if out is not None:
        return Result(out=Path(out), format=format, summary=summary, gazetteer=gazetteer)
    doc_schema, mention_schema = _schemas()
    return Result(
        documents=pa.Table.from_batches(documents, schema=doc_schema),
        mentions=pa.Table.from_batches(mentions, schema=mention_schema),
        summary=summary,
        gazetteer=gazetteer,
    )


# ----------------------------------------------------------------------------- results


def _read_dir(
    out: Path,
    table: str,
    format: str,
    schema: pa.Schema,
    columns: list[str] | None = None,
    doc_id: str | None = None,
) -> pa.Table:
    """Reads `out/table/part-*` (only `columns`, only the rows of `doc_id`, when given)."""
    import pyarrow as pa

    folder = out / table
    parts = sorted(folder.glob(f"part-*.{format}"))
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    if not parts:
        return schema.empty_table()
    if format == "parquet":
        import pyarrow.parquet as pq

        filters = [("doc_id", "=", doc_id)] if doc_id is not None else None
        tables = [pq.read_table(p, columns=columns, filters=filters, schema=None) for p in parts]
        return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])
    import pyarrow.compute as pc
    import pyarrow.json as pj

    tables = []
    full = _schemas()[0] if table == "documents" else _schemas()[1]
    for p in parts:
        if p.stat().st_size == 0:
            continue
        t = pj.read_json(p, parse_options=pj.ParseOptions(explicit_schema=_plain(full)))
        if doc_id is not None:
            t = t.filter(pc.equal(t["doc_id"], doc_id))
        tables.append(t.select(schema.names).cast(schema))
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _plain(schema: pa.Schema) -> pa.Schema:
    """`schema` with dictionary columns as plain strings (what JSON holds)."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(f.name, f.type.value_type, f.nullable) if pa.types.is_dictionary(f.type) else f
            for f in schema
        ]
    )


def _decoded(table: pa.Table) -> pa.Table:
    """`table` with dictionary columns decoded to plain strings (for grouping and joins)."""
    return table.cast(_plain(table.schema))


class Result:
    """What :func:`process` made: ``documents`` and ``mentions`` as pyarrow Tables.

    ``documents``: doc_id, source, title, date, byline, text (cleaned), chars_in, chars_out
    (Python ``len`` units), invalid_utf8 (replaced byte sequences), error (why a document
    could not be read, else null). ``mentions``: doc_id, start, end (``text[start:end]`` of
    the document's cleaned text), text, entity_id, label, name, candidates (every entity
    the alias belongs to, when more than one).
    """

    def __init__(
        self,
        documents: pa.Table | None = None,
        mentions: pa.Table | None = None,
        *,
        out: Path | None = None,
        format: str = "parquet",
        summary: dict[str, int] | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self._documents = documents
        self._mentions = mentions
        self.out = out
        self.format = format
        self.summary = summary or {}
        self.gazetteer = gazetteer

    @property
    def documents(self) -> pa.Table:
        """The documents table (read from `out` on first use when the run wrote files)."""
        if self._documents is None:
            if self.out is None:  # pragma: no cover - one of the two is always set
                raise InputError("this result has no documents")
            self._documents = _read_dir(self.out, "documents", self.format, _schemas()[0])
        return self._documents

    @property
    def mentions(self) -> pa.Table:
        """The mentions table (read from `out` on first use when the run wrote files)."""
        if self._mentions is None:
            if self.out is None:  # pragma: no cover
                raise InputError("this result has no mentions")
            self._mentions = _read_dir(self.out, "mentions", self.format, _schemas()[1])
        return self._mentions

    def _table(
        self, name: str, columns: list[str] | None = None, doc_id: str | None = None
    ) -> pa.Table:
        """`name` ("documents" or "mentions"), only `columns` / the rows of `doc_id` when
        given. From files, only those are read, so a look at a large output stays cheap."""
        import pyarrow.compute as pc

        loaded = self._documents if name == "documents" else self._mentions
        if loaded is None and self.out is not None:
            schema = _schemas()[0] if name == "documents" else _schemas()[1]
            return _read_dir(self.out, name, self.format, schema, columns, doc_id)
        table = getattr(self, name)
        if doc_id is not None:
            table = table.filter(pc.equal(table["doc_id"], doc_id))
        return table.select(columns) if columns is not None else table

    def __len__(self) -> int:
        if self.summary:
            return int(self.summary.get("documents", 0))
        return self.documents.num_rows

    def __repr__(self) -> str:
        s = self._counts()
        where = f", out={str(self.out)!r}" if self.out is not None else ""
        return (
            f"Result(documents={s['documents']}, errors={s['errors']}, "
            f"mentions={s['mentions']}{where})"
        )

    def _counts(self) -> dict[str, int]:
        if self.summary:
            return {k: int(self.summary.get(k, 0)) for k in ("documents", "errors", "mentions")}
        docs = self._table("documents", ["error"])
        return {
            "documents": docs.num_rows,
            "errors": docs.num_rows - docs.column("error").null_count,
            "mentions": self._table("mentions", ["doc_id"]).num_rows,
        }

    # -- conversions

    def to_arrow(self) -> Tables:
        """(documents, mentions) as pyarrow Tables."""
        return Tables(self.documents, self.mentions)

    def to_pandas(self, categorical: bool = True) -> Tables:
        """(documents, mentions) as pandas DataFrames. entity_id, label and name are
        categorical; ``categorical=False`` gives plain str columns (easier to concatenate
        across runs, e.g. Dask partitions)."""
        docs, mentions = self.documents, self.mentions
        if not categorical:
            mentions = _decoded(mentions)
        return Tables(docs.to_pandas(), mentions.to_pandas())

    def to_polars(self) -> Tables:
        """(documents, mentions) as polars DataFrames."""
        import polars as pl

        return Tables(pl.from_arrow(self.documents), pl.from_arrow(self.mentions))

    def to_parquet(
        self,
        dir: str | os.PathLike[str],
        overwrite: bool = False,
        compression: str | None = None,
    ) -> Path:
        """Writes both tables to `dir` in the layout of ``process(out=...)``, atomically;
        `compression` as for :func:`process` (None: snappy)."""
        return self._write(dir, "parquet", overwrite, compression)

    def to_jsonl(self, dir: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Writes both tables to `dir` as JSON Lines parts, atomically."""
        return self._write(dir, "jsonl", overwrite)

    def _write(
        self,
        dir: str | os.PathLike[str],
        format: str,
        overwrite: bool,
        compression: str | None = None,
    ) -> Path:
        docs = self.documents.to_batches(max_chunksize=10_000)
        mentions = self.mentions.to_batches(max_chunksize=50_000)
        doc_schema, mention_schema = _schemas()
        n = max(len(docs), len(mentions), 1)
        docs += [_empty(doc_schema)] * (n - len(docs))
        mentions += [_empty(mention_schema)] * (n - len(mentions))
        _core.write_parts(
            os.fspath(dir), list(zip(docs, mentions)), format, compression, overwrite
        )
        return Path(dir)

    # -- analysis

    def entity_counts(self) -> pa.Table:
        """One row per entity found: entity_id, label, name, documents (how many mention
        it), mentions (how often); most mentioned first."""
        m = _decoded(self._table("mentions", ["doc_id", "entity_id", "label", "name"]))
        counts = m.group_by(["entity_id", "label", "name"]).aggregate(
            [("doc_id", "count_distinct"), ("doc_id", "count")]
        )
        counts = counts.rename_columns(["entity_id", "label", "name", "documents", "mentions"])
        return counts.sort_by([("mentions", "descending"), ("entity_id", "ascending")])

    def cooccurrence(self, min_documents: int = 1) -> pa.Table:
        """Pairs of entities mentioned in the same document: entity_a, name_a, entity_b,
        name_b (entity_a < entity_b) and documents (how many documents mention both);
        most frequent first."""
        import pyarrow.compute as pc

        m = _decoded(self._table("mentions", ["doc_id", "entity_id", "name"]))
        pairs = m.group_by(["doc_id", "entity_id", "name"]).aggregate([])
        left = pairs.rename_columns(["doc_id", "entity_a", "name_a"])
        right = pairs.rename_columns(["doc_id", "entity_b", "name_b"])
        joined = left.join(right, keys="doc_id")
        joined = joined.filter(pc.less(joined["entity_a"], joined["entity_b"]))
        out = joined.group_by(["entity_a", "name_a", "entity_b", "name_b"]).aggregate(
            [("doc_id", "count")]
        )
        out = out.rename_columns(["entity_a", "name_a", "entity_b", "name_b", "documents"])
        out = out.filter(pc.greater_equal(out["documents"], min_documents))
        return out.sort_by(
            [("documents", "descending"), ("entity_a", "ascending"), ("entity_b", "ascending")]
        )

    def document(self, doc_id: str) -> dict[str, Any]:
        """One document's row as a dict, with its mentions (list of dicts) under 'mentions'."""
        rows = self._table("documents", doc_id=doc_id).to_pylist()
        if not rows:
            raise KeyError(doc_id)
        row = rows[0]
        row["mentions"] = self._table("mentions", doc_id=doc_id).to_pylist()
        return row

    def show(self, doc_id: str) -> Html:
        """The cleaned article with its mentions highlighted by label, as HTML (shown as
        such by Jupyter; a plain str elsewhere), like displaCy."""
        from newsprep.display import render_entities

        row = self.document(doc_id)
        return render_entities(
            row["text"],
            row["mentions"],
            title=row.get("title"),
            subtitle=" · ".join(x for x in (row.get("date"), row.get("byline"), doc_id) if x),
            error=row.get("error"),
        )

    def _repr_html_(self) -> str:
        from newsprep.display import result_html

        return result_html(self)


def _empty(schema: pa.Schema) -> pa.RecordBatch:
    import pyarrow as pa

    return pa.RecordBatch.from_pylist([], schema=schema)
