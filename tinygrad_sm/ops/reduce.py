"""Reductions over axes: sum, mean, max and min (ties split evenly)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from .._axes import normalize_axes
from ..autograd import Primitive
from ._helpers import Array, Axis, Grads, _forward_or_record
from .movement import Flip


def max_keepdims(x: np.ndarray, axis: int) -> np.ndarray:
    """``x.max(axis=axis, keepdims=True)``, the same values, faster for many short rows."""
    if x.ndim == 2 and axis in (1, -1) and x.shape[0] >= 256 and 1 < x.shape[1] <= 32:
        # NumPy reduces a short contiguous last axis row by row (46 us for (1024, 10) logits); an
        # elementwise max across the columns is exact too (max does not round; nan propagates) and 4x faster
        result = x[:, :1].copy()
        for column in range(1, x.shape[1]):
            np.maximum(result, x[:, column : column + 1], out=result)
        return result
    if x.size == 0 and x.ndim and x.shape[axis] == 0:  # checked only when empty: off the hot path
        raise ValueError(
            f"the maximum over axis {axis} of an array of shape {x.shape} is undefined: that axis is "
            "empty (softmax, log_softmax, logsumexp and cross_entropy need at least one class)"
        )
    return x.max(axis=axis, keepdims=True)


def _normalize_axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, without the general checks
        return (axis % ndim,)
    if ndim == 0 and axis is not None:  # a 0-d tensor accepts dim 0 and -1 (and () ), as in PyTorch: nothing to reduce
        normalize_axes(axis, 0, "axis")
        return ()
    return normalize_axes(axis, ndim, "axis")


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Primitive):
    math = (r"\sum_{i \in \text{axes}} x_i", r"\bar x = g \text{ broadcast over the axes}")
    reads_inputs = False

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        self.axes = _normalize_axes(axis, x.ndim)
        self.keepdims = keepdims
        return np.asarray(x.sum(axis=self.axes, keepdims=keepdims))

    def backward(self, grad: Array, x: Array, out: Array, scale: float | None = None) -> Grads:
        if not self.keepdims and grad.ndim:  # a 0-d gradient (a full reduction) broadcasts as it is
            grad = grad.reshape(_kept_shape(x.shape, self.axes))
        if isinstance(grad, np.ndarray):  # np.broadcast_to's Python wrapper costs more than this copy
            full = np.empty(x.shape, dtype=grad.dtype)
            if scale is None:
                np.copyto(full, grad)
            else:
                np.multiply(grad, scale, out=full)  # the mean's 1/count, applied while broadcasting
            return (full,)
        return (np.broadcast_to(grad if scale is None else grad * scale, x.shape),)


class Mean(Sum):
    """Mean over ``axis``: the sum divided by ``count``, the number of elements averaged; its gradient
    is the sum's, divided by ``count``. (One node instead of a sum and a division.)"""

    math = (r"\frac1n \sum_{i \in \text{axes}} x_i", r"\bar x = g / n \text{ broadcast over the axes}")

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        total = super().forward(x, axis, keepdims)
        count = x.size // max(total.size, 1)
        self.scale = 1 / count if count else np.nan  # an empty x has a nan mean, as in NumPy
        return np.asarray(total * self.scale if total.dtype.kind == "f" else total / count)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:  # type: ignore[override]  # own scale
        return super().backward(grad, x, out, scale=self.scale)


def _few_positions(x: np.ndarray, axes: tuple[int, ...]) -> list[tuple] | None:
    """The index of each position of the reduced axes, when there are few of them (2 to 16, a pooling
    window) and many outputs (at least 4096), so one whole-array ufunc call per position beats NumPy's
    reduction over short strided axes; None otherwise (then ``np.max`` itself is the fast choice)."""
    positions = 1
    for a in axes:
        positions *= x.shape[a]
    if not 2 <= positions <= 16 or x.size < 4096 * positions:
        return None
    ranges = [range(x.shape[a]) if a in axes else [slice(None)] for a in range(x.ndim)]
    return list(itertools.product(*ranges))


class Max(Primitive):
    """Max over ``axis``. Tied maxima share the gradient evenly (each of k ties gets 1/k), so the
    gradient is a valid subgradient and sums to the upstream gradient, like the mean of the ties."""

    math = (r"\max_{i \in \text{axes}} x_i", r"\bar x_i = g\,[x_i = \max] / \#\text{ties}")
    reads_inputs = False
    pick: Callable[..., np.ndarray] = staticmethod(np.max)
    pairwise: Callable[..., np.ndarray] = staticmethod(np.maximum)

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        axes = _normalize_axes(axis, x.ndim)
        slices = _few_positions(x, axes)
        if slices is None:
            kept = self.pick(x, axis=axes, keepdims=True)
        else:  # a pooling window: NumPy's reduction over the strided window axes is 5x slower than this
            kept = self.pairwise(x[slices[0]], x[slices[1]])
            for position in slices[2:]:
                self.pairwise(kept, x[position], out=kept)
            kept = np.expand_dims(kept, axes)
        if x.dtype.kind == "f":
            weight = (x == kept).astype(x.dtype)
            if slices is None:
                weight /= weight.sum(axis=axes, keepdims=True)
            else:  # the tie count the same way: one add per window position
                ties = weight[slices[0]] + weight[slices[1]]
                for position in slices[2:]:
                    ties += weight[position]
                weight /= np.expand_dims(ties, axes)
            self.weight = weight
        else:  # integers and bools never require grad
            self.weight = None
        self.kept_shape = kept.shape
        return kept if keepdims else kept.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad.reshape(self.kept_shape) * self.weight,)


class Min(Max):
    """Min over ``axis``, directly (not ``-max(-x)``, which overflows for the most negative integer and
    fails for bools); tied minima share the gradient evenly, as for ``max``."""

    math = (r"\min_{i \in \text{axes}} x_i", r"\bar x_i = g\,[x_i = \min] / \#\text{ties}")
    pick = staticmethod(np.min)
    pairwise = staticmethod(np.minimum)


def _product_of_others(x: Any, axes: tuple[int, ...]) -> Any:
    """For each element, the product of the *other* elements of its reduced slice, without dividing
    (so zeros are exact: one zero leaves its own slot the product of the rest, two zeros give 0 everywhere).
    On arrays: exclusive products from the left and from the right, O(n). On Tensors (create_graph):
    the slice repeated n times with the diagonal set to 1, reduced by ``Prod``, so it records a graph."""
    rest = [a for a in range(x.ndim) if a not in axes]
    order = tuple(rest + list(axes))
    moved = x.transpose(order)
    lead = moved.shape[: len(rest)]
    count = int(np.prod(moved.shape[len(rest) :], dtype=np.int64))
    rows = moved.reshape((*lead, count))
    others: Array
    if isinstance(rows, np.ndarray):
        left = np.ones_like(rows)
        np.cumprod(rows[..., :-1], axis=-1, out=left[..., 1:])
        right = np.ones_like(rows)
        right[..., :-1] = np.cumprod(rows[..., :0:-1], axis=-1)[..., ::-1]
        others = left * right
    else:
        grid = np.broadcast_to(rows.reshape((*lead, 1, count)), (*lead, count, count))
        others = Prod.apply(np.where(np.eye(count, dtype=bool), 1, grid), axis=-1)  # type: ignore[arg-type]  # a Tensor
    return others.reshape(moved.shape).transpose(tuple(np.argsort(order)))


class Prod(Primitive):
    """Product over ``axis``. Its gradient is the product of the other elements of each slice, computed
    without dividing by ``x``, so it is exact where ``x`` has zeros (``out / x`` would give nan there)."""

    math = (r"\prod_{i \in \text{axes}} x_i", r"\bar x_i = g \prod_{j \ne i} x_j")
    reads_inputs = True

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        self.axes = _normalize_axes(axis, x.ndim)
        return np.asarray(np.prod(x, axis=self.axes, keepdims=keepdims))

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad.reshape(_kept_shape(x.shape, self.axes)) * _product_of_others(x, self.axes),)


class Cumsum(Primitive):
    """Running sum along ``axis``; each input feeds every later output, so its gradient is the running
    sum of ``g`` taken from the end: ``flip(cumsum(flip(g)))``."""

    math = (r"y_k = \sum_{i \le k} x_i", r"\bar x_i = \sum_{k \ge i} g_k")
    reads_inputs = False

    def forward(self, x: np.ndarray, axis: int) -> np.ndarray:
        if not -x.ndim <= axis < x.ndim:
            raise ValueError(f"axis {axis} is out of range for a tensor with {x.ndim} dimensions")
        self.axis = axis % x.ndim
        return np.cumsum(x, axis=self.axis)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        flipped = _forward_or_record(Flip, grad, axes=(self.axis,))
        return (_forward_or_record(Flip, _forward_or_record(Cumsum, flipped, axis=self.axis), axes=(self.axis,)),)
