"""Issue 21's habits and fixed wrong answers, as PyTorch code run unchanged (tests/habits_cases.py) and compared
with PyTorch's results pinned by scripts/pin_torch_habits.py; plus the properties no pinned value shows
(which tensor an error names, the table generating every spelling, the NumPy spelling of max)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import tinygrad_sm.nn.functional as F
from habits_cases import CASES, PRELUDE
from test_teaching_names import assert_same, plain

import tinygrad_sm as tg
from tinygrad_sm import methods
from tinygrad_sm.gradcheck import gradcheck

PINNED = json.loads((Path(__file__).parent / "data" / "torch_habits.json").read_text())["results"]


def run(code: str):
    scope = {"torch": tg, "F": F}
    exec(PRELUDE, scope)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, scope)
    return scope["out"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_pytorch(name):
    expected = PINNED[name]
    if isinstance(expected, dict) and "raises" in expected:
        with pytest.raises(Exception) as caught:
            run(CASES[name])
        assert type(caught.value).__name__ == expected["raises"], f"{name}: {caught.value!r}"
    else:
        assert_same(plain(run(CASES[name])), expected, name)


# ---------------------------------------------------------------- what a pinned value cannot show
def test_the_leaf_error_names_the_leaf_and_not_the_value_written():
    weights = tg.zeros(3, requires_grad=True, name="weights")
    with pytest.raises(RuntimeError, match="leaf tensor 'weights' of shape \\(3,\\)"):
        weights += tg.ones(3)
    buffer = tg.zeros(3, 2, name="dC")  # dC does not require grad, the value written does: recorded, no error
    demb = tg.ones(2, requires_grad=True)
    buffer[1] += demb
    assert buffer.requires_grad and not buffer.is_leaf


def test_the_saved_value_error_names_the_op():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    h = w.exp()
    total = h.sum()
    with tg.no_grad():
        h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*'exp'"):
        total.backward()


def test_in_place_writes_in_the_graph_pass_gradcheck():
    def divide_rows(x):
        h = x * 1
        h /= h.sum(1, keepdim=True)
        h[0, 1] -= 1
        h[h > 0.5] = 0.5
        return h

    gradcheck(divide_rows, np.array([[1.0, 2.0, 3.5], [0.5, 4.0, 1.0]]))

    def put(x, y):
        out = x * 2
        out[[0, 2]] = y
        return out

    gradcheck(put, np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, -1.0]))


def test_repeated_indices_keep_the_last_write_as_numpy():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    out = tg.zeros(3)
    out[[0, 0]] = w
    assert out.tolist() == [2.0, 0.0, 0.0]
    out.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0]


def test_max_spellings():
    x = tg.tensor([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]])
    assert x.max(1).indices.tolist() == [1, 0]  # PyTorch: positional dim gives (values, indices)
    assert x.max(axis=1).tolist() == [5.0, 4.0]  # NumPy's keyword: the values, as NumPy
    assert np.max(x, 1).tolist() == [5.0, 4.0] and np.max(x, axis=0, keepdims=True).shape == (1, 3)
    assert x.max((0, 1)).item() == 5.0  # several dims: no index to give, the values (as amax)
    assert x.max(tg.tensor(3.0)).tolist() == [[3.0, 5.0, 3.0], [4.0, 3.0, 3.0]]
    assert np.argmax(x, axis=1).tolist() == [1, 0] and isinstance(np.argmax(x, axis=1), np.ndarray)
    with pytest.raises(TypeError, match="not both"):
        x.max(1, axis=1)


def test_every_function_row_is_a_package_function_and_every_method_row_a_method():
    for entry in methods.TABLE:
        if entry.function and not entry.namespace:
            function = getattr(tg, entry.name)  # (the table wraps it to take input= and out=, as torch.<op>)
            assert getattr(function, "__wrapped__", function) is entry.impl, entry.name
        if entry.method:
            assert getattr(tg.Tensor, entry.name) is entry.impl, entry.name


def test_float_only_ufuncs_of_the_table_give_float32_for_integers():
    ints = tg.tensor([1, 2, 3])
    checked = 0
    for entry in methods.TABLE:
        if not (entry.method or entry.function):
            continue  # a NumPy-only spelling (np.fabs) keeps NumPy's answer
        for function in entry.numpy:
            rounding = function in (np.rint, np.floor, np.ceil, np.trunc)  # PyTorch keeps integers as they are
            unary = isinstance(function, np.ufunc) and function.nin == 1
            if unary and function(np.array([1, 2, 3])).dtype == np.float64 and not rounding:
                result = (entry.numpy_impl or entry.impl)(ints)
                assert result.dtype == np.float32, f"np.{function.__name__} of int64 gave {result.dtype}"
                checked += 1
    assert checked >= 8


def test_nn_functional_is_the_functional_module():
    import importlib

    from tinygrad_sm.nn import functional as from_nn

    assert importlib.import_module("tinygrad_sm.nn.functional") is tg.functional is from_nn
    assert F.logaddexp is tg.logaddexp.__wrapped__  # (tg.logaddexp also takes input= and out=, as torch.<op>)


def test_writing_through_a_view_reaches_the_tensor_it_came_from():
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = w * 1
    row = h[1]
    row += tg.tensor([10.0, 20.0])
    assert h.tolist() == [[1.0, 2.0], [13.0, 24.0]]
    (h * h).sum().backward()
    assert w.grad.tolist() == [[2.0, 4.0], [26.0, 48.0]]
