"""HTML for notebooks: bounded, escaped, inline styles (renders anywhere HTML lands)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from newsprep._core import Article

#: How many characters of an article body `_repr_html_` shows before cutting.
MAX_PREVIEW_CHARS = 1200
#: How many dropped lines `_repr_html_` lists.
MAX_DROPPED_ROWS = 8

_BOX = (
    "font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:14px;line-height:1.5;"
    "border:1px solid #ddd;border-radius:6px;padding:10px 14px;max-width:860px"
)
_MUTED = "color:#666;font-size:12px"


def _field(name: str, value: str | None) -> str:
    shown = html.escape(value) if value else '<span style="color:#aaa">none</span>'
    return f'<span style="{_MUTED}">{name}</span> {shown}'


def article_html(article: Article) -> str:
    """The notebook view of an Article: metadata, the body (cut), and a few dropped lines."""
    body = article.text
    cut = len(body) > MAX_PREVIEW_CHARS
    paragraphs = body[:MAX_PREVIEW_CHARS].split("\n\n")
    body_html = "".join(
        f'<p style="margin:0 0 8px 0">{html.escape(p)}</p>' for p in paragraphs if p
    )
    if cut:
        rest = len(body) - MAX_PREVIEW_CHARS
        body_html += f'<p style="{_MUTED}">... {rest:,} more characters</p>'
    dropped_rows = "".join(
        f'<tr><td style="{_MUTED};padding-right:8px">{html.escape(reason)}</td>'
        f"<td>{html.escape(line[:120])}{'...' if len(line) > 120 else ''}</td></tr>"
        for line, reason in article.dropped[:MAX_DROPPED_ROWS]
    )
    more = len(article.dropped) - MAX_DROPPED_ROWS
    if more > 0:
        dropped_rows += f'<tr><td colspan="2" style="{_MUTED}">... {more} more</td></tr>'
    title = html.escape(article.title) if article.title else "<i>untitled</i>"
    return (
        f'<div style="{_BOX}">'
        f'<div style="font-weight:600;font-size:16px;margin-bottom:4px">{title}</div>'
        f'<div style="margin-bottom:8px">{_field("date", article.date)} &nbsp; '
        f"{_field('byline', article.byline)} &nbsp; "
        f'<span style="{_MUTED}">{len(body):,} characters kept, '
        f"{len(article.dropped)} lines dropped</span></div>"
        f"{body_html}"
        + (
            f'<details><summary style="{_MUTED}">dropped</summary>'
            f'<table style="font-size:12px">{dropped_rows}</table></details>'
            if article.dropped
            else ""
        )
        + "</div>"
    )


# ------------------------------------------------------------------ corpus results (process)


class Html(str):
    """A str of HTML that Jupyter renders (``_repr_html_``); elsewhere a plain str."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


#: Background colours by label (displaCy's palette for the common ones).
LABEL_COLORS = {
    "PERSON": "#aa9cfc",
    "PER": "#aa9cfc",
    "PLACE": "#feca74",
    "LOC": "#feca74",
    "GPE": "#feca74",
    "ORG": "#7aecec",
    "NORP": "#c887fb",
    "EVENT": "#ffeb80",
}
_OTHER_COLORS = ["#bfe1d9", "#e4e7d2", "#f0d0ff", "#c7ffb5", "#ffd6a5", "#d9e8ff"]


def label_color(label: str, colors: dict[str, str] | None = None) -> str:
    """The highlight colour of a label: `colors`, then the defaults, then a stable pick."""
    if colors and label in colors:
        return colors[label]
    if label in LABEL_COLORS:
        return LABEL_COLORS[label]
    return _OTHER_COLORS[sum(label.encode("utf-8")) % len(_OTHER_COLORS)]


def render_entities(
    text: str,
    mentions: list[dict],
    *,
    title: str | None = None,
    subtitle: str | None = None,
    error: str | None = None,
    colors: dict[str, str] | None = None,
) -> Html:
    """`text` with each mention (dicts with start, end, label, and optionally name and
    entity_id) highlighted by label, like displaCy's entity view. Spans that overlap an
    earlier one are skipped; every piece of text is escaped; styles are inline."""
    pieces = []
    at = 0
    for m in sorted(mentions, key=lambda m: (m["start"], -m["end"])):
        start, end = int(m["start"]), int(m["end"])
        if start < at or end <= start or end > len(text):
            continue
        pieces.append(html.escape(text[at:start]))
        label = str(m.get("label", ""))
        tip = " · ".join(str(m[k]) for k in ("name", "entity_id") if m.get(k))
        pieces.append(
            f'<mark title="{html.escape(tip)}" style="background:{label_color(label, colors)};'
            'padding:0.1em 0.3em;margin:0 0.1em;border-radius:0.3em;line-height:1.9">'
            f"{html.escape(text[start:end])}"
            '<span style="font-size:0.7em;font-weight:700;margin-left:0.4em;'
            f'vertical-align:middle;text-transform:uppercase">{html.escape(label)}</span>'
            "</mark>"
        )
        at = end
    pieces.append(html.escape(text[at:]))
    head = ""
    if title:
        head += (
            f'<div style="font-weight:600;font-size:16px;margin-bottom:2px">'
            f"{html.escape(title)}</div>"
        )
    if subtitle:
        head += f'<div style="{_MUTED};margin-bottom:8px">{html.escape(subtitle)}</div>'
    if error:
        head += f'<div style="color:#b00020">error: {html.escape(error)}</div>'
    body = f'<div style="white-space:pre-wrap">{"".join(pieces)}</div>'
    return Html(f'<div style="{_BOX}">{head}{body}</div>')


#: How many entities the Result summary lists.
MAX_TOP_ENTITIES = 5


def result_html(result: object) -> str:
    """The notebook summary of a corpus Result: counts, kept share, top entities."""
    import pyarrow.compute as pc

    docs = result._table("documents", ["chars_in", "chars_out", "error"])  # type: ignore[attr-defined]
    n = docs.num_rows
    errors = n - docs.column("error").null_count
    chars_in = pc.sum(docs.column("chars_in")).as_py() or 0
    chars_out = pc.sum(docs.column("chars_out")).as_py() or 0
    kept = f"{chars_out / chars_in:.0%}" if chars_in else "-"
    mentions = result._table("mentions", ["doc_id"]).num_rows  # type: ignore[attr-defined]
    rows = ""
    if mentions:
        top = result.entity_counts().slice(0, MAX_TOP_ENTITIES).to_pylist()  # type: ignore[attr-defined]
        rows = "".join(
            f'<tr><td><span style="background:{label_color(r["label"])};padding:0 4px;'
            f'border-radius:3px;font-size:11px">{html.escape(r["label"])}</span></td>'
            f"<td>{html.escape(r['name'])}</td><td style='text-align:right'>{r['documents']:,}</td>"
            f"<td style='text-align:right'>{r['mentions']:,}</td></tr>"
            for r in top
        )
        rows = (
            '<table style="font-size:12px;margin-top:6px"><tr><th></th><th>entity</th>'
            f"<th>documents</th><th>mentions</th></tr>{rows}</table>"
        )
    out = getattr(result, "out", None)
    where = f'<div style="{_MUTED}">written to {html.escape(str(out))}</div>' if out else ""
    return (
        f'<div style="{_BOX}"><b>newsprep Result</b>: {n:,} documents '
        f"({errors:,} with errors), {mentions:,} mentions; {kept} of the characters kept"
        f"{where}{rows}</div>"
    )
