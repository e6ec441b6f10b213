"""Elementwise primitives: one and two inputs, broadcasting undone by ``unbroadcast``."""

from __future__ import annotations

import math as _pymath
from collections.abc import Callable

import numpy as np

from ..autograd import Primitive
from ._helpers import Array, Grads, _require_numeric, unbroadcast, values_of

# ---------------------------------------------------------------- two inputs


class Add(Primitive):
    math = (r"a + b", r"\bar a = g,\ \bar b = g")
    reads_inputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        return (
            unbroadcast(grad, a.shape) if self.needs_grad[0] else None,
            unbroadcast(grad, b.shape) if self.needs_grad[1] else None,
        )


class Sub(Primitive):
    math = (r"a - b", r"\bar a = g,\ \bar b = -g")
    reads_inputs = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        return (
            unbroadcast(grad, a.shape) if self.needs_grad[0] else None,
            unbroadcast(-grad, b.shape) if self.needs_grad[1] else None,
        )


class Mul(Primitive):
    math = (r"a \cdot b", r"\bar a = g\, b,\ \bar b = g\, a")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        return (
            unbroadcast(grad * b, a.shape) if self.needs_grad[0] else None,
            unbroadcast(grad * a, b.shape) if self.needs_grad[1] else None,
        )


class Div(Primitive):
    math = (r"a / b", r"\bar a = g / b,\ \bar b = -g\, a / b^2")
    reads_output = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a / b

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        grad_a = grad / b  # d(a/b)/da = 1/b
        return (
            unbroadcast(grad_a, a.shape),
            unbroadcast(-grad_a * out, b.shape) if self.needs_grad[1] else None,
        )  # d/db = -(a/b)/b


class Pow(Primitive):
    """``base ** exponent``. At base 0 the rules follow PyTorch: where the exponent is 0 the base
    gradient is 0 (``x ** 0`` is the constant 1), and where the base is 0 and the exponent >= 0 the
    exponent gradient is 0 (``0 ** y`` is flat in y there; ``a^b ln a`` would give 0 * -inf = nan)."""

    math = (
        r"a^b",
        r"\bar a = g\, b\, a^{b-1}\ (0 \text{ where } b = 0),\ "
        r"\bar b = g\, a^b \ln a\ (0 \text{ where } a = 0, b \ge 0)",
    )
    reads_output = True

    def forward(self, base: np.ndarray, exponent: np.ndarray) -> np.ndarray:
        _require_numeric("pow", base, exponent)
        with np.errstate(divide="ignore", invalid="ignore"):
            return base**exponent

    def backward(self, grad: Array, base: Array, exponent: Array, out: Array) -> Grads:
        grad_base = grad_exponent = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_grad[0]:
                grad_base = np.where(values_of(exponent) == 0, 0, grad * exponent * base ** (exponent - 1))
                grad_base = unbroadcast(grad_base, base.shape)
            if self.needs_grad[1]:
                flat = (values_of(base) == 0) & (values_of(exponent) >= 0)
                grad_exponent = unbroadcast(np.where(flat, 0, grad * out * np.log(base)), exponent.shape)
        return grad_base, grad_exponent


class Maximum(Primitive):
    """Elementwise max; where ``a == b`` the gradient is split evenly (0.5 each), as for ``max``.
    (Subgradient conventions, in one place: ``relu`` and ``abs`` have gradient 0 at 0, ties of
    ``maximum``/``minimum`` split 0.5/0.5, tied maxima/minima of ``max``/``min`` share 1/k each; PyTorch
    does the same for relu, abs, maximum and minimum and for max/min over all elements.)"""

    math = (r"\max(a, b)", r"\bar a = g\,[a > b] + \tfrac12 g\,[a = b],\ \bar b = g - \bar a")
    reads_inputs = False
    pick: Callable[..., np.ndarray] = staticmethod(np.maximum)
    wins: Callable[..., np.ndarray] = staticmethod(np.greater)

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = self.pick(a, b)
        if a.dtype.kind == "f" or b.dtype.kind == "f":  # constant: the choice is piecewise fixed
            self.weight_a = self.wins(a, b) + 0.5 * (a == b).astype(out.dtype)
        else:  # integers and bools never require grad: no weights to keep
            self.weight_a = None
        return out

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        return (unbroadcast(grad * self.weight_a, a.shape), unbroadcast(grad * (1 - self.weight_a), b.shape))


class Minimum(Maximum):
    """Elementwise min, directly (not ``-max(-a, -b)``, which overflows for the most negative integer
    and fails for bools); ties split evenly as for ``maximum``."""

    math = (r"\min(a, b)", r"\bar a = g\,[a < b] + \tfrac12 g\,[a = b],\ \bar b = g - \bar a")
    pick = staticmethod(np.minimum)
    wins = staticmethod(np.less)


class Where(Primitive):
    """``where(condition, a, b)``; the condition is a constant boolean array, not an input."""

    math = (r"c \,?\, a : b", r"\bar a = g\,[c],\ \bar b = g\,[\lnot c]")
    reads_inputs = False

    def forward(self, a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad: Array, a: Array, b: Array, out: Array) -> Grads:
        # np.where rather than grad * mask, so an inf in the unselected branch's gradient cannot become nan
        return (
            unbroadcast(np.where(self.condition, grad, 0), a.shape),
            unbroadcast(np.where(self.condition, 0, grad), b.shape),
        )


# ---------------------------------------------------------------- one input


class Neg(Primitive):
    math = (r"-x", r"\bar x = -g")
    reads_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -x

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (-grad,)


class Exp(Primitive):
    math = (r"e^x", r"\bar x = g\, e^x")
    reads_inputs, reads_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("exp", x)
        return np.exp(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * out,)  # d e^x = e^x


class Log(Primitive):
    math = (r"\ln x", r"\bar x = g / x")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("log", x)
        return np.log(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / x,)


class Sqrt(Primitive):
    math = (r"\sqrt{x}", r"\bar x = g / (2\sqrt{x})")
    reads_inputs, reads_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("sqrt", x)
        return np.sqrt(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / (out * 2),)


class ReLU(Primitive):
    """``max(x, 0)``; its gradient at exactly 0 is 0, as in PyTorch."""

    math = (r"\max(x, 0)", r"\bar x = g\,[x > 0]")
    reads_inputs, reads_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * (out > 0),)


class Abs(Primitive):
    """``|x|``; its gradient at exactly 0 is 0 (``sign(0) = 0``), as in PyTorch, the same
    convention as ``relu`` (see ``Maximum`` for all the subgradient conventions)."""

    math = (r"|x|", r"\bar x = g\, \operatorname{sign}(x)")
    reads_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("abs", x)
        self.sign = np.sign(x)  # constant: piecewise fixed, and 0 at 0
        return np.abs(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * self.sign,)


class Sigmoid(Primitive):
    """``1 / (1 + e^-x)``, evaluated as ``e^-|x| / (1 + e^-|x|)`` for negative x so it never overflows."""

    math = (r"\sigma(x) = 1/(1 + e^{-x})", r"\bar x = g\, \sigma(x)(1 - \sigma(x))")
    reads_inputs, reads_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("sigmoid", x)
        small = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + small), small / (1 + small)).astype(small.dtype, copy=False)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * out * (1 - out),)  # s' = s (1 - s)


class Tanh(Primitive):
    math = (r"\tanh x", r"\bar x = g\,(1 - \tanh^2 x)")
    reads_inputs, reads_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("tanh", x)
        return np.tanh(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * (1 - out * out),)


class Cast(Primitive):
    math = (r"x \text{ as dtype}", r"\bar x = g \text{ as } x\text{'s dtype}")
    reads_inputs = False

    def forward(self, x: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return x.astype(dtype)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad.astype(x.dtype),)


class Clone(Cast):
    """A copy that stays in the graph (``t.clone()``): the gradient passes through unchanged."""

    math = (r"x \text{ (a copy)}", r"\bar x = g")

    def forward(self, x: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
        return x.copy()


# ---------------------------------------------------------------- one input, added for breadth


class Sin(Primitive):
    math = (r"\sin x", r"\bar x = g \cos x")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("sin", x)
        return np.sin(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * np.cos(x),)


class Cos(Primitive):
    math = (r"\cos x", r"\bar x = -g \sin x")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("cos", x)
        return np.cos(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (-grad * np.sin(x),)


class Log1p(Primitive):
    """``ln(1 + x)``, accurate for tiny x where ``log(1 + x)`` would round ``1 + x`` away."""

    math = (r"\ln(1 + x)", r"\bar x = g / (1 + x)")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("log1p", x)
        return np.log1p(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / (x + 1),)


class Expm1(Primitive):
    """``e^x - 1``, accurate for tiny x."""

    math = (r"e^x - 1", r"\bar x = g\, e^x")
    reads_inputs, reads_output = False, True

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("expm1", x)
        return np.expm1(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * (out + 1),)


_erf = np.vectorize(_pymath.erf, otypes=[np.float64])  # NumPy has no erf; the math module's is exact to 1 ulp


class Erf(Primitive):
    """The error function ``2/sqrt(pi) * integral_0^x e^(-t^2) dt`` (elementwise with ``math.erf``)."""

    math = (
        r"\operatorname{erf}(x) = \tfrac{2}{\sqrt\pi}\int_0^x e^{-t^2}\,dt",
        r"\bar x = g\, \tfrac{2}{\sqrt\pi} e^{-x^2}",
    )

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("erf", x)
        dtype = x.dtype if x.dtype.kind == "f" else np.float32
        return _erf(x).astype(dtype, copy=False) if x.size else np.zeros(x.shape, dtype)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad * (2 / np.sqrt(np.pi)) * np.exp(-(x * x)),)


class Log2(Primitive):
    math = (r"\log_2 x", r"\bar x = g / (x \ln 2)")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("log2", x)
        return np.log2(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / (x * np.log(2.0)),)


class Log10(Primitive):
    math = (r"\log_{10} x", r"\bar x = g / (x \ln 10)")

    def forward(self, x: np.ndarray) -> np.ndarray:
        _require_numeric("log10", x)
        return np.log10(x)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad / (x * np.log(10.0)),)
