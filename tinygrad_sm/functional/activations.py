"""Activations: elementwise nonlinearities, primitives or composites of public Tensor ops.

``erf`` and ``log1p`` are applied as the primitives ``ops.Erf`` / ``ops.Log1p`` (the Tensor methods of
the same names arrive with the breadth ops' method table).

Piecewise functions are written with ``where`` on a condition read from the values (a constant, so it
carries no gradient); the branch that is not chosen gets its input through another ``where`` that
replaces the values it must not see (``exp`` of a large ``x``), so no ``inf * 0 = nan`` can reach the
gradient. At each kink the gradient is the one PyTorch returns there; the docstrings say which.
"""

from __future__ import annotations

import math

from .. import ops
from ..tensor import Tensor, where


def sigmoid(x: Tensor) -> Tensor:
    """``1 / (1 + e^-x)`` (a primitive with a stable forward)."""
    return x.sigmoid()


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)`` elementwise (a primitive); the gradient is 1 where ``x > 0``, else 0. Shape of ``x``.
    ``inplace=True`` writes the result into ``x`` (``x.relu_()``), as PyTorch's."""
    return x.relu_() if inplace else x.relu()  # type: ignore[attr-defined, no-any-return]


def tanh(x: Tensor) -> Tensor:
    """``tanh(x)`` elementwise (a primitive); the gradient is ``1 - tanh(x)^2``. Shape of ``x``."""
    return x.tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``. At ``x = 0`` the gradient is ``negative_slope``
    (as PyTorch). Shape of ``x``."""
    return where(x > 0, x, x * negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha (e^x - 1)``; the gradient at ``x = 0`` is ``alpha`` (as PyTorch)."""
    positive = x > 0
    negative_part = where(positive, 0.0, x)  # exp never sees the large positive values
    return where(positive, x, (negative_part.exp() - 1) * alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit ``x Phi(x)``, ``Phi`` the standard normal CDF.

    ``approximate='none'``: ``x/2 (1 + erf(x / sqrt 2))`` (through the ``Erf`` primitive).
    ``approximate='tanh'``: ``x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.
    """
    if approximate == "none":
        return x * 0.5 * (ops.Erf.apply(x * (1 / math.sqrt(2))) + 1)
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (inner.tanh() + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(x: Tensor) -> Tensor:
    """``x sigmoid(x)`` (also called swish). Shape of ``x``."""
    return x * x.sigmoid()


def _softplus_unit(z: Tensor) -> Tensor:
    """``ln(1 + e^z)`` without overflow: ``z + ln(1 + e^-z)`` for ``z > 0``, ``ln(1 + e^z)`` otherwise
    (``log1p`` keeps the tiny values of very negative ``z``). Its gradient is ``sigmoid(z)``, ½ at 0."""
    positive = z > 0
    z_positive = where(positive, z, 0.0)
    z_rest = where(positive, 0.0, z)
    return where(positive, z_positive + ops.Log1p.apply((-z_positive).exp()), ops.Log1p.apply(z_rest.exp()))


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``ln(1 + e^(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (as PyTorch, for
    speed and to keep the gradient exactly 1 there). The gradient is ``sigmoid(beta x)``."""
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero (it divides the result)")
    scaled = x * beta
    linear = scaled > threshold
    smooth = _softplus_unit(where(linear, 0.0, scaled)) / beta
    return where(linear, x, smooth)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``x`` clipped to ``[min_val, max_val]``. The gradient is 1 strictly inside and 0 outside and on
    both boundaries (as PyTorch's ``hardtanh``)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} is above max_val {max_val}")
    inside = (x > min_val) & (x < max_val)
    clipped = x.detach().maximum(min_val).minimum(max_val)  # a constant outside: no gradient flows there
    return where(inside, x, clipped)


def log_sigmoid(x: Tensor) -> Tensor:
    """``ln sigmoid(x) = -ln(1 + e^-x)``, stable for large ``|x|``; the gradient is ``1 - sigmoid(x)``."""
    return -_softplus_unit(-x)
