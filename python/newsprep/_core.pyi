"""Stubs for the compiled module ``newsprep._core`` (src/python.rs).

Kept in sync by tests/test_stubs.py (mypy.stubtest against the built module).
"""

from collections.abc import Iterable
from os import PathLike
from typing import Any, final

__all__ = [
    "Article",
    "CorpusRun",
    "Gazetteer",
    "GazetteerError",
    "InputError",
    "Mention",
    "NewsprepError",
    "__version__",
    "clean",
    "clean_many",
    "corpus_schemas",
    "strip_icons",
    "write_parts",
    "_debug_panic",
]

__version__: str

class NewsprepError(ValueError):
    """Base class of newsprep's errors about bad input (a ValueError)."""

class GazetteerError(NewsprepError):
    """A gazetteer file or record is malformed; ``origin``, ``line`` and ``field`` say where."""

    origin: str
    line: int
    field: str | None
    reason: str

class InputError(NewsprepError):
    """An argument or input document is unusable."""

@final
class Article:
    """A cleaned article: the body, the metadata found, and what was dropped and why."""

    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def byline(self) -> str | None: ...
    @property
    def dropped(self) -> list[tuple[str, str]]: ...
    def __new__(
        cls,
        text: str,
        title: str | None = None,
        date: str | None = None,
        byline: str | None = None,
        dropped: list[tuple[str, str]] = ...,
    ) -> Article: ...
    def to_dict(self) -> dict[str, object]: ...
    def _repr_html_(self) -> str: ...

@final
class Mention:
    """One entity mention: ``text[start:end]`` is the surface."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def candidates(self) -> list[str]: ...
    def __new__(
        cls,
        start: int,
        end: int,
        text: str,
        entity_id: str,
        label: str,
        name: str,
        candidates: list[str] = ...,
    ) -> Mention: ...
    def to_dict(self) -> dict[str, object]: ...

@final
class Gazetteer:
    """The compiled gazetteer (wrapped by ``newsprep.Gazetteer``)."""

    @staticmethod
    def from_jsonl_str(
        text: str, origin: str, case_sensitive: bool = False, fold_diacritics: bool = False
    ) -> Gazetteer: ...
    @staticmethod
    def from_jsonl(
        path: str | PathLike[str], case_sensitive: bool = False, fold_diacritics: bool = False
    ) -> Gazetteer: ...
    @staticmethod
    def default_world() -> Gazetteer: ...
    @staticmethod
    def from_bytes(data: bytes) -> Gazetteer: ...
    def to_bytes(self) -> bytes: ...
    def tag(self, text: str, overlapping: bool = False) -> list[Mention]: ...
    def tag_many(
        self, texts: Iterable[str], threads: int | None = None, overlapping: bool = False
    ) -> list[list[Mention]]: ...
    def entities(self) -> list[tuple[str, str, str]]: ...
    @property
    def alias_count(self) -> int: ...
    @property
    def case_sensitive(self) -> bool: ...
    @property
    def fold_diacritics(self) -> bool: ...
    def __len__(self) -> int: ...

def clean(text: str) -> Article:
    """Cleans one scraped page into an Article."""

def clean_many(texts: Iterable[str], threads: int | None = None) -> list[Article]:
    """Cleans many pages in parallel, in input order. The GIL is held only to convert the
    input, chunk by chunk, while the pool cleans the chunks before."""

def strip_icons(text: str) -> str:
    """Removes icon-font label noise ("icon bookmarkicon cameraicon ...")."""

# ----------------------------------------------------------------------- corpus pipeline

@final
class CorpusRun:
    """One streaming corpus run (wrapped by ``newsprep.process``)."""

    def __new__(
        cls,
        kind: str,
        *,
        paths: list[str | PathLike[str]] | None = None,
        ids: list[str] | None = None,
        texts: Iterable[str] | None = None,
        path: str | PathLike[str] | None = None,
        stream: Any = None,
        name: str = "",
        text_column: str = "text",
        id_column: str | None = None,
        gazetteer: Gazetteer | None = None,
        clean: bool = True,
        threads: int | None = None,
        batch_size: int = 2000,
        batch_bytes: int = 16777216,
        out: str | PathLike[str] | None = None,
        format: str = "parquet",
        compression: str | None = None,
        overwrite: bool = False,
    ) -> CorpusRun: ...
    def next_batch(self) -> tuple[Any, Any] | None:
        """The next (documents, mentions) pyarrow RecordBatches, None at the end; raises
        KeyboardInterrupt once cancelled."""
    def cancel(self) -> None:
        """Stops the run (callable from any thread)."""
    def progress(self) -> tuple[int, int]:
        """(documents, bytes) processed so far."""
    def summary(self) -> dict[str, int]:
        """batches, documents, mentions, errors, bytes of the finished batches."""

def write_parts(
    dir: str | PathLike[str],
    pairs: list[tuple[Any, Any]],
    format: str = "parquet",
    compression: str | None = None,
    overwrite: bool = False,
) -> None:
    """Writes (documents, mentions) record-batch pairs as numbered part files, atomically."""

def corpus_schemas() -> tuple[Any, Any]:
    """The pyarrow schemas of the documents and mentions tables."""

def _debug_panic(message: str, in_worker: bool = False) -> None:
    """Hidden test hook: panics in Rust (on the caller, or in a rayon worker) so the tests can
    check that a panic reaches Python as an exception carrying its message."""
