"""The NumPy surface: NumPy's own spellings on tensors give NumPy's values and differentiate.

Every elementwise and array function of HIPS autograd's VJP table (``numpy_vjps.py``) is called here
through ``np.<name>(tensor)``; its value is compared with NumPy's on the plain array, its gradient with
central finite differences in float64 (``tg.gradcheck``) over shapes drawn by hypothesis (broadcasting,
size-1 axes, negative axes), and, where the rule is written with Tensor ops, its second derivative too.
The kinks and domains are pinned separately (floor's gradient 0, fmax with nan, remainder's gradient
with respect to the divisor, arccosh below 1).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import SETTINGS, arrays, broadcastable_shapes, shapes

import tinygrad_sm as tg
from tinygrad_sm import Tensor, gradcheck

FEW = settings(SETTINGS, max_examples=12)


def second_order(fn: Callable[..., Tensor], seed: int = 1) -> Callable[..., Tensor]:
    """``x -> <v, d<w, fn(x)>/dx>``: differentiating it checks the rule's own derivative (create_graph)."""

    def first_derivative(*xs: Tensor) -> Tensor:
        out = fn(*xs)
        rng = np.random.default_rng(seed)
        weights = Tensor(rng.standard_normal(out.shape))
        grads = tg.grad([(out * weights).sum()], list(xs), create_graph=True, allow_unused=True)
        total = Tensor(0.0, dtype=np.float64)
        for x, g in zip(xs, grads):
            if g is not None:
                total = total + (g * Tensor(rng.standard_normal(x.shape))).sum()
        return total

    return first_derivative


def check_value(fn: Callable[..., Any], *values: np.ndarray, **kwargs: Any) -> None:
    expected = fn(*values, **kwargs)
    got = fn(*(Tensor(v) for v in values), **kwargs)
    if isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g.data, e, rtol=1e-12, atol=1e-12)
            assert g.shape == np.shape(e)
    else:
        assert got.shape == np.shape(expected)
        np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- elementwise, one input
UNARY: list[tuple[Any, float, float]] = [
    (np.tan, -1.2, 1.2),
    (np.arcsin, -0.9, 0.9),
    (np.arccos, -0.9, 0.9),
    (np.arctan, -3.0, 3.0),
    (np.sinh, -2.0, 2.0),
    (np.cosh, -2.0, 2.0),
    (np.arcsinh, -3.0, 3.0),
    (np.arccosh, 1.1, 3.0),
    (np.arctanh, -0.9, 0.9),
    (np.exp2, -2.0, 2.0),
    (np.fabs, 0.1, 2.0),
    (np.deg2rad, -200.0, 200.0),
    (np.radians, -200.0, 200.0),
    (np.rad2deg, -3.0, 3.0),
    (np.degrees, -3.0, 3.0),
    (np.sinc, 0.05, 2.0),
    (np.nan_to_num, -2.0, 2.0),
    (np.real, -2.0, 2.0),
    (np.conj, -2.0, 2.0),
    (np.real_if_close, -2.0, 2.0),
]


@pytest.mark.parametrize("function, low, high", UNARY, ids=[f.__name__ for f, *_ in UNARY])
@FEW
@given(data=st.data())
def test_unary_values_match_numpy_and_gradients_match_finite_differences(function, low, high, data):
    x = data.draw(arrays(shapes(), low, high))
    if function is np.fabs:
        x = x * data.draw(st.sampled_from([-1.0, 1.0]))
    check_value(function, x)
    gradcheck(lambda t: function(t), x, name=function.__name__)


TWICE = ["tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "exp2"]


@pytest.mark.parametrize("function, low, high", [u for u in UNARY if u[0].__name__ in TWICE], ids=TWICE)
def test_unary_rules_differentiate_twice(function, low, high):
    x = np.random.default_rng(3).uniform(low, high, (2, 3))
    gradcheck(second_order(lambda t: function(t)), x, name=function.__name__)


def test_pytorch_short_names_and_numpy_names_are_the_same_functions():
    values = np.array([0.3, -0.2])
    x = Tensor(values)
    pairs = [
        ("asin", np.arcsin),
        ("acos", np.arccos),
        ("atan", np.arctan),
        ("asinh", np.arcsinh),
        ("atanh", np.arctanh),
    ]
    pairs += [("arcsin", np.arcsin), ("arctanh", np.arctanh), ("sinh", np.sinh), ("tan", np.tan), ("exp2", np.exp2)]
    for name, function in pairs:
        assert np.array_equal(getattr(tg, name)(x).data, function(values)), name
        assert np.array_equal(getattr(x, name)().data, function(values)), name
    assert np.array_equal(tg.acosh(x + 2).data, np.arccosh(values + 2))
    assert np.array_equal(tg.atan2(x, Tensor([1.0, -1.0])).data, np.arctan2(values, [1.0, -1.0]))
    assert np.array_equal(x.arctan2(Tensor([1.0, -1.0])).data, np.arctan2(values, [1.0, -1.0]))


def test_arccosh_below_one_is_nan_with_nan_gradient_as_numpy():
    x = Tensor([0.5, 2.0], dtype=np.float64, requires_grad=True)
    y = np.arccosh(x)
    with np.errstate(invalid="ignore"):
        assert np.array_equal(y.data, np.arccosh(np.array([0.5, 2.0])), equal_nan=True)
    y.sum().backward()
    assert np.isnan(x.grad.data[0]) and np.isclose(x.grad.data[1], 1 / np.sqrt(3))


def test_arcsin_outside_its_domain_is_nan_and_arctanh_at_one_is_inf():
    assert np.isnan(np.arcsin(Tensor([2.0])).data[0])
    assert np.isinf(np.arctanh(Tensor([1.0])).data[0])


def test_sinc_at_zero_is_one_with_gradient_zero():
    x = Tensor([0.0, 0.5], dtype=np.float64, requires_grad=True)
    y = np.sinc(x)
    assert np.array_equal(y.data, np.sinc(np.array([0.0, 0.5])))
    y.sum().backward()
    assert x.grad.data[0] == 0 and np.isfinite(x.grad.data).all()


def test_nan_to_num_replaces_like_numpy_and_passes_no_gradient_there():
    values = np.array([np.nan, np.inf, -np.inf, 1.5])
    x = Tensor(values, requires_grad=True)
    y = np.nan_to_num(x, nan=-1.0, posinf=9.0)
    assert np.array_equal(y.data, np.nan_to_num(values, nan=-1.0, posinf=9.0))
    y.sum().backward()
    assert np.array_equal(x.grad.data, [0.0, 0.0, 0.0, 1.0])
    assert np.array_equal(tg.nan_to_num(Tensor(values), 0.5).data, np.nan_to_num(values, nan=0.5))  # torch's order


# ---------------------------------------------------------------- gradient 0: rounding and the like
ROUNDING = [np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.angle, np.imag]


@pytest.mark.parametrize("function", ROUNDING, ids=[f.__name__ for f in ROUNDING])
def test_rounding_matches_numpy_and_its_gradient_is_zero_also_at_the_jumps(function):
    values = np.array([-2.5, -1.0, -0.5, 0.0, 0.5, 1.5, 2.0, 2.7])
    x = Tensor(values, requires_grad=True)
    y = function(x)
    assert np.array_equal(y.data, function(values))
    if function is np.imag:  # a constant, as NumPy's imaginary part of a real array
        assert not y.requires_grad
        return
    (y * Tensor(np.arange(8.0))).sum().backward()
    assert np.array_equal(x.grad.data, np.zeros(8))


def test_round_takes_decimals_as_numpy_and_torch():
    values = np.array([1.2345, -0.0051, 2.5])
    assert np.array_equal(np.round(Tensor(values), 2).data, np.round(values, 2))
    assert np.array_equal(tg.round(Tensor(values), decimals=1).data, np.round(values, 1))


def test_floor_gradient_is_zero_and_the_graph_continues_through_it():
    x = Tensor([1.7, -0.3], dtype=np.float64, requires_grad=True)
    (np.floor(x) * x).sum().backward()  # d/dx floor(x) x = floor(x)
    assert np.array_equal(x.grad.data, [1.0, -1.0])
    assert tg.floor(x).requires_grad


# ---------------------------------------------------------------- elementwise, two inputs (broadcast)
def _apart_from_zero(x: np.ndarray) -> np.ndarray:
    return np.where(np.abs(x) < 0.2, 0.2 * np.sign(x) + (x == 0) * 0.2, x)


BINARY = [np.arctan2, np.hypot, np.logaddexp2, np.remainder, np.mod, np.fmod]


@pytest.mark.parametrize("function", BINARY, ids=[f.__name__ for f in BINARY])
@FEW
@given(data=st.data())
def test_binary_values_match_numpy_and_gradients_match_finite_differences(function, data):
    shape_a, shape_b = data.draw(broadcastable_shapes())
    a = data.draw(arrays(shape_a, -3.0, 3.0))
    b = _apart_from_zero(data.draw(arrays(shape_b, -3.0, 3.0)))
    if function is np.arctan2:  # off the branch cut (y = 0, x < 0), where the angle jumps by 2 pi
        a = _apart_from_zero(a)
    if function in (np.remainder, np.mod, np.fmod):  # keep a/b away from the jumps at integers
        ratio = np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)) / b
        if np.any(np.abs(ratio - np.round(ratio)) < 0.05):
            return
    check_value(function, a, b)
    gradcheck(lambda s, t: function(s, t), a, b, name=function.__name__)


@pytest.mark.parametrize("function", [np.arctan2, np.hypot, np.remainder], ids=["arctan2", "hypot", "remainder"])
def test_binary_rules_differentiate_twice(function):
    rng = np.random.default_rng(4)
    a, b = rng.uniform(0.3, 2.0, (2, 3)), rng.uniform(0.3, 2.0, (3,)) * np.array([1, -1, 1])
    gradcheck(second_order(lambda s, t: function(s, t)), a + 0.013, b, name=function.__name__)


def test_remainder_gradient_with_respect_to_the_divisor_is_minus_the_floored_quotient():
    a = Tensor([7.5, -7.5, 7.5], dtype=np.float64, requires_grad=True)
    b = Tensor([2.0, 2.0, -2.0], dtype=np.float64, requires_grad=True)
    r = a % b
    assert np.array_equal(r.data, np.remainder(a.data, b.data))
    r.sum().backward()
    assert np.array_equal(a.grad.data, [1.0, 1.0, 1.0])
    assert np.array_equal(b.grad.data, -np.floor(a.data / b.data))  # -3, 4, 4


def test_fmod_gradient_with_respect_to_the_divisor_is_minus_the_truncated_quotient():
    a = Tensor([7.5, -7.5], dtype=np.float64, requires_grad=True)
    b = Tensor([2.0, 2.0], dtype=np.float64, requires_grad=True)
    r = np.fmod(a, b)
    assert np.array_equal(r.data, [1.5, -1.5])
    r.sum().backward()
    assert np.array_equal(b.grad.data, [-3.0, 3.0])


def test_the_percent_operator_on_either_side_and_floor_division_without_gradient():
    x = Tensor([5.5, -1.25], dtype=np.float64, requires_grad=True)
    assert np.array_equal((x % 2).data, np.array([5.5, -1.25]) % 2)
    assert np.array_equal((7.0 % x).data, 7.0 % np.array([5.5, -1.25]))
    assert np.array_equal((np.array([3.0, 3.0]) % x).data, np.array([3.0, 3.0]) % np.array([5.5, -1.25]))
    quotient = x // 2
    assert np.array_equal(quotient.data, np.array([5.5, -1.25]) // 2) and not quotient.requires_grad
    assert np.array_equal((9 // Tensor([2, 4])).data, [4, 2])
    assert np.array_equal((Tensor([7, -7]) % 3).data, [1, 2]) and (Tensor([7, -7]) % 3).dtype == np.int64


def test_remainder_stays_exact_where_a_minus_b_floor_a_over_b_would_not():
    a, b = np.array([1e17 + 3.0]), np.array([7.0])
    assert np.array_equal(np.remainder(Tensor(a), Tensor(b)).data, np.remainder(a, b))


@pytest.mark.parametrize("function", [np.fmax, np.fmin])
def test_fmax_and_fmin_ignore_nan_as_numpy_and_route_the_gradient_to_the_number(function):
    a = Tensor([np.nan, 1.0, np.nan, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    b = Tensor([1.0, np.nan, np.nan, 2.0, 1.0], dtype=np.float64, requires_grad=True)
    y = function(a, b)
    assert np.array_equal(y.data, function(a.data, b.data), equal_nan=True)
    y.sum().backward()
    winner_a = 1.0 if function is np.fmax else 0.0
    assert np.array_equal(a.grad.data, [0.0, 1.0, 0.0, 0.5, winner_a])  # both nan: no gradient; a tie: half
    assert np.array_equal(b.grad.data, [1.0, 0.0, 0.0, 0.5, 1 - winner_a])


@FEW
@given(data=st.data())
def test_fmax_and_fmin_without_nan_are_maximum_and_minimum(data):
    shape_a, shape_b = data.draw(broadcastable_shapes())
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b)) + 0.0123
    check_value(np.fmax, a, b)
    check_value(np.fmin, a, b)
    gradcheck(lambda s, t: np.fmax(s, t), a, b)


def test_hypot_does_not_overflow_where_the_squares_would():
    x = Tensor([3e200], dtype=np.float64, requires_grad=True)
    y = np.hypot(x, Tensor([4e200], dtype=np.float64))
    assert np.isclose(y.data[0], 5e200)
    y.backward()
    assert np.isclose(x.grad.data[0], 0.6)


def test_arctan2_keeps_the_quadrant():
    y, x = np.array([1.0, 1.0, -1.0, -1.0]), np.array([1.0, -1.0, -1.0, 1.0])
    assert np.array_equal(np.arctan2(Tensor(y), Tensor(x)).data, np.arctan2(y, x))


def test_complex_tensors_are_refused_with_a_message():
    with pytest.raises((TypeError, ValueError)):
        np.real(Tensor(np.array([1 + 2j])))


# Every function HIPS autograd gives a VJP (autograd/numpy/numpy_vjps.py, linalg.py, and the ones its
# numpy_wrapper.py composes), by NumPy's name: each is dispatched on tensors or listed in docs/numpy.md
# as not supported, with the reason.
HIPS_VJP_ENTRIES = [
    "nan_to_num",
    "add",
    "multiply",
    "subtract",
    "divide",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "logaddexp",
    "logaddexp2",
    "true_divide",
    "mod",
    "remainder",
    "power",
    "arctan2",
    "hypot",
    "negative",
    "abs",
    "absolute",
    "fabs",
    "reciprocal",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "rad2deg",
    "degrees",
    "deg2rad",
    "radians",
    "square",
    "sqrt",
    "sinc",
    "reshape",
    "roll",
    "array_split",
    "split",
    "vsplit",
    "hsplit",
    "dsplit",
    "ravel",
    "expand_dims",
    "squeeze",
    "diag",
    "flipud",
    "fliplr",
    "rot90",
    "trace",
    "full",
    "triu",
    "tril",
    "clip",
    "swapaxes",
    "moveaxis",
    "real_if_close",
    "real",
    "imag",
    "conj",
    "conjugate",
    "angle",
    "where",
    "cross",
    "linspace",
    "astype",
    "rollaxis",
    "diff",
    "gradient",
    "repeat",
    "tile",
    "kron",
    "transpose",
    "broadcast_to",
    "sum",
    "mean",
    "prod",
    "var",
    "std",
    "max",
    "min",
    "amax",
    "amin",
    "cumsum",
    "inner",
    "matmul",
    "dot",
    "tensordot",
    "concatenate",
    "sort",
    "msort",
    "partition",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "einsum",
    "diagonal",
    "pad",
    "stack",
    "append",
    "hstack",
    "column_stack",
    "select",
    "linalg.det",
    "linalg.slogdet",
    "linalg.inv",
    "linalg.pinv",
    "linalg.solve",
    "linalg.norm",
    "linalg.eigh",
    "linalg.eig",
    "linalg.cholesky",
    "linalg.svd",
]
HIPS_NOGRAD = [
    "floor",
    "ceil",
    "round",
    "rint",
    "around",
    "fix",
    "trunc",
    "all",
    "any",
    "argmax",
    "argmin",
    "argpartition",
    "argsort",
    "argwhere",
    "nonzero",
    "flatnonzero",
    "count_nonzero",
    "searchsorted",
    "sign",
    "floor_divide",
    "logical_and",
    "logical_or",
    "logical_not",
    "logical_xor",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "allclose",
    "isclose",
    "array_equal",
    "array_equiv",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "equal",
    "not_equal",
    "iscomplexobj",
    "iscomplex",
    "isreal",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "result_type",
]


def _numpy_function(name):
    module = np
    for part in name.split("."):
        module = getattr(module, part, None)
    return module


def test_every_hips_autograd_entry_is_dispatched_or_documented_as_not_supported():
    from tinygrad_sm.interop import _FUNCTIONS, _UFUNCS

    page = (Path(__file__).resolve().parents[1] / "docs" / "numpy.md").read_text()
    omissions = page[page.index("## What is not supported") :]
    missing = []
    for name in HIPS_VJP_ENTRIES + HIPS_NOGRAD:
        function = _numpy_function(name)
        dispatched = function is not None and (function in _FUNCTIONS or function in _UFUNCS)
        if not dispatched and f"np.{name}" not in omissions and f"`{name.split('.')[-1]}`" not in omissions:
            missing.append(name)
    assert not missing, f"neither dispatched nor listed as not supported in docs/numpy.md: {missing}"
