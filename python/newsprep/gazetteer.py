"""The Gazetteer: entities with all their spellings, and the tagger that finds them.

The matching runs in Rust (``newsprep._core.Gazetteer``); this class owns the loaders,
argument handling, pickling and notebook display.
"""

from __future__ import annotations

import csv
import html
import json
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Union

from newsprep import _core
from newsprep._core import Mention
from newsprep.exceptions import GazetteerError

PathLike = Union[str, "os.PathLike[str]"]
Record = Mapping[str, Any]

__all__ = ["Gazetteer"]


def _record_line(record: object, origin: str, line: int) -> str:
    if not isinstance(record, Mapping):
        raise _error(origin, line, None, f"a record must be a mapping, got {type(record).__name__}")
    try:
        return json.dumps(dict(record), ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise _error(origin, line, None, f"record is not JSON-serializable: {e}") from None


def _error(origin: str, line: int, field: str | None, reason: str) -> GazetteerError:
    where = f", field {field!r}" if field else ""
    err = GazetteerError(f"{origin} line {line}{where}: {reason}")
    err.origin, err.line, err.field, err.reason = origin, line, field, reason
    return err


class Gazetteer:
    """A dictionary of entities (people, places, organisations...) and their aliases.

    Build one with a loader (:meth:`from_records`, :meth:`from_jsonl`, :meth:`from_csv`,
    :meth:`from_dataframe`, :meth:`from_spacy_patterns`) or take the embedded
    :meth:`default` (countries and cities of the world), then :meth:`tag` text.

    Matching is Unicode case-insensitive unless ``case_sensitive=True`` (gazetteer-wide) or
    an alias says ``{"text": "SBU", "case_sensitive": true}``; typographic variants
    (’ ‘ ʼ ', “ ” ", – — -) and runs of whitespace are equal; matches sit on word boundaries
    (apostrophes and hyphens are boundaries); leftmost-longest and non-overlapping unless
    ``overlapping=True``. ``fold_diacritics=True`` also equates "Zelenskýi" and "Zelenskyi".
    Offsets are Python ``str`` indices. A Gazetteer is immutable, safe to share between
    threads, and pickles compactly (its records travel; the automaton is rebuilt).

    >>> gaz = Gazetteer.from_records([{"id": "L1", "label": "PLACE", "name": "Kharkiv",
    ...                                "aliases": ["Kharkov"]}])
    >>> [(m.start, m.end, m.entity_id) for m in gaz.tag("Troops left Kharkov region.")]
    [(12, 19, 'L1')]
    """

    __slots__ = ("_inner", "_is_default")

    def __init__(self, inner: _core.Gazetteer, *, _is_default: bool = False) -> None:
        if not isinstance(inner, _core.Gazetteer):
            raise TypeError(
                "build a Gazetteer with Gazetteer.from_records / from_jsonl / from_csv / "
                "from_dataframe / from_spacy_patterns / default()"
            )
        self._inner = inner
        # The embedded default travels as a reference (every process has it built in),
        # not as its 250k aliases.
        self._is_default = _is_default

    # ------------------------------------------------------------------ loaders

    @classmethod
    def from_records(
        cls,
        records: Iterable[Record],
        *,
        case_sensitive: bool = False,
        fold_diacritics: bool = False,
        origin: str = "records",
    ) -> Gazetteer:
        """Builds from dicts ``{"id", "label", "name", "aliases": [str | {"text",
        "case_sensitive"}]}``; the name is itself an alias. Errors name the record's
        1-based position as its line."""
        lines = [_record_line(r, origin, i) for i, r in enumerate(records, start=1)]
        return cls._from_lines(lines, origin, case_sensitive, fold_diacritics)

    @classmethod
    def _from_lines(
        cls, lines: list[str], origin: str, case_sensitive: bool, fold_diacritics: bool
    ) -> Gazetteer:
        """Builds from JSON record lines (line i of `lines` is reported as line i + 1)."""
        return cls(
            _core.Gazetteer.from_jsonl_str(
                "\n".join(lines),
                origin,
                case_sensitive=case_sensitive,
                fold_diacritics=fold_diacritics,
            )
        )

    @classmethod
    def from_jsonl(
        cls, path: PathLike, *, case_sensitive: bool = False, fold_diacritics: bool = False
    ) -> Gazetteer:
        """Reads a JSONL file, one record a line (blank lines are skipped)."""
        return cls(
            _core.Gazetteer.from_jsonl(
                os.fspath(path), case_sensitive=case_sensitive, fold_diacritics=fold_diacritics
            )
        )

    @classmethod
    def from_csv(
        cls,
        path: PathLike,
        *,
        case_sensitive: bool = False,
        fold_diacritics: bool = False,
        alias_separator: str = "|",
        delimiter: str = ",",
    ) -> Gazetteer:
        """Reads a CSV file with a header row naming ``id``, ``label``, ``name`` and
        optionally ``aliases`` (several aliases in one cell, separated by
        ``alias_separator``). Error line numbers are the file's own."""
        origin = os.fspath(path)
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter=delimiter)
            missing = {"id", "label", "name"} - set(reader.fieldnames or [])
            if missing:
                raise _error(origin, 1, sorted(missing)[0], "missing column in the header")
            # One JSON line per CSV line, blank lines where the CSV had its header or
            # multi-line cells, so the core's line numbers are the file's.
            lines: list[str] = []
            for row in reader:
                while len(lines) < reader.line_num - 1:
                    lines.append("")
                raw = row.get("aliases") or ""
                record = {
                    "id": row.get("id") or "",
                    "label": row.get("label") or "",
                    "name": row.get("name") or "",
                    "aliases": [a.strip() for a in raw.split(alias_separator) if a.strip()],
                }
                lines.append(json.dumps(record, ensure_ascii=False))
        return cls._from_lines(lines, origin, case_sensitive, fold_diacritics)

    @classmethod
    def from_dataframe(
        cls,
        df: Any,
        *,
        id: str = "id",
        label: str = "label",
        name: str = "name",
        aliases: str | None = "aliases",
        case_sensitive: bool = False,
        fold_diacritics: bool = False,
    ) -> Gazetteer:
        """Builds from a pandas or polars DataFrame with one row per entity. The aliases
        column (optional) holds lists of aliases, or one string with ``|`` between them."""
        if hasattr(df, "to_dicts"):  # polars
            rows: Sequence[Mapping[str, Any]] = df.to_dicts()
        elif hasattr(df, "to_dict"):  # pandas
            rows = df.to_dict("records")
        else:
            raise TypeError(f"expected a pandas or polars DataFrame, got {type(df).__name__}")
        columns = [id, label, name] + ([aliases] if aliases else [])
        present = set(rows[0]) if rows else set(getattr(df, "columns", []))
        for column in columns[:3]:
            if column not in present:
                raise _error("dataframe", 1, column, "missing column")

        def alias_list(value: Any) -> list[Any]:
            if value is None or (isinstance(value, float) and value != value):  # NaN
                return []
            if isinstance(value, str):
                return [a.strip() for a in value.split("|") if a.strip()]
            return list(value)

        records = (
            {
                "id": "" if r[id] is None else str(r[id]),
                "label": "" if r[label] is None else str(r[label]),
                "name": "" if r[name] is None else str(r[name]),
                "aliases": alias_list(r.get(aliases)) if aliases else [],
            }
            for r in rows
        )
        return cls.from_records(
            records,
            case_sensitive=case_sensitive,
            fold_diacritics=fold_diacritics,
            origin="dataframe",
        )

    @classmethod
    def from_spacy_patterns(
        cls, path: PathLike, *, case_sensitive: bool = False, fold_diacritics: bool = False
    ) -> Gazetteer:
        """Reads a spaCy EntityRuler patterns file (JSONL). Phrase patterns
        (``{"label": "ORG", "pattern": "Apple", "id": "apple"}``) become aliases, grouped
        into one entity per ``id`` (or per label and pattern when there is no id); token
        patterns (lists of token dicts) cannot be expressed as aliases and are skipped with a
        warning."""
        origin = os.fspath(path)
        entities: dict[tuple[str, str], dict[str, Any]] = {}
        skipped = 0
        with open(path, encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    pattern = json.loads(line)
                except json.JSONDecodeError as e:
                    raise _error(origin, line_no, None, f"invalid JSON: {e.msg}") from None
                if not isinstance(pattern, dict):
                    raise _error(origin, line_no, None, "a pattern must be a JSON object")
                label, text = pattern.get("label"), pattern.get("pattern")
                if not isinstance(label, str) or not label:
                    raise _error(origin, line_no, "label", "missing or not a string")
                if isinstance(text, list):
                    skipped += 1
                    continue
                if not isinstance(text, str):
                    raise _error(origin, line_no, "pattern", "missing or not a string")
                ent_id = pattern.get("id")
                key = (label, str(ent_id)) if ent_id is not None else (label, text)
                entity = entities.setdefault(
                    key,
                    {
                        "id": str(ent_id) if ent_id is not None else f"{label}:{text}",
                        "label": label,
                        "name": text,
                        "aliases": [],
                    },
                )
                if text != entity["name"]:
                    entity["aliases"].append(text)
        if skipped:
            warnings.warn(
                f"{origin}: skipped {skipped} token pattern(s); only phrase patterns are used",
                stacklevel=2,
            )
        return cls.from_records(
            entities.values(),
            case_sensitive=case_sensitive,
            fold_diacritics=fold_diacritics,
            origin=origin,
        )

    @classmethod
    def default(cls) -> Gazetteer:
        """The embedded world gazetteer: countries and cities (GeoNames, >= 15,000 people)
        with their Latin-script alternate names. Built once per process, then shared."""
        return _default_gazetteer()

    # ------------------------------------------------------------------ tagging

    def tag(self, text: str, *, overlapping: bool = False) -> list[Mention]:
        """Finds the gazetteer's entities in ``text``; ``text[m.start:m.end] == m.text``."""
        return self._inner.tag(text, overlapping=overlapping)

    def tag_many(
        self, texts: Iterable[str], *, threads: int | None = None, overlapping: bool = False
    ) -> list[list[Mention]]:
        """Tags many texts in parallel; one list per text, in order. ``threads=None`` uses
        every core. The GIL is held only to convert the input, chunk by chunk, while the
        pool tags the chunks before."""
        return self._inner.tag_many(texts, threads=threads, overlapping=overlapping)

    # ------------------------------------------------------------------ introspection

    def entities(self) -> list[tuple[str, str, str]]:
        """(id, label, name) of every entity, in record order."""
        return self._inner.entities()

    @property
    def alias_count(self) -> int:
        """How many distinct (entity, alias) pairs the tagger matches."""
        return self._inner.alias_count

    @property
    def case_sensitive(self) -> bool:
        return self._inner.case_sensitive

    @property
    def fold_diacritics(self) -> bool:
        return self._inner.fold_diacritics

    def __len__(self) -> int:
        return len(self._inner)

    def __repr__(self) -> str:
        return (
            f"Gazetteer({len(self):,} entities, {self.alias_count:,} aliases"
            f"{', case_sensitive' if self.case_sensitive else ''}"
            f"{', fold_diacritics' if self.fold_diacritics else ''})"
        )

    def _repr_html_(self) -> str:
        entities = self.entities()
        labels = Counter(label for _, label, _ in entities)
        label_text = ", ".join(f"{html.escape(k)} {v:,}" for k, v in labels.most_common(6))
        rows = "".join(
            f"<tr><td>{html.escape(i)}</td><td>{html.escape(lab)}</td>"
            f"<td>{html.escape(n)}</td></tr>"
            for i, lab, n in entities[:5]
        )
        return (
            '<div style="font-family:system-ui,sans-serif;font-size:13px">'
            f"<b>Gazetteer</b>: {len(entities):,} entities, {self.alias_count:,} aliases"
            f" ({label_text}){'; case-sensitive' if self.case_sensitive else ''}"
            f"{'; diacritics folded' if self.fold_diacritics else ''}"
            '<table style="font-size:12px"><tr><th>id</th><th>label</th><th>name</th></tr>'
            f"{rows}</table>"
            + (
                f"<div style='color:#666'>... {len(entities) - 5:,} more</div>"
                if len(entities) > 5
                else ""
            )
            + "</div>"
        )

    # ------------------------------------------------------------------ pickling

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if self._is_default:
            return (_default_gazetteer, ())
        return (_from_bytes, (self._inner.to_bytes(),))


def _from_bytes(data: bytes) -> Gazetteer:
    return Gazetteer(_core.Gazetteer.from_bytes(data))


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return Gazetteer(_core.Gazetteer.default_world(), _is_default=True)
