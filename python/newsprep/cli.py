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
    for path, text, article in zip(paths, texts, articles):
        if args.json:
            record = {"file": path, **article.to_dict()}
            print(json.dumps(record, ensure_ascii=False))
            continue
        print(f"=== {path}")
        print(f"title:  {article.title or '-'}")
        print(f"date:   {article.date or '-'}")
        print(f"byline: {article.byline or '-'}")
        print(
            f"kept {len(article.text):,} of {len(text):,} characters; "
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
    _add_run_parser(sub)
    return parser


# ------------------------------------------------------------------ run (corpus pipeline)


def cmd_run(args: argparse.Namespace) -> int:
    gazetteer = None
    path = args.gazetteer
    if path.lower() == "default":
        gazetteer = newsprep.Gazetteer.default()
    elif path.lower() != "none":
        if path.lower().endswith(".csv"):
            gazetteer = newsprep.Gazetteer.from_csv(path)
        else:
            gazetteer = newsprep.Gazetteer.from_jsonl(path)
    try:
        result = newsprep.process(
            args.source,
            gazetteer=gazetteer,
            clean=not args.no_clean,
            threads=args.threads,
            progress=not args.quiet,
            out=args.out,
            format=args.format,
            compression=args.compression,
            text_column=args.text_column,
            id_column=args.id_column,
            overwrite=args.overwrite,
        )
    except KeyboardInterrupt:
        print(f"newsprep: interrupted; finished parts stay in {args.out}", file=sys.stderr)
        return 130
    docs = result._table("documents", ["chars_in", "chars_out", "error"])
    n = docs.num_rows
    errors = n - docs.column("error").null_count
    chars_in = sum(docs.column("chars_in").to_pylist())
    chars_out = sum(docs.column("chars_out").to_pylist())
    dropped = 1 - chars_out / chars_in if chars_in else 0.0
    print(f"documents: {n:,} ({errors:,} with errors) -> {args.out}")
    print(f"characters dropped as boilerplate: {dropped:.1%}")
    mentions = result.summary.get("mentions", 0)
    print(f"mentions: {mentions:,}")
    if mentions:
        print("top entities (documents, mentions):")
        for row in result.entity_counts().slice(0, args.top).to_pylist():
            print(
                f"  {row['name']} [{row['label']}, {row['entity_id']}]: "
                f"{row['documents']:,}, {row['mentions']:,}"
            )
    return 0


def _add_run_parser(sub: argparse._SubParsersAction) -> None:
    p_run = sub.add_parser(
        "run",
        help="clean and tag a whole corpus into Parquet/JSONL files",
        description="Clean and tag every document of SOURCE (a folder or glob of .txt files, "
        "a .jsonl/.jsonl.gz or a .parquet file) and write OUT/documents/part-*.parquet and "
        "OUT/mentions/part-*.parquet (or .jsonl) as batches finish, then print a summary. "
        "Tags with the built-in world gazetteer unless --gazetteer says otherwise.",
    )
    p_run.add_argument("source", metavar="SOURCE")
    p_run.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p_run.add_argument(
        "--gazetteer",
        metavar="FILE",
        default="default",
        help="gazetteer file (.jsonl or .csv); 'default' (the default): the built-in "
        "countries and cities of the world; 'none': clean only",
    )
    p_run.add_argument("--threads", type=int, default=None, help="threads (default: all cores)")
    p_run.add_argument("--format", choices=["parquet", "jsonl"], default="parquet")
    p_run.add_argument(
        "--compression",
        choices=["snappy", "lz4", "zstd", "none"],
        default=None,
        help="Parquet page compression (default: snappy; zstd: smallest files; lz4, none: "
        "fastest writes)",
    )
    p_run.add_argument("--text-column", default="text", help="text field (JSONL, Parquet)")
    p_run.add_argument("--id-column", default="id", help="id field (JSONL, Parquet)")
    p_run.add_argument("--no-clean", action="store_true", help="tag the text as read")
    p_run.add_argument("--overwrite", action="store_true", help="replace an earlier run's output")
    p_run.add_argument("--top", type=int, default=10, help="how many top entities to print")
    p_run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p_run.set_defaults(func=cmd_run)


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
