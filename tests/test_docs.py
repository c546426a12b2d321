"""The README's Python example runs as written (from the repository root)."""

from __future__ import annotations

import os
import re

from conftest import ROOT


def test_readme_python_example_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict[str, object] = {}
        exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(cwd)
    article = namespace["article"]
    assert article.date == "2022-09-11"  # type: ignore[attr-defined]
    assert len(namespace["result"].documents) == 181  # type: ignore[attr-defined]
