"""Movement: reshape, permute, broadcast, concatenate (no arithmetic, only where values go)."""

from __future__ import annotations

import numpy as np

from .._axes import normalize_axis
from ..autograd import Primitive
from ._helpers import Array, Grads, _forward_or_record, unbroadcast


class Reshape(Primitive):
    math = (r"x \text{ reshaped}", r"\bar x = g \text{ reshaped back}")
    reads_inputs = False

    def forward(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return x.reshape(shape)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad.reshape(x.shape),)


class Permute(Primitive):
    math = (r"x \text{ with axes permuted}", r"\bar x = g \text{ with the inverse permutation}")
    reads_inputs = False

    def forward(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        self.inverse = tuple(np.argsort(axes))
        return x.transpose(axes)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (grad.transpose(self.inverse),)


class Expand(Primitive):
    """Broadcast to ``shape`` (a read-only view, no copy)."""

    math = (r"x \text{ broadcast to shape}", r"\bar x = g \text{ summed over the broadcast axes}")
    reads_inputs = False

    def forward(self, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(x, shape)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (unbroadcast(grad, x.shape),)


class Concatenate(Primitive):
    math = (r"[x_1, x_2, \dots] \text{ along an axis}", r"\bar x_k = \text{the } k\text{-th slice of } g")
    reads_inputs = False

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = normalize_axis(axis, arrays[0].ndim, "axis")
        self.bounds = np.cumsum([0] + [a.shape[self.axis] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, grad: Array, *inputs_and_out: Array) -> Grads:
        lead = (slice(None),) * self.axis
        return tuple(grad[lead + (slice(start, stop),)] for start, stop in zip(self.bounds, self.bounds[1:]))


class Flip(Primitive):
    """Reverse the order along ``axes`` (a view); flipping is its own adjoint."""

    math = (r"y_i = x_{n-1-i} \text{ along the axes}", r"\bar x = g \text{ flipped along the same axes}")
    reads_inputs = False

    def forward(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        self.axes = tuple(normalize_axis(axis, x.ndim, "dims") for axis in axes)
        return np.flip(x, self.axes)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (_forward_or_record(Flip, grad, axes=self.axes),)
