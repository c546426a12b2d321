"""The text-input cleaners an analyst would otherwise use, run the way the dev set's own
harness (../shared/eval/cleanup-dev/baselines.py, whose timings the spec quotes) runs them:
each non-empty line of the page, stripped and HTML-escaped, becomes one <p>, because an
HTML extractor handed raw text sees a single paragraph and has nothing to decide (jusText
then runs about twice as fast, and keeps or drops the whole page).

Each entry is (name, clean) with clean(text) -> text; cleaners that are not installed
(pip install justext trafilatura) are left out.
"""

from __future__ import annotations

import html
import logging
from typing import Callable


def lines_as_html(text: str) -> str:
    """The page's non-empty lines as escaped paragraphs, as baselines.py builds them."""
    paras = [f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()]
    return "<html><body>\n" + "\n".join(paras) + "\n</body></html>"


def installed() -> list[tuple[str, Callable[[str], str]]]:
    out: list[tuple[str, Callable[[str], str]]] = []
    try:
        import justext

        stop = justext.get_stoplist("English")

        def run_justext(text: str) -> str:
            paragraphs = justext.justext(lines_as_html(text), stop)
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        out.append(("jusText", run_justext))
    except ImportError:
        pass
    try:
        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

        def run_trafilatura(text: str) -> str:
            return trafilatura.extract(lines_as_html(text)) or ""

        out.append(("trafilatura", run_trafilatura))
    except ImportError:
        pass
    return out
