"""Rounding and remainders: step functions (gradient 0) and the remainders whose gradient they give.

``floor``, ``ceil``, ``round``/``rint`` and ``trunc`` are flat between their jumps, so their gradient is
0 everywhere (at the jumps too, as PyTorch and HIPS autograd take it): the result stays in the graph,
so ``floor(x).sum().backward()`` gives ``x.grad == 0`` rather than an error. ``remainder`` (``%``) and
``fmod`` are primitives, not ``a - b * floor(a / b)``: that composite loses every digit of the
remainder once ``a / b`` passes 2^53, where NumPy's remainder is exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import autograd as _autograd
from ..autograd import Primitive
from ._helpers import Array, Grads, _require_numeric, unbroadcast


def _zeros_like(grad: Any) -> Any:
    """Zeros of ``grad``'s shape, of its kind (an array, or under create_graph a constant Tensor)."""
    zeros = np.zeros(grad.shape, dtype=grad.dtype)
    return zeros if isinstance(grad, np.ndarray) else _autograd.Tensor._wrap(zeros)


class Floor(Primitive):
    math = (r"\lfloor x \rfloor", r"\bar x = 0")
    reads_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("floor", x)
        return np.floor(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (_zeros_like(grad),)


class Ceil(Floor):
    math = (r"\lceil x \rceil", r"\bar x = 0")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("ceil", x)
        return np.ceil(x)


class Trunc(Floor):
    """Round towards zero (``np.trunc``, ``np.fix``, ``torch.trunc``)."""

    math = (r"\operatorname{trunc} x", r"\bar x = 0")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("trunc", x)
        return np.trunc(x)


class Round(Floor):
    """Round half to even (``np.round``/``np.rint``/``torch.round``), to ``decimals`` places."""

    math = (r"\operatorname{round}(x)", r"\bar x = 0")

    def forward(self, x: np.ndarray, decimals: int = 0) -> np.ndarray:
        _require_numeric("round", x)
        return np.round(x, decimals)


class Remainder(Primitive):
    """``a mod b`` with the sign of the divisor (Python's ``%``, ``np.remainder``/``np.mod``,
    ``torch.remainder``); ``rounding="trunc"`` gives the sign of the dividend instead (``np.fmod``,
    ``torch.fmod``). Since ``a mod b = a - b q`` with the quotient ``q`` (floored, or truncated for
    fmod) piecewise constant, ``ā = g`` and ``b̄ = -g q``. At the jumps (``a`` a multiple of ``b``) the
    rule takes that side's quotient, as PyTorch and HIPS autograd do. ``b = 0`` gives nan, as NumPy."""

    math = (
        r"a - b \lfloor a / b \rfloor",
        r"\bar a = g,\ \bar b = -g \lfloor a / b \rfloor \ (\text{fmod: } -g\operatorname{trunc}(a / b))",
    )

    def forward(self, a: np.ndarray, b: np.ndarray, rounding: str = "floor") -> np.ndarray:
        _require_numeric("remainder", a, b)
        self.rounding = rounding
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.remainder(a, b) if rounding == "floor" else np.fmod(a, b)

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        grad_b = None
        if self.needs_grad[1]:
            with np.errstate(invalid="ignore", divide="ignore"):
                quotient = np.floor(a / b) if self.rounding == "floor" else np.trunc(a / b)
            grad_b = unbroadcast(-grad * quotient, b.shape)
        return (unbroadcast(grad, a.shape) if self.needs_grad[0] else None, grad_b)
