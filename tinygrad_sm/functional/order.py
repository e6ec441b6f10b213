"""Order: sort and topk, composed as an index computed on the values (a constant) and a gather
(``take_along_axis``), so the gradient goes back to the positions the values came from."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..tensor import Tensor
from .indexing import take_along_axis
from .shape import _axis


class ValuesIndices(NamedTuple):
    """``(values, indices)`` as PyTorch's ``sort``/``topk`` return them; the indices are an int64 array
    (not differentiable), as ``argmax`` returns them here."""

    values: Tensor
    indices: np.ndarray


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = True, *, axis: Any = None) -> np.ndarray:
    """Indices that sort ``x`` along ``dim``. Always stable (ties keep their order, also when
    descending); nan sorts as the largest value, as in PyTorch."""
    if axis is not None:
        dim = axis
    if x.ndim == 0:
        return np.zeros((), dtype=np.int64)
    axis_ = _axis(dim, x.ndim, "sort")
    if not descending:
        return np.argsort(x._data, axis=axis_, kind="stable")
    # stable descending: sort the reversed values ascending, then reverse back (nan stays largest)
    n = x.shape[axis_]
    order = np.argsort(np.flip(x._data, axis_), axis=axis_, kind="stable")
    return (n - 1 - np.flip(order, axis_)).astype(np.int64)


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = True) -> ValuesIndices:
    """``(values, indices)`` sorted along ``dim``; the values' gradient goes back to where each came from."""
    indices = argsort(x, dim, descending)
    if x.ndim == 0:
        return ValuesIndices(x * 1, indices)
    return ValuesIndices(take_along_axis(x, indices, _axis(dim, x.ndim, "sort")), indices)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """The ``k`` largest (or smallest) elements along ``dim``, in order, with their indices. Ties are
    taken in index order."""
    axis = _axis(dim, x.ndim, "topk")
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {n}")
    indices = argsort(x, axis, descending=largest)
    if x.ndim == 0:
        return ValuesIndices(x * 1, indices)
    indices = np.take(indices, np.arange(k), axis=axis)
    return ValuesIndices(take_along_axis(x, indices, axis), indices)
