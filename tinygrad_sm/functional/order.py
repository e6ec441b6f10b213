"""Order: sort, topk, kthvalue, median, mode, composed as an index computed on the values (a constant, int64
tensor) and a gather (``take_along_axis``), so the gradient goes back to the positions the values came from.
Each returns PyTorch's named tuple ``(values, indices)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ..tensor_habits import _UNSET, MinMax, ValuesIndices, axis_args, returned_by
from .indexing import take_along_axis
from .reductions import amax, amin
from .shape import _axis

__all__ = ["MinMax", "ValuesIndices", "aminmax", "argsort", "kthvalue", "median", "mode", "sort", "topk"]


def _argsort_array(values: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    if not descending:
        return np.argsort(values, axis=axis, kind="stable").astype(np.int64)
    # stable descending: sort the reversed values ascending, then reverse back (nan stays largest)
    n = values.shape[axis]
    order = np.argsort(np.flip(values, axis), axis=axis, kind="stable")
    return (n - 1 - np.flip(order, axis)).astype(np.int64)


def _indices(x: Tensor, axis: int, descending: bool) -> np.ndarray:
    return _argsort_array(x.detach().numpy(), axis, descending)  # (indices from the values: compile runs it eagerly)


def argsort(x: Tensor, dim: Any = -1, descending: bool = False, stable: bool = True, *, axis: Any = _UNSET) -> Tensor:
    """Indices (int64 tensor) that sort ``x`` along ``dim``. Always stable (ties keep their order, also when
    descending); nan sorts as the largest value, as in PyTorch."""
    dim = axis_args(axis, dim=dim, op="argsort", default_axis=-1)[0]
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    return Tensor._wrap(_indices(x, _axis(dim, x.ndim, "argsort"), descending))


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = True) -> ValuesIndices:
    """``(values, indices)`` sorted along ``dim``; the values' gradient goes back to where each came from."""
    if x.ndim == 0:
        return returned_by("sort", x * 1, Tensor._wrap(np.zeros((), dtype=np.int64)))
    axis = _axis(dim, x.ndim, "sort")
    indices = _indices(x, axis, descending)
    return returned_by("sort", take_along_axis(x, indices, axis), Tensor._wrap(indices))


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """The ``k`` largest (or smallest) elements along ``dim``, in order, with their indices. Ties are
    taken in index order."""
    axis = _axis(dim, x.ndim, "topk")
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {n}")
    if x.ndim == 0:
        return returned_by("topk", x * 1, Tensor._wrap(np.zeros((), dtype=np.int64)))
    indices = np.take(_indices(x, axis, largest), np.arange(k), axis=axis)
    return returned_by("topk", take_along_axis(x, indices, axis), Tensor._wrap(indices))


def _pick(x: Tensor, indices: np.ndarray, axis: int, keepdim: bool, op: str) -> ValuesIndices:
    """The values at ``indices`` (one per slice along ``axis``, kept as a size-1 axis) and the indices."""
    values = take_along_axis(x, indices, axis)
    if not keepdim:
        values, indices = values.squeeze(axis), np.squeeze(indices, axis)  # type: ignore[attr-defined]
    return returned_by(op, values, Tensor._wrap(np.asarray(indices, dtype=np.int64)))


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """The ``k``-th smallest element (``k`` from 1) along ``dim`` and its index; the gradient goes to it."""
    return _kth(x, k, dim, keepdim, "kthvalue")


def _kth(x: Tensor, k: int, dim: int, keepdim: bool, op: str) -> ValuesIndices:
    if x.ndim == 0:
        x = x.reshape(1)
    axis = _axis(dim, x.ndim, "kthvalue")
    if not 1 <= k <= x.shape[axis]:
        raise IndexError(f"kthvalue: k={k} is out of range for dim {dim} of size {x.shape[axis]}")
    order = _indices(x, axis, False)
    return _pick(x, np.take(order, [k - 1], axis=axis), axis, keepdim, op)


def median(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median (the ``(n - 1) // 2``-th smallest, an element of ``x``, not a mean of two), as
    PyTorch: without ``dim`` of all elements (a 0-d tensor), with ``dim`` the named tuple ``(values,
    indices)``. The gradient goes to the median element. (Among equal medians, the index is the first in
    sorted order; PyTorch does not specify which.)"""
    if dim is None:
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            raise ValueError("median of an empty tensor")
        return _kth(flat, (flat.shape[0] - 1) // 2 + 1, -1, False, "median").values
    if x.ndim == 0:
        return _kth(x, 1, dim, keepdim, "median")
    return _kth(x, (x.shape[_axis(dim, x.ndim, "median")] - 1) // 2 + 1, dim, keepdim, "median")


def _mode_indices(values: np.ndarray, axis: int) -> np.ndarray:
    moved = np.moveaxis(values, axis, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    picked = np.empty(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        uniques, counts = np.unique(row, return_counts=True)
        most = uniques[np.argmax(counts)]  # the smallest of the most frequent values
        picked[r] = np.flatnonzero(row == most)[-1]  # its last position, as PyTorch on the CPU
    return np.expand_dims(picked.reshape(moved.shape[:-1]), axis)


def mode(x: Tensor, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and an index of it
    (the last, as PyTorch on the CPU); the gradient goes to that element."""
    if x.ndim == 0:
        x = x.reshape(1)
    axis = _axis(dim, x.ndim, "mode")
    return _pick(x, _mode_indices(x.detach().numpy(), axis), axis, keepdim, "mode")


def aminmax(x: Tensor, *, dim: Any = None, keepdim: bool = False) -> MinMax:
    """``(min, max)`` over ``dim`` (all by default) as PyTorch's named tuple; ties share the gradient evenly,
    as ``amin``/``amax``."""
    return MinMax(amin(x, dim=dim, keepdim=keepdim), amax(x, dim=dim, keepdim=keepdim))
