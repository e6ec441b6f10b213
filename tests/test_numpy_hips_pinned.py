"""The NumPy surface against HIPS autograd: values and gradients pinned by scripts/pin_hips_numpy.py.

Each case of tests/numpy_cases.py runs here through plain NumPy's spelling on tinygrad_sm tensors; its
output must equal HIPS's, and its gradient of ``sum(weights * output)`` HIPS's gradient, for every input.
Where HIPS autograd has no rule for the spelling (the pin recorded its error), finite differences decide.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy_cases import CASES

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck

DATA = json.loads((Path(__file__).parent / "data" / "hips_numpy.json").read_text())["cases"]

# Two places where HIPS autograd's gradient has the wrong shape (its value is right where it exists):
# (case, input) -> what HIPS's array becomes to compare with ours. Finite differences confirm ours too.
HIPS_SHAPE_SLIPS = {
    # np.cross with b broadcast over a's rows: HIPS returns b's per-row gradient, not summed (un-broadcast)
    ("cross", 1): lambda hips: hips.sum(axis=0),
    # np.diag(x, -1) of a (3, 4) matrix: HIPS's gradient is (3, 3), missing the last column (all zeros)
    ("diag_matrix", 0): lambda hips: np.pad(hips, ((0, 0), (0, 1))),
}


def test_every_case_is_pinned():
    assert sorted(DATA) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_hips_autograd(name):
    inputs, fn = CASES[name]
    pinned = DATA[name]
    np.testing.assert_array_equal(np.asarray(pinned["inputs"][0]), np.asarray(inputs[0]))  # same seed, same inputs
    if "hips_error" in pinned:  # no HIPS rule for this spelling: finite differences only
        gradcheck(lambda *xs: fn(np, *xs), *inputs, rtol=1e-4, atol=1e-6, name=name)
        return
    leaves = [Tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in inputs]
    output = fn(np, *leaves)
    np.testing.assert_allclose(output.data, pinned["output"], rtol=1e-10, atol=1e-12, err_msg=name)
    grads = tg.grad([(output * Tensor(np.asarray(pinned["weights"]))).sum()], leaves, allow_unused=True)
    for position, (got, expected) in enumerate(zip(grads, pinned["grads"])):
        got_values = np.zeros(leaves[position].shape) if got is None else got.data
        expected = HIPS_SHAPE_SLIPS.get((name, position), np.asarray)(np.asarray(expected))
        np.testing.assert_allclose(got_values, expected, rtol=1e-9, atol=1e-11, err_msg=f"{name} input {position}")
    if any(case == name for case, _ in HIPS_SHAPE_SLIPS):
        gradcheck(lambda *xs: fn(np, *xs), *inputs, name=name)
