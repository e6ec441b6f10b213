"""Indexing: ``x[index]`` and its adjoint, the scatter-add."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Primitive
from ._helpers import Array, Grads, _forward_or_record


def _is_basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _scatter_add(full: np.ndarray, index: Any, values: np.ndarray) -> None:
    """``np.add.at(full, index, values)``: repeated positions accumulate."""
    if (
        values.size > 256
        and isinstance(index, tuple)
        and len(index) == full.ndim
        and all(isinstance(part, np.ndarray) and part.dtype.kind in "iu" for part in index)
    ):
        # one integer array per axis, as in logits[np.arange(n), labels]: for many entries add.at through
        # flat positions is about twice as fast as through the tuple (for a few, the conversion costs more)
        try:
            positions = np.ravel_multi_index(index, full.shape)
        except (ValueError, TypeError):  # negative entries (or uint64): left to the general form below
            pass
        else:
            np.add.at(full.reshape(-1), positions, values)
            return
    np.add.at(full, index, values)


class GetItem(Primitive):
    """``x[index]`` with basic or advanced indexing; an index repeated k times receives k gradients."""

    math = (r"x[\text{index}]", r"\bar x = \text{scatter-add of } g \text{ at index}")
    reads_inputs = False

    def forward(self, x: np.ndarray, index: Any) -> np.ndarray:
        self.index = index
        return np.asarray(x[index])

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (_forward_or_record(ScatterAdd, grad, shape=x.shape, index=self.index),)


class ScatterAdd(Primitive):
    """``zeros(shape)`` with ``values`` added at ``index`` (repeats accumulate): the adjoint of GetItem."""

    math = (r"0 \text{ with } v \text{ added at index}", r"\bar v = g[\text{index}]")
    reads_inputs = False

    def forward(self, values: np.ndarray, shape: tuple[int, ...], index: Any) -> np.ndarray:
        self.index = index
        full = np.zeros(shape, dtype=values.dtype)
        if _is_basic_index(index):
            full[index] = values  # basic indexing never repeats an element
        else:
            _scatter_add(full, index, values)
        return full

    def backward(self, grad: Array, values: Array, out: Array) -> Grads:
        return (_forward_or_record(GetItem, grad, index=self.index),)
