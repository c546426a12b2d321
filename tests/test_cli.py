"""The command line: `newsprep clean FILE...`."""

from __future__ import annotations

import json
import subprocess
import sys

from newsprep.cli import main

from conftest import SEEDS, seed_expected, seed_names


def test_clean_prints_articles(capsys) -> None:
    names = seed_names()
    assert main(["clean", *[str(SEEDS / f"{n}.txt") for n in names]]) == 0
    out = capsys.readouterr().out
    for name in names:
        assert f"=== {SEEDS / f'{name}.txt'}" in out
    assert "title:  Russia redeploys troops out of Ukraine’s Kharkiv region" in out


def test_clean_json_matches_api(capsys) -> None:
    name = seed_names()[3]
    assert main(["clean", "--json", str(SEEDS / f"{name}.txt")]) == 0
    record = json.loads(capsys.readouterr().out)
    expected = seed_expected(name)
    assert record["title"] == expected["title"]
    assert record["date"] == expected["date"]


def test_missing_file_is_a_clean_error(tmp_path, capsys) -> None:
    assert main(["clean", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_invalid_utf8_is_replaced(tmp_path, capsys) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Kyiv said on Monday that the talks would go on.\xff\xfe\n")
    assert main(["clean", "--json", str(path)]) == 0
    assert "\ufffd" in json.loads(capsys.readouterr().out)["text"]


def test_console_script_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsprep.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "clean" in result.stdout


def test_run_tags_with_the_default_gazetteer(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "--out", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "documents: 5 (0 with errors)" in printed
    assert "Kharkiv [PLACE" in printed
    assert (out / "mentions" / "part-00000.parquet").is_file()
    assert (
        main(["run", str(SEEDS), "--out", str(tmp_path / "o2"), "--gazetteer", "none", "-q"]) == 0
    )
    assert "mentions: 0" in capsys.readouterr().out


def test_run_compression_flag(tmp_path, capsys) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    args = ["run", str(SEEDS), "--out", str(out), "-q", "--gazetteer", "none"]
    assert main([*args, "--compression", "zstd"]) == 0
    meta = pq.ParquetFile(out / "documents" / "part-00000.parquet").metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert json.loads((out / "newsprep.json").read_text())["compression"] == "zstd"
    # Compression applies to Parquet only: a clear error, not a silently ignored flag.
    assert main([*args, "--overwrite", "--format", "jsonl", "--compression", "lz4"]) == 2
    assert "Parquet output" in capsys.readouterr().err
