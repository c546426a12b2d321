"""The .pyi stubs match the compiled module (mypy.stubtest), and the public API is typed."""

from __future__ import annotations

import subprocess
import sys

import newsprep

from conftest import ROOT


def test_stubtest_finds_no_drift() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "newsprep._core"],
        capture_output=True,
        text=True,
        cwd=ROOT / "tests",  # import the installed package, not ../python
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_names_are_exported() -> None:
    for name in newsprep.__all__:
        assert hasattr(newsprep, name), name


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("newsprep").joinpath("py.typed").is_file()
    assert files("newsprep").joinpath("_core.pyi").is_file()
