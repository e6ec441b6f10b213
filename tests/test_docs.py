"""The Python code blocks in the README and docs/ are executed, so they cannot rot."""

import os
import re
from pathlib import Path

import pytest

from tinygrad_sm.viz import GraphvizNotFoundError

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]  # docs/api/ too
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks():
    for page in PAGES:
        for number, code in enumerate(BLOCK.findall(page.read_text())):
            yield pytest.param(code, id=f"{page.relative_to(ROOT)}-{number}")


@pytest.mark.parametrize("code", list(blocks()))
def test_code_block_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks that save files write them here
    try:
        exec(compile(code, "<doc block>", "exec"), {"__name__": "__doc_block__"})
    except GraphvizNotFoundError:
        if os.environ.get("CI"):  # `make test` installs Graphviz, so in CI a missing `dot` is a failure
            raise
        pytest.skip("this block renders a picture and Graphviz 'dot' is not installed (`make graphviz`)")
