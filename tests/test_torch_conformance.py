"""Values, gradients and dtypes against PyTorch's: pinned in tests/data/torch_conformance.json by
scripts/pin_torch_conformance.py (so CI needs no torch), and compared live as well when torch imports.
The cases are in tests/torch_cases.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from torch_cases import CASES, DIVISION_CASES, PROMOTION_CASES, decode, operand_array

import tinygrad_sm as tg
import tinygrad_sm.functional as F

PINNED = json.loads((Path(__file__).parent / "data" / "torch_conformance.json").read_text())

OPS = {
    "bce": lambda p, t, **kw: F.binary_cross_entropy(p, t, **kw),
    "ce": lambda z, t, **kw: F.cross_entropy(z, t, **kw),
    "nll": lambda z, t, **kw: F.nll_loss(z, t, **kw),
    "pow": lambda a, b: a**b,
    "abs": lambda x: x.abs(),
    "relu": lambda x: x.relu(),
    "maximum": tg.maximum,
    "minimum": tg.minimum,
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "softmax": lambda x, dim: x.softmax(dim),
    "log_softmax": lambda x, dim: x.log_softmax(dim=dim),
    "logsumexp": lambda x, dim: F.logsumexp(x, dim=dim),
    "sum": lambda x, **kw: x.sum(**kw),
    "mean": lambda x, **kw: x.mean(**kw),
    "max_values": lambda x, dim: x.max(dim=dim).values,
}


def run_case(case: dict) -> dict:
    tensors = [
        tg.tensor(np.array(values, dtype=dtype), requires_grad=requires_grad)
        for values, dtype, requires_grad in case["inputs"]
    ]
    out = OPS[case["op"]](*tensors, **case["kwargs"])
    if out.requires_grad:
        out.sum().backward()
    grads = [t.grad.detach().numpy() if needs else None for t, (_, _, needs) in zip(tensors, case["inputs"])]
    return {"value": out.detach().numpy(), "dtype": str(out.dtype), "shape": list(out.shape), "grads": grads}


def assert_matches(ours: dict, theirs: dict, name: str) -> None:
    assert ours["dtype"] == theirs["dtype"], f"{name}: dtype {ours['dtype']} vs torch {theirs['dtype']}"
    assert ours["shape"] == theirs["shape"], f"{name}: shape {ours['shape']} vs torch {theirs['shape']}"
    tolerance = 1e-5 if ours["dtype"] in ("float32", "float16") else 1e-12
    if ours["dtype"] in ("bool",) or ours["dtype"].startswith("int"):
        assert np.array_equal(ours["value"], np.array(theirs["value"])), f"{name}: value"
    else:
        np.testing.assert_allclose(
            ours["value"], decode(theirs["value"]), rtol=tolerance, atol=tolerance, err_msg=f"{name}: value"
        )
    for position, (grad, expected) in enumerate(zip(ours["grads"], theirs["grads"])):
        if expected is None:
            assert grad is None
            continue
        np.testing.assert_allclose(
            grad, decode(expected), rtol=tolerance, atol=tolerance, err_msg=f"{name}: gradient of input {position}"
        )


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_pinned_pytorch(name):
    assert name in PINNED["cases"], f"{name} is not pinned: run scripts/pin_torch_conformance.py"
    assert_matches(run_case(CASES[name]), PINNED["cases"][name], name)


def _ours_promotion(left: tuple, right: tuple) -> dict:
    def as_ours(spec):
        value = operand_array(spec)
        return value if spec[0] == "scalar" else tg.tensor(np.asarray(value))

    a, b = as_ours(left), as_ours(right)
    return {"add": str((a + b).dtype), "where": str(tg.where(np.array(True), a, b).dtype), "div": str((a / b).dtype)}


@pytest.mark.parametrize("name", sorted(PROMOTION_CASES))
def test_result_dtype_matches_pinned_pytorch(name):
    ours, theirs = _ours_promotion(*PROMOTION_CASES[name]), PINNED["promotion"][name]
    assert ours["add"] == theirs["add"], f"{name}: + gives {ours['add']}, torch {theirs['add']}"
    assert ours["where"] == theirs["where"], f"{name}: where gives {ours['where']}, torch {theirs['where']}"
    assert ours["div"] == theirs["div"], f"{name}: / gives {ours['div']}, torch {theirs['div']}"


def test_division_cases_are_pinned():
    assert set(DIVISION_CASES) <= set(PINNED["promotion"])


def test_every_case_is_pinned_and_nothing_stale():
    assert set(PINNED["cases"]) == set(CASES)
    assert set(PINNED["promotion"]) == set(PROMOTION_CASES)


try:  # live comparison when torch is importable (never required: the pinned file is the reference)
    import torch
    from torch_cases import run_torch_case, torch_promotion
except ImportError:  # pragma: no cover
    torch = None


@pytest.mark.live_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_live_pytorch(name):
    assert_matches(run_case(CASES[name]), run_torch_case(CASES[name]), name)


@pytest.mark.live_torch
@pytest.mark.parametrize("name", sorted(PROMOTION_CASES))
def test_result_dtype_matches_live_pytorch(name):
    assert _ours_promotion(*PROMOTION_CASES[name]) == torch_promotion(*PROMOTION_CASES[name])
