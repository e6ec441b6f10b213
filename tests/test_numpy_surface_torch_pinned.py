"""The NumPy surface's PyTorch spellings against PyTorch: values and gradients pinned by
scripts/pin_torch_numpy_surface.py from the case table tests/torch_surface_cases.py, which both run
(``torch`` there, ``tinygrad_sm`` here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from torch_surface_cases import CASES

import tinygrad_sm as tg
from tinygrad_sm import Tensor

DATA = json.loads((Path(__file__).parent / "data" / "torch_numpy_surface.json").read_text())["cases"]


def test_every_case_is_pinned():
    assert sorted(DATA) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_pytorch(name):
    inputs, fn = CASES[name]
    pinned = DATA[name]
    leaves = [Tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in inputs]
    output = fn(tg, *leaves)
    np.testing.assert_allclose(output.data, pinned["output"], rtol=1e-10, atol=1e-12, err_msg=name)
    grads = tg.grad([(output * Tensor(np.asarray(pinned["weights"]))).sum()], leaves, allow_unused=True)
    for position, (got, expected) in enumerate(zip(grads, pinned["grads"])):
        expected = np.zeros(leaves[position].shape) if expected is None else np.asarray(expected)
        got_values = np.zeros(leaves[position].shape) if got is None else got.data
        np.testing.assert_allclose(got_values, expected, rtol=1e-9, atol=1e-11, err_msg=f"{name} input {position}")
