"""Executes the notebooks and writes each as HTML, with its plots as PNG files beside it,
for reviewing them as a reader would. With --readme-plot it also refreshes the README's plot
(docs/entity_frequency.png: the first figure of 02_corpus_analysis.ipynb).

    python notebooks/render.py [--out DIR] [--readme-plot] [NOTEBOOK...]

Needs nbconvert, nbclient and ipykernel; runs the notebooks from notebooks/ as their working
directory, on this interpreter's "python3" kernel. The notebooks themselves stay unchanged
(committed without outputs).
"""

from __future__ import annotations

import argparse
import base64
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = Path(__file__).resolve().parent
README_PLOT = ("02_corpus_analysis", 1, HERE.parent / "docs" / "entity_frequency.png")


def render(path: Path, out: Path) -> list[Path]:
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(HERE)}}).execute()
    print(f"{path.name}: executed in {time.perf_counter() - started:.0f} s")
    body, _ = HTMLExporter().from_notebook_node(nb)
    (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
    images = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                image = out / f"{path.stem}_{len(images) + 1}.png"
                image.write_bytes(base64.b64decode(png))
                images.append(image)
    return images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "newsprep-notebooks"
    )
    parser.add_argument("--readme-plot", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks or sorted(HERE.glob("*.ipynb")):
        images = render(path.resolve(), args.out)
        stem, number, target = README_PLOT
        if args.readme_plot and path.stem == stem:
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(images[number - 1], target)
            print(f"wrote {target}")
    print(f"HTML and PNG files in {args.out}")


if __name__ == "__main__":
    main()
