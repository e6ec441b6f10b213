"""Pin PyTorch's results for the teaching-names cases (tests/data/teaching_names.json) into
tests/data/torch_teaching.json.

Run with torch installed (the tests never need it):  python scripts/pin_torch_teaching.py

Each case is a few lines of PyTorch code, written once, that set ``out``; the test runs the same text with
``torch`` bound to tinygrad_sm and ``F`` to ``tinygrad_sm.nn.functional`` ("unchanged except the imports").
A result is stored as plain JSON: a tensor as ``{"dtype", "shape", "values"}``, tuples as lists.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def plain(value):
    """A result as JSON (the test's ``plain`` does the same on tinygrad_sm's results)."""
    if isinstance(value, torch.Tensor):
        values = value.detach().tolist()
        return {"dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape), "values": _finite(values)}
    if isinstance(value, torch.Size):
        return list(value)
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return _finite(value)
    return value


def _finite(values):
    if isinstance(values, list):
        return [_finite(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return repr(values)  # 'nan', 'inf', '-inf': JSON has no such numbers
    return values


def main() -> None:
    spec = json.loads((DATA / "teaching_names.json").read_text())
    pinned = {}
    for entry in spec["names"]:
        if "case" not in entry:
            continue
        scope = {"torch": torch, "F": F}
        exec(spec["prelude"], scope)
        exec(entry["case"], scope)
        pinned[entry["name"]] = plain(scope["out"])
    readme = readme_snippet_results()
    document = {"torch": torch.__version__, "results": pinned, "readme_snippet": readme}
    (DATA / "torch_teaching.json").write_text(json.dumps(document, indent=0) + "\n")
    print(f"pinned {len(pinned)} cases and the README snippet")


def readme_snippet() -> str:
    """The README's PyTorch block (after the ``pytorch-snippet`` marker), as PyTorch code: its two import
    lines are the only ones that name tinygrad_sm."""
    text = (DATA.parent.parent / "README.md").read_text()
    block = text.split("<!-- pytorch-snippet")[1].split("```python\n")[1].split("```")[0]
    return block.replace("import tinygrad_sm as torch", "import torch").replace(
        "import tinygrad_sm.nn.functional as F", "import torch.nn.functional as F"
    )


def readme_snippet_results() -> dict:
    scope: dict = {}
    exec(readme_snippet(), scope)
    return {
        "loss": scope["loss"].item(),
        "pred": scope["pred"].tolist(),
        "matches": bool(torch.allclose(scope["dlogits"], scope["logits"].grad)),
        "C": scope["C"].detach().tolist(),
    }


if __name__ == "__main__":
    main()
