"""Elementwise functions of the NumPy surface: trigonometry, rounding, remainders, and the composites
NumPy and PyTorch name separately (``exp2``, ``deg2rad``, ``fmax``, ``logaddexp2``, ``sinc``...).

The trigonometric, rounding and remainder functions dispatch to their primitives (``ops/trig.py``,
``ops/rounding.py``); the rest are composites of public ops, so their gradients follow from the
primitives'. PyTorch's names are the functions' names (``asin``, ``atan2``); the NumPy spellings
(``np.arcsin``, ``np.arctan2``) are rows of the one table calling the same functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import (  # (_floating: integers become float32, as PyTorch)
    Tensor,
    _floating,
    _promoted,
    constant,
    values_of,
    where,
)
from ..tensor_functions import _as_tensor, maximum, minimum
from .pointwise import logaddexp

_LN2 = float(np.log(2.0))


def _refuse_complex(name: str, x: Tensor) -> None:
    if x.dtype.kind == "c":
        raise TypeError(f"{name}: complex tensors are not supported (tinygrad_sm differentiates real arrays only)")


# ---------------------------------------------------------------- trigonometric and hyperbolic (primitives)
def tan(x: Any) -> Tensor:
    """``tan x`` (gradient ``g (1 + tan² x)``)."""
    return ops.Tan.apply(_floating(_as_tensor(x)))


def asin(x: Any) -> Tensor:
    """``arcsin x`` (``np.arcsin``); nan outside [-1, 1], as NumPy."""
    return ops.Arcsin.apply(_floating(_as_tensor(x)))


def acos(x: Any) -> Tensor:
    """``arccos x`` (``np.arccos``); nan outside [-1, 1], as NumPy."""
    return ops.Arccos.apply(_floating(_as_tensor(x)))


def atan(x: Any) -> Tensor:
    """``arctan x`` (``np.arctan``)."""
    return ops.Arctan.apply(_floating(_as_tensor(x)))


def sinh(x: Any) -> Tensor:
    return ops.Sinh.apply(_floating(_as_tensor(x)))


def cosh(x: Any) -> Tensor:
    return ops.Cosh.apply(_floating(_as_tensor(x)))


def asinh(x: Any) -> Tensor:
    """``arsinh x`` (``np.arcsinh``), accurate for large negative x too."""
    return ops.Arcsinh.apply(_floating(_as_tensor(x)))


def acosh(x: Any) -> Tensor:
    """``arcosh x`` (``np.arccosh``); below 1 the value and the gradient are nan, as NumPy."""
    return ops.Arccosh.apply(_floating(_as_tensor(x)))


def atanh(x: Any) -> Tensor:
    """``artanh x`` (``np.arctanh``); ±inf at ±1, nan beyond, as NumPy."""
    return ops.Arctanh.apply(_floating(_as_tensor(x)))


def atan2(y: Any, x: Any) -> Tensor:
    """The angle of the point (x, y) in (-pi, pi] (``np.arctan2(y, x)``; broadcast)."""
    return ops.Arctan2.apply(*_promoted(y, x, true_divide=True))


def hypot(a: Any, b: Any) -> Tensor:
    """``sqrt(a² + b²)`` without overflow (``np.hypot``; broadcast)."""
    return ops.Hypot.apply(*_promoted(a, b, true_divide=True))


# ---------------------------------------------------------------- rounding: gradient 0 (primitives)
def floor(x: Any) -> Tensor:
    """The largest integer <= x; gradient 0 (the result stays in the graph, as in PyTorch)."""
    return ops.Floor.apply(_as_tensor(x))


def ceil(x: Any) -> Tensor:
    """The smallest integer >= x; gradient 0."""
    return ops.Ceil.apply(_as_tensor(x))


def trunc(x: Any) -> Tensor:
    """Round towards zero (``np.trunc``, ``np.fix``); gradient 0."""
    return ops.Trunc.apply(_as_tensor(x))


def round(x: Any, decimals: int = 0) -> Tensor:
    """Round half to even, to ``decimals`` places (``np.round``/``np.rint``/``torch.round``); gradient 0."""
    return ops.Round.apply(_as_tensor(x), decimals=int(decimals))


# ---------------------------------------------------------------- remainders
def remainder(a: Any, b: Any) -> Tensor:
    """``a mod b`` with the sign of ``b`` (``a % b``, ``np.remainder``/``np.mod``); gradients ``g`` to
    ``a`` and ``-g floor(a / b)`` to ``b``."""
    return ops.Remainder.apply(*_promoted(a, b))


def fmod(a: Any, b: Any) -> Tensor:
    """``a mod b`` with the sign of ``a`` (C's fmod, ``np.fmod``); gradients ``g`` and ``-g trunc(a / b)``."""
    return ops.Remainder.apply(*_promoted(a, b), rounding="trunc")


def floor_divide(a: Any, b: Any) -> Tensor:
    """``floor(a / b)`` (``a // b``). Piecewise constant, so it is a constant tensor (not in the graph):
    PyTorch has no gradient for it either; write ``floor(a / b)`` for a zero gradient that stays in the graph."""
    return values_of(np.floor_divide, a, b)


def _rremainder(b: Tensor, a: Any) -> Tensor:  # a % b with a Python number or array on the left
    return remainder(a, b)


def _rfloor_divide(b: Tensor, a: Any) -> Tensor:
    return floor_divide(a, b)


# ---------------------------------------------------------------- composites
def exp2(x: Any) -> Tensor:
    """``2^x`` as ``2 ** x`` (the power's rule gives ``g 2^x ln 2``)."""
    return 2.0 ** _floating(_as_tensor(x))  # (an integer tensor: float32, as torch.exp2)


def fabs(x: Any) -> Tensor:
    """``|x|`` as a float (``np.fabs``; gradient ``g sign x``, 0 at 0)."""
    x = _as_tensor(x)
    _refuse_complex("fabs", x)
    return (x if x.dtype.kind == "f" else x.astype(np.float64)).abs()


def deg2rad(x: Any) -> Tensor:
    """Degrees to radians, ``x · pi/180`` (``np.deg2rad``, ``np.radians``)."""
    return _as_tensor(x) * (np.pi / 180)


def rad2deg(x: Any) -> Tensor:
    """Radians to degrees, ``x · 180/pi`` (``np.rad2deg``, ``np.degrees``)."""
    return _as_tensor(x) * (180 / np.pi)


def _nan_aware(pick: Any, a: Any, b: Any) -> Tensor:
    a, b = _promoted(a, b)
    a_nan, b_nan = a.isnan(), b.isnan()  # masks: constants of the graph
    # a nan on one side loses: the other side is the value and takes the whole gradient; both nan: nan, no gradient
    inner = where(b_nan & ~a_nan, a, where(a_nan & ~b_nan, b, pick(a, b)))
    return where(a_nan & b_nan, np.nan, inner)


def _replaced(values: np.ndarray, nan: float, posinf: Any, neginf: Any) -> np.ndarray:
    return np.asarray(np.nan_to_num(values, True, nan, posinf, neginf))


def _angles(values: np.ndarray, deg: bool) -> np.ndarray:
    return np.asarray(np.angle(values, deg), dtype=values.dtype if values.dtype.kind == "f" else np.float64)


def fmax(a: Any, b: Any) -> Tensor:
    """Elementwise max that ignores nan (``np.fmax``): where one side is nan the other is the value and
    takes the whole gradient; both nan give nan and no gradient. Ties split the gradient evenly."""
    return _nan_aware(maximum, a, b)


def fmin(a: Any, b: Any) -> Tensor:
    """Elementwise min that ignores nan (``np.fmin``); as ``fmax``."""
    return _nan_aware(minimum, a, b)


def logaddexp2(a: Any, b: Any) -> Tensor:
    """``log2(2^a + 2^b)`` without overflow: ``logaddexp(a ln 2, b ln 2) / ln 2``."""
    return logaddexp(_as_tensor(a) * _LN2, _as_tensor(b) * _LN2) / _LN2


def sinc(x: Any) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0 (``np.sinc``). At 0 a safe divisor keeps the gradient 0 (its
    true value) rather than nan; only the second derivative at exactly 0 is not that of sinc."""
    x = _as_tensor(x)
    at_zero = x == 0
    safe = where(at_zero, 1.0, x) * np.pi
    return where(at_zero, 1.0, safe.sin() / safe)


def nan_to_num(x: Any, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
    """nan, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default the dtype's extremes);
    the gradient passes where x is finite and is 0 at the replaced entries."""
    x = _as_tensor(x)
    replaced = values_of(_replaced, x, nan, posinf, neginf)
    return where(x.isfinite(), x, replaced)


# ---------------------------------------------------------------- complex parts, of real tensors
def real(x: Any) -> Tensor:
    """The real part: ``x`` itself for a real tensor (complex tensors are refused)."""
    x = _as_tensor(x)
    _refuse_complex("real", x)
    return x


def imag(x: Any) -> Tensor:
    """The imaginary part of a real tensor: zeros, a constant (as NumPy; PyTorch refuses real input)."""
    x = _as_tensor(x)
    _refuse_complex("imag", x)
    return Tensor._wrap(np.zeros(x.shape, dtype=x.dtype))


def conj(x: Any) -> Tensor:
    """The complex conjugate: ``x`` itself for a real tensor."""
    x = _as_tensor(x)
    _refuse_complex("conj", x)
    return x


def angle(x: Any, deg: bool = False) -> Tensor:
    """The argument of a real number: 0 for x >= +0, pi for x <= -0 (``np.angle``); gradient 0, in the
    graph (as PyTorch), via a ``where`` that never picks ``x``."""
    x = _as_tensor(x)
    _refuse_complex("angle", x)
    values = values_of(_angles, x, deg)
    if not x.requires_grad:
        return values
    return where(constant(np.zeros(x.shape, dtype=bool)), x, values)
