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
