"""Trigonometric and hyperbolic primitives (NumPy's names: ``tan``, ``arcsin``, ``arctan2``, ``hypot``...).

Each is a primitive rather than a composite because the composite would be less accurate or wrong
somewhere in the domain: ``arcsinh(x) = ln(x + sqrt(x^2 + 1))`` cancels for large negative x,
``arctan(b / a)`` loses the quadrant that ``arctan2`` keeps, ``sqrt(a^2 + b^2)`` overflows at 1e200
where ``hypot`` does not. Forward is NumPy's ufunc; outside the domain the value is nan, as in NumPy
(``arccosh(0.5)``, ``arcsin(2)``), and so is the gradient there.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Primitive
from ._helpers import Array, Grads, _require_numeric, unbroadcast


class _Unary(Primitive):
    """One input, forward by the NumPy ufunc named in ``ufunc`` (nan outside the domain, as NumPy)."""

    ufunc: np.ufunc = np.sin  # each subclass names its own (a ufunc is not bound as a method)

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric(self.ufunc.__name__, x)
        with np.errstate(invalid="ignore", divide="ignore"):  # nan/inf outside the domain, as NumPy
            return self.ufunc(x)


class Tan(_Unary):
    math = (r"\tan x", r"\bar x = g\,(1 + \tan^2 x)")
    ufunc = np.tan
    reads_inputs, reads_output = False, True

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * (1 + out * out),)  # sec^2 x = 1 + tan^2 x


class Arcsin(_Unary):
    math = (r"\arcsin x", r"\bar x = g / \sqrt{1 - x^2}")
    ufunc = np.arcsin

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / np.sqrt(1 - x * x),)


class Arccos(_Unary):
    math = (r"\arccos x", r"\bar x = -g / \sqrt{1 - x^2}")
    ufunc = np.arccos

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (-grad / np.sqrt(1 - x * x),)


class Arctan(_Unary):
    math = (r"\arctan x", r"\bar x = g / (1 + x^2)")
    ufunc = np.arctan

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / (1 + x * x),)


class Sinh(_Unary):
    math = (r"\sinh x", r"\bar x = g \cosh x")
    ufunc = np.sinh

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * np.cosh(x),)


class Cosh(_Unary):
    math = (r"\cosh x", r"\bar x = g \sinh x")
    ufunc = np.cosh

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * np.sinh(x),)


class Arcsinh(_Unary):
    math = (r"\operatorname{arcsinh} x", r"\bar x = g / \sqrt{x^2 + 1}")
    ufunc = np.arcsinh

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / np.sqrt(x * x + 1),)


class Arccosh(_Unary):
    """Defined for x >= 1; below 1 the value and the gradient are nan, as in NumPy and PyTorch."""

    math = (r"\operatorname{arccosh} x", r"\bar x = g / \sqrt{x^2 - 1}")
    ufunc = np.arccosh

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (grad / np.sqrt(x * x - 1),)


class Arctanh(_Unary):
    math = (r"\operatorname{arctanh} x", r"\bar x = g / (1 - x^2)")
    ufunc = np.arctanh

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        with np.errstate(divide="ignore"):
            return (grad / (1 - x * x),)


class Arctan2(Primitive):
    """``arctan2(y, x)``: the angle of the point (x, y), in (-pi, pi], all four quadrants. At the
    origin the value is 0 (NumPy's) and the gradient nan (0/0, as PyTorch's)."""

    math = (
        r"\operatorname{atan2}(y, x)",
        r"\bar y = g\, x / (x^2 + y^2),\ \bar x = -g\, y / (x^2 + y^2)",
    )

    def forward(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        _require_numeric("arctan2", y, x)
        return np.arctan2(y, x)

    def backward(self, grad: Array, y: Array, x: Array, out: Array) -> Grads:
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = grad / (x * x + y * y)
            return (
                unbroadcast(scaled * x, y.shape) if self.needs_grad[0] else None,
                unbroadcast(-scaled * y, x.shape) if self.needs_grad[1] else None,
            )


class Hypot(Primitive):
    """``sqrt(a^2 + b^2)`` without overflow or underflow in the squares (NumPy's ``hypot``). At
    a = b = 0 the gradient is nan (0/0), as in PyTorch."""

    math = (
        r"\sqrt{a^2 + b^2}",
        r"\bar a = g\, a / \operatorname{hypot}(a, b),\ \bar b = g\, b / \operatorname{hypot}(a, b)",
    )
    reads_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _require_numeric("hypot", a, b)
        return np.hypot(a, b)

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = grad / out
            return (
                unbroadcast(scaled * a, a.shape) if self.needs_grad[0] else None,
                unbroadcast(scaled * b, b.shape) if self.needs_grad[1] else None,
            )
