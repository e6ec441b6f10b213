"""The README's PyTorch snippet runs unchanged except its imports and prints PyTorch's numbers (pinned by
scripts/pin_torch_teaching.py, which runs the same block with torch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parent.parent
PINNED = json.loads((ROOT / "tests" / "data" / "torch_teaching.json").read_text())["readme_snippet"]


def snippet() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("<!-- pytorch-snippet")[1].split("```python\n")[1].split("```")[0]


def test_readme_snippet_imports_are_the_only_tinygrad_lines():
    lines = [line for line in snippet().splitlines() if "tinygrad_sm" in line]
    assert lines == ["import tinygrad_sm as torch  # in PyTorch: import torch",
                     "import tinygrad_sm.nn.functional as F  # in PyTorch: import torch.nn.functional as F"]  # fmt: skip


def test_readme_snippet_runs_and_gives_pytorchs_numbers(capsys):
    scope: dict = {}
    exec(snippet(), scope)
    np.testing.assert_allclose(scope["C"].detach().numpy(), PINNED["C"], rtol=1e-5, atol=1e-6)
    assert abs(scope["loss"].item() - PINNED["loss"]) <= 1e-5 * max(1.0, abs(PINNED["loss"]))
    assert scope["pred"].tolist() == PINNED["pred"]
    assert PINNED["matches"] is True and "dlogits matches autograd: True" in capsys.readouterr().out
