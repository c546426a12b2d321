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


def test_cleaning_and_tagging_do_not_import_pyarrow() -> None:
    """pyarrow (and with it numpy, whose OpenBLAS threads spin up) loads only when a corpus
    is processed: `import newsprep` for clean() and tag() stays light."""
    code = (
        "import sys, newsprep\n"
        "newsprep.clean_many(['Kharkiv under fire.'] * 3)\n"
        "places = [{'id': 'k', 'label': 'GPE', 'name': 'Kharkiv'}]\n"
        "newsprep.Gazetteer.from_records(places).tag('Kharkiv')\n"
        "print(sorted({'pyarrow', 'numpy'} & set(sys.modules)))\n"
        "newsprep.process(['Kharkiv under fire.'], progress=False)\n"
        "print('pyarrow' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "True"]
