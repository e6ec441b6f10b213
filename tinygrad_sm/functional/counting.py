"""Counting: unique, bincount, histc, histogram, count_nonzero, as PyTorch's. Their results are counts and
positions computed from the values: constant tensors, not differentiable (as in PyTorch)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..tensor import Tensor

__all__ = ["HistogramResult", "bincount", "count_nonzero", "histc", "histogram", "unique"]


def _values(x: Any) -> np.ndarray:
    return (
        x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)
    )  # (shapes from values: compile runs it eagerly)


def _unique(values: np.ndarray, return_inverse: bool, return_counts: bool, dim: Any) -> tuple:
    result = np.unique(values, return_inverse=return_inverse, return_counts=return_counts, axis=dim)  # type: ignore[call-overload]
    return result if isinstance(result, tuple) else (result,)


def unique(
    input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: Any = None
) -> Any:
    """The distinct values, sorted (``torch.unique``); with ``return_inverse`` also where each element of
    ``input`` is among them (``input``'s shape), with ``return_counts`` how often each occurs (int64).
    (Always sorted, which PyTorch's CPU result is too.)"""
    parts = _unique(_values(input), return_inverse, return_counts, dim)
    values = Tensor._wrap(np.asarray(parts[0]))
    extras = []
    if return_inverse:
        inverse = np.asarray(parts[1], dtype=np.int64)
        extras.append(Tensor._wrap(inverse.reshape(input.shape) if dim is None else inverse.reshape(-1)))
    if return_counts:
        extras.append(Tensor._wrap(np.asarray(parts[-1], dtype=np.int64)))
    return (values, *extras) if extras else values


def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    """How often each value ``0..max`` occurs in a 1-D tensor of non-negative integers (``torch.bincount``);
    with ``weights`` the sum of their weights instead (float64 unless the weights are float32, as PyTorch)."""
    values = _values(input)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        raise ValueError(f"bincount needs a 1-D tensor of integers, got shape {values.shape} dtype {values.dtype}")
    if values.size and values.min() < 0:
        raise ValueError(f"bincount needs non-negative integers, got the value {values.min()}")
    if weights is None:
        return Tensor._wrap(np.bincount(values, None, minlength).astype(np.int64))
    weight_values = _values(weights)
    counts = np.bincount(values, weight_values, minlength)
    return Tensor._wrap(counts.astype(weight_values.dtype if weight_values.dtype == np.float32 else np.float64))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of ``bins`` equal bins between ``min`` and ``max`` (both 0: the data's own range); elements
    outside are ignored (``torch.histc``). The counts have the input's float dtype."""
    values = _values(input)
    if values.dtype.kind != "f":
        raise TypeError(f"histc needs a floating point tensor, got dtype {values.dtype} (as PyTorch)")
    low, high = float(min), float(max)
    if low == high and values.size:
        low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 1, high + 1
    counts, _ = np.histogram(values, bins=int(bins), range=(low, high))
    return Tensor._wrap(counts.astype(values.dtype))


class HistogramResult(NamedTuple):
    """``(hist, bin_edges)`` as PyTorch's ``torch.histogram`` returns them."""

    hist: Tensor
    bin_edges: Tensor


def histogram(
    input: Tensor, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
) -> HistogramResult:
    """``torch.histogram``: ``bins`` equal bins (over ``range``, else the data's range) or the given edges;
    ``(hist, bin_edges)`` in the input's float dtype."""
    values = _values(input)
    if values.dtype.kind != "f":
        raise TypeError(f"histogram needs a floating point tensor, got dtype {values.dtype} (as PyTorch)")
    edges_in = _values(bins) if isinstance(bins, (Tensor, np.ndarray, list, tuple)) else int(bins)
    hist, edges = np.histogram(
        values, bins=edges_in, range=range, weights=None if weight is None else _values(weight), density=density
    )
    return HistogramResult(Tensor._wrap(hist.astype(values.dtype)), Tensor._wrap(edges.astype(values.dtype)))


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are not zero, over ``dim`` (all by default): int64 (``torch.count_nonzero``)."""
    return Tensor._wrap(np.asarray(np.count_nonzero(_values(input), axis=dim), dtype=np.int64))
