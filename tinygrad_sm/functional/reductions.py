"""Reductions composed from public ops: var/std, prod, cumsum/cumprod, norm, amax/amin.

Every one accepts PyTorch's ``dim``/``keepdim`` and NumPy's ``axis``/``keepdims`` through ``axis_args``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import _UNSET, Tensor, axis_args, stack, where
from .shape import _axis, narrow


def _count(x: Tensor, axis: Any) -> int:
    """How many elements each slice of a reduction over ``axis`` holds."""
    axes = ops._normalize_axes(axis, x.ndim)
    return int(np.prod([x.shape[a] for a in axes], dtype=np.int64))


def _correction(correction: Any, unbiased: Any, default: float) -> float:
    if unbiased is not _UNSET and correction is not None:
        raise TypeError("pass either correction= or unbiased=, not both")
    if unbiased is not _UNSET:
        return 1.0 if unbiased else 0.0
    return default if correction is None else float(correction)


def var(
    x: Tensor,
    dim: Any = _UNSET,
    unbiased: Any = _UNSET,
    keepdim: Any = _UNSET,
    *,
    correction: Any = None,
    axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> Tensor:
    """``sum((x - mean)^2) / (N - correction)`` over ``dim`` (all by default). ``correction`` defaults to
    1 (Bessel's), as in PyTorch; ``unbiased=False`` is ``correction=0``. (``np.var`` keeps NumPy's
    ``ddof=0`` default.) Where ``N <= correction`` the result is inf or nan, as in PyTorch."""
    axis, keep = axis_args(axis, keepdims, dim, keepdim, "var")
    _check_floating(x, "var")
    divisor = _count(x, axis) - _correction(correction, unbiased, 1.0)
    deviations = x - x.mean(axis=axis, keepdims=True)
    total = (deviations * deviations).sum(axis=axis, keepdims=keep)
    if divisor > 0:
        return total / divisor
    with np.errstate(divide="ignore", invalid="ignore"):  # too few elements: nan (or inf), as in PyTorch
        return total / 0.0


def std(
    x: Tensor,
    dim: Any = _UNSET,
    unbiased: Any = _UNSET,
    keepdim: Any = _UNSET,
    *,
    correction: Any = None,
    axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> Tensor:
    """``sqrt(var)`` with the same arguments. Where the spread is zero (a constant row) the gradient is 0, as
    PyTorch defines it (``1/(2 sqrt 0) * 0`` would be nan): the square root is taken of ``var`` only where
    it is positive."""
    variance = var(x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
    positive = variance > 0  # (a constant mask: no gradient flows through the choice)
    if positive.all() or not variance.requires_grad:
        return variance.sqrt()
    return where(positive, where(positive, variance, 1.0).sqrt(), variance * 0.0)


def var_mean(
    x: Tensor,
    dim: Any = _UNSET,
    unbiased: Any = _UNSET,
    keepdim: Any = _UNSET,
    *,
    correction: Any = None,
    axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` over ``dim``, as ``torch.var_mean`` (a plain tuple)."""
    variance = var(x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
    axis_, keep = axis_args(axis, keepdims, dim, keepdim, "var_mean")
    return variance, x.mean(axis=axis_, keepdims=keep)


def std_mean(
    x: Tensor,
    dim: Any = _UNSET,
    unbiased: Any = _UNSET,
    keepdim: Any = _UNSET,
    *,
    correction: Any = None,
    axis: Any = _UNSET,
    keepdims: Any = _UNSET,
) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` over ``dim``, as ``torch.std_mean`` (a plain tuple)."""
    deviation = std(x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
    axis_, keep = axis_args(axis, keepdims, dim, keepdim, "std_mean")
    return deviation, x.mean(axis=axis_, keepdims=keep)


def _check_floating(x: Tensor, op: str) -> None:
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{op} needs a floating point tensor, got dtype {x.dtype} (as PyTorch); convert with .float() first"
        )


def prod(x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Tensor:
    """Product over ``dim`` (all by default; a tuple as NumPy). The gradient is the product of the other
    elements, exact with zeros (the ``Prod`` primitive never divides by ``x``)."""
    axis, keep = axis_args(axis, keepdims, dim, keepdim, "prod")
    return ops.Prod.apply(x, axis=axis, keepdims=keep)


def cumsum(x: Tensor, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
    """Running sum along ``dim``; without one the flattened tensor is summed (NumPy; PyTorch requires ``dim``)."""
    axis, _ = axis_args(axis, _UNSET, dim, _UNSET, "cumsum")
    if axis is None:
        return ops.Cumsum.apply(x.reshape((-1,)), axis=0)
    return ops.Cumsum.apply(x, axis=_axis(axis, x.ndim, "cumsum"))


def cumprod(x: Tensor, dim: Any = _UNSET, *, axis: Any = _UNSET) -> Tensor:
    """Running product along ``dim`` (flattened without one, as NumPy). Composed as ``stack`` of the
    products of the first k elements, so its gradient is the ``Prod`` rule's, exact where x has zeros
    (``cumprod / x`` would be nan). O(n^2) multiplications along the axis: fine for course-sized axes."""
    axis, _ = axis_args(axis, _UNSET, dim, _UNSET, "cumprod")
    if axis is None:
        x, axis = x.reshape((-1,)), 0
    axis = _axis(axis, x.ndim, "cumprod")
    n = x.shape[axis]
    if n == 0:
        return x * 1
    return stack([prod(narrow(x, axis, 0, k + 1), axis=axis) for k in range(n)], axis=axis)


def amax(x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Tensor:
    """Max over ``dim`` (an int or a tuple; all by default). Tied maxima share the gradient evenly, as
    PyTorch's ``amax`` does."""
    axis, keep = axis_args(axis, keepdims, dim, keepdim, "amax")
    return ops.Max.apply(x, axis=axis, keepdims=keep)


def amin(x: Tensor, dim: Any = _UNSET, keepdim: Any = _UNSET, *, axis: Any = _UNSET, keepdims: Any = _UNSET) -> Tensor:
    """Min over ``dim``; tied minima share the gradient evenly, as for ``amax``."""
    axis, keep = axis_args(axis, keepdims, dim, keepdim, "amin")
    return -ops.Max.apply(-x, axis=axis, keepdims=keep)


def _abs_zero_at_zero(x: Tensor) -> Tensor:
    """``|x|`` whose gradient at 0 is 0 (``sign(0) = 0``), as the norms' subgradient in PyTorch."""
    return where(x != 0, where(x >= 0, x, -x), 0.0)


def norm(
    x: Tensor,
    p: Any = "fro",
    dim: Any = _UNSET,
    keepdim: Any = _UNSET,
    *,
    axis: Any = _UNSET,
    keepdims: Any = _UNSET,
    ord: Any = _UNSET,
) -> Tensor:
    """Vector norm over ``dim`` (all elements by default): ``p`` = 2 or ``'fro'`` (the square root of the
    sum of squares), 1, any p > 0 (``(sum |x|^p)^(1/p)``), ``inf`` (max |x|), ``-inf`` (min |x|) or 0
    (the count of nonzeros, no gradient). NumPy's ``ord=`` is accepted for ``p``.

    At a zero vector the gradient is defined as PyTorch defines it: 0 (a subgradient), not nan;
    ``|x|`` has gradient 0 at 0, and the inf-norm's tied maxima share the gradient evenly."""
    if ord is not _UNSET:
        if p != "fro":
            raise TypeError("norm: pass either p= or ord=, not both")
        p = "fro" if ord is None else ord
    axis, keep = axis_args(axis, keepdims, dim, keepdim, "norm")
    if p in ("fro", 2, 2.0):
        p = 2.0
    elif p == "nuc" or isinstance(p, str):
        raise ValueError(f"norm: p={p!r} is not supported; use 1, 2, 'fro', inf, -inf, 0 or a positive number")
    p = float(p)
    if p == np.inf:
        return amax(_abs_zero_at_zero(x), axis=axis, keepdims=keep)
    if p == -np.inf:
        return amin(_abs_zero_at_zero(x), axis=axis, keepdims=keep)
    if p == 0:
        return (x != 0).astype(np.int64).sum(axis=axis, keepdims=keep).astype(x.dtype)
    if p < 0:
        raise ValueError(f"norm: p must be positive, inf, -inf or 0, got {p}")
    if p == 1:
        return _abs_zero_at_zero(x).sum(axis=axis, keepdims=keep)
    powered = x * x if p == 2 else _abs_zero_at_zero(x) ** p
    total = powered.sum(axis=axis, keepdims=keep)
    nonzero = total > 0
    # the root of a 0 total has an infinite slope; the double where keeps its gradient 0 instead of nan
    safe = where(nonzero, total, 1.0)
    root = safe.sqrt() if p == 2 else safe ** (1 / p)
    return where(nonzero, root, 0.0)


def dist(x: Tensor, other: Any, p: Any = 2) -> Tensor:
    """``torch.dist``: the ``p``-norm of ``x - other`` (broadcast) over all elements, ``||x - other||_p``."""
    return norm(x - other, p)
