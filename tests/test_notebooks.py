"""The notebooks in notebooks/ run top to bottom against the installed package, and are
committed without outputs (so their diffs stay readable).

Execution uses nbclient with a kernel on this interpreter (a throwaway kernelspec, so a
user-wide "python3" kernel of another environment cannot be picked up by mistake), from
the notebook's own folder as working directory, as a reader opening it in Jupyter would.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
#: Seconds one cell may run before the test fails.
CELL_TIMEOUT = 300
#: Seconds a whole notebook may take (they are meant to run in one to two minutes).
NOTEBOOK_TIMEOUT = 600
KERNEL_NAME = "newsprep-notebook-test"


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOK_PATHS] == [
        "01_quickstart.ipynb",
        "02_corpus_analysis.ipynb",
        "03_scaling.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them before "
        f"committing (Jupyter: Edit > Clear All Outputs, or `jupyter nbconvert "
        f"--clear-output --inplace notebooks/{path.name}`)"
    )


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module) -> str:
    pytest.importorskip("nbclient", reason="nbclient is not installed (pip install .[test])")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install .[test])")
    spec_dir = tmp_path_factory.mktemp("jupyter") / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({sys.executable})",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    # JUPYTER_PATH comes first in the kernelspec search path.
    monkeypatch_module.setenv("JUPYTER_PATH", str(spec_dir.parent.parent))
    return KERNEL_NAME


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _stderr_warnings(nb) -> list[str]:
    """Warnings a reader would see in the outputs (the notebooks should have none)."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                if "warning" in out.get("text", "").lower():
                    found.append(f"cell {i}: {out['text'].strip()[:300]}")
    return found


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, kernel_name: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    elapsed = time.perf_counter() - started
    assert elapsed < NOTEBOOK_TIMEOUT, f"{path.name} took {elapsed:.0f} s"
    assert not _stderr_warnings(nb), "\n".join(_stderr_warnings(nb))
