"""Elementwise composites: clamp, square, reciprocal, sign, logaddexp, and the primitives' method forms.

Only public Tensor ops; the gradients follow from ``where``, ``*``, ``/``, ``log`` and ``exp``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor, _floating, constant, values_of, where


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``min(max(x, min), max)`` elementwise; ``min``/``max`` are numbers or tensors (broadcast).

    Gradient: 1 where ``min <= x <= max`` (the boundary counts as inside, as in PyTorch), 0 outside;
    a tensor bound receives the gradient where it is the value chosen. If ``min > max`` every element
    is ``max``, as in PyTorch. nan stays nan."""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    out = x
    if min is not None:
        out = where(x < min, min, out)
    if max is not None:
        out = where(out > max, max, out)
    return out


def clamp_min(x: Tensor, min: Any) -> Tensor:
    """``clamp(x, min=min)``: ``max(x, min)`` elementwise (``x.clamp_min(0.)`` is ReLU written by hand)."""
    return clamp(x, min=min)


def clamp_max(x: Tensor, max: Any) -> Tensor:
    """``clamp(x, max=max)``: ``min(x, max)`` elementwise."""
    return clamp(x, max=max)


def lerp(x: Tensor, end: Any, weight: Any) -> Tensor:
    """``x + weight * (end - x)``: linear interpolation from ``x`` to ``end`` (``torch.lerp``; fast.ai's
    running averages write ``avg.lerp_(new, 1 - beta)``). Gradient: ``1 - weight`` to ``x``, ``weight`` to ``end``."""
    return x + weight * (end - x)


def clip(x: Tensor, a_min: Any = None, a_max: Any = None, *, min: Any = None, max: Any = None) -> Tensor:
    """``np.clip`` / ``torch.clip``: ``clamp`` under NumPy's argument names (either spelling)."""
    if (a_min is not None and min is not None) or (a_max is not None and max is not None):
        raise TypeError("clip: give each bound once (a_min= or min=, a_max= or max=)")
    return clamp(x, a_min if a_min is not None else min, a_max if a_max is not None else max)


def square(x: Tensor) -> Tensor:
    """``x * x`` (gradient ``2 x g``)."""
    return x * x


def reciprocal(x: Tensor) -> Tensor:
    """``1 / x`` (gradient ``-g / x^2``)."""
    return 1 / x if x.dtype.kind == "f" else 1 / x.astype(np.float32)


def neg(x: Tensor) -> Tensor:
    return -x


def sign(x: Tensor) -> Tensor:
    """-1, 0 or 1 elementwise. Its gradient is 0 everywhere (as in PyTorch): the values are a constant
    chosen by a ``where`` that never picks ``x``, so a graph through ``sign`` still reaches ``x``."""
    signs = values_of(np.sign, x)
    if not x.requires_grad:
        return signs
    return where(constant(np.zeros(x.shape, dtype=bool)), x, signs)


def sin(x: Tensor) -> Tensor:
    return ops.Sin.apply(_floating(x))  # (an integer tensor: float32, as PyTorch)


def cos(x: Tensor) -> Tensor:
    return ops.Cos.apply(_floating(x))


def log1p(x: Tensor) -> Tensor:
    return ops.Log1p.apply(_floating(x))


def expm1(x: Tensor) -> Tensor:
    return ops.Expm1.apply(_floating(x))


def erf(x: Tensor) -> Tensor:
    return ops.Erf.apply(_floating(x))


def log2(x: Tensor) -> Tensor:
    """Base-2 logarithm, exact at powers of two (``np.log2`` forward; gradient ``g / (x ln 2)``)."""
    return ops.Log2.apply(_floating(x))


def log10(x: Tensor) -> Tensor:
    """Base-10 logarithm, exact at powers of ten (``np.log10`` forward; gradient ``g / (x ln 10)``)."""
    return ops.Log10.apply(_floating(x))


def logaddexp(a: Any, b: Any) -> Tensor:
    """``log(e^a + e^b)`` without overflow: ``m + log(e^(a-m) + e^(b-m))`` with ``m = max(a, b)`` held
    constant (it cancels, so the gradient is exact: ``e^a / (e^a + e^b)`` to ``a``). Where both are
    -inf the result is -inf."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    shift = values_of(_finite_max, a, b)  # a number next to a tensor keeps the tensor's dtype (NumPy 2)
    with np.errstate(divide="ignore"):  # both -inf: log 0 = -inf is the answer
        return shift + ((a - shift).exp() + (b - shift).exp()).log()


def _finite_max(a: Any, b: Any) -> np.ndarray:
    """``max(a, b)``, 0 where that is not finite (the constant shift of ``logaddexp``)."""
    shift = np.maximum(a, b)
    return np.asarray(np.where(np.isfinite(shift), shift, 0), dtype=np.result_type(shift))
