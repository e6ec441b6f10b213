"""PyTorch's beginner tutorials run as written: the programs of tests/tutorial_programs.py (our own, in the
tutorials' idioms and combinations) run with ``torch`` bound to tinygrad_sm and give PyTorch's results,
pinned by scripts/pin_torch_tutorials.py into tests/data/torch_tutorials.json.

Random draws and layer initialisation are compared bit for bit (tinygrad_sm's generator is PyTorch's CPU
generator); computed values to the program's relative tolerance (float32 sums in another order)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from tutorial_programs import PROGRAMS, plain

import tinygrad_sm

PINNED = json.loads((Path(__file__).parent / "data" / "torch_tutorials.json").read_text())["programs"]


def _differences(expected, actual, exact: bool, rtol: float, atol: float, where: str) -> list[str]:
    """Every place where ``actual`` differs from ``expected``, named by its path."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return [f"{where}: keys {sorted(actual)} != {sorted(expected)}"]
        found = []
        for key in expected:
            found += _differences(expected[key], actual[key], exact, rtol, atol, f"{where}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: length {len(actual)} != {len(expected)}"]
        found = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            found += _differences(e, a, exact, rtol, atol, f"{where}[{i}]")
        return found
    numbers = (int, float)
    if isinstance(expected, float) and isinstance(actual, numbers) and not isinstance(actual, bool):
        if exact:
            return (
                [] if float(actual) == expected else [f"{where}: {actual!r} != {expected!r} (bit-identical expected)"]
            )
        if math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol):
            return []
        return [f"{where}: {actual!r} != {expected!r} (rtol {rtol}, atol {atol})"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: {actual!r} != {expected!r}"]
    return []


def _as_printed_here(value, differences):
    """PyTorch's printed text with the deliberate differences (tutorial_programs.PRINTED_DIFFERENCES) applied."""
    if isinstance(value, str):
        for pattern, replacement in differences:
            value = re.sub(pattern, replacement, value)
    return value


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tutorial_program_gives_pytorchs_results(name, tmp_path):
    entry = PROGRAMS[name]
    try:
        results = plain(entry.run(tinygrad_sm, str(tmp_path)))
    finally:
        tinygrad_sm.set_default_device(None)
    expected = {key: _as_printed_here(value, entry.differences) for key, value in PINNED[name].items()}
    assert results.keys() == expected.keys()
    problems = []
    for key in expected:
        problems += _differences(expected[key], results[key], key in entry.exact, entry.rtol, entry.atol, key)
    assert not problems, "\n".join(problems)


def test_every_program_is_pinned():
    assert sorted(PINNED) == sorted(PROGRAMS)


IMPORT_LINES = [
    "import tinygrad_sm as torch",
    "import tinygrad_sm.nn as nn",
    "import tinygrad_sm.nn.functional as F",
    "import tinygrad_sm.optim as optim",
    "from tinygrad_sm import nn, optim",
    "from tinygrad_sm.nn import functional as F",
    "from tinygrad_sm.utils.data import Dataset, DataLoader, TensorDataset, random_split",
    "from tinygrad_sm.autograd import Variable, Function",
    "import tinygrad_sm.autograd.functional",
]


@pytest.mark.parametrize("line", IMPORT_LINES)
def test_the_tutorials_import_lines_work_aliased(line):
    scope: dict = {}
    exec(line, scope)
    names = [name for name in scope if name != "__builtins__"]
    assert names and all(scope[name] is not None for name in names)
