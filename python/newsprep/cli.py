"""The ``newsprep`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import newsprep


def _read(path: str) -> str:
    data = Path(path).read_bytes()
    return data.decode("utf-8", errors="replace")


def cmd_clean(args: argparse.Namespace) -> int:
    paths: list[str] = args.files
    texts = [_read(p) for p in paths]
    articles = newsprep.clean_many(texts, threads=args.threads)
    for path, article in zip(paths, articles):
        if args.json:
            record = {"file": path, **article.to_dict()}
            print(json.dumps(record, ensure_ascii=False))
            continue
        print(f"=== {path}")
        print(f"title:  {article.title or '-'}")
        print(f"date:   {article.date or '-'}")
        print(f"byline: {article.byline or '-'}")
        print(
            f"kept {len(article.text):,} of {len(texts[paths.index(path)]):,} characters; "
            f"dropped {len(article.dropped)} lines"
        )
        print()
        print(article.text)
        print()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsprep",
        description="Clean scraped news text and tag gazetteer entities (Rust core).",
    )
    parser.add_argument("--version", action="version", version=newsprep.__version__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_clean = sub.add_parser(
        "clean",
        help="strip boilerplate from text files and print the articles",
        description="Clean each FILE (plain text as a scraper kept it; invalid UTF-8 is "
        "replaced) and print its title, date, byline and body.",
    )
    p_clean.add_argument("files", nargs="+", metavar="FILE", help="text files to clean")
    p_clean.add_argument("--json", action="store_true", help="print one JSON object per file")
    p_clean.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    p_clean.set_defaults(func=cmd_clean)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (OSError, newsprep.NewsprepError) as e:
        print(f"newsprep: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `newsprep clean ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
