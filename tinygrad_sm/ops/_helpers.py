"""What every family of primitives shares: un-broadcasting in one place, and small checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Primitive

# The typing convention of every primitive: ``forward`` gets and returns NumPy arrays; ``backward`` gets
# ``Array``s, which are NumPy arrays normally and Tensors under ``create_graph=True`` (so ``Any``: the rule
# is written with operations both understand), and returns one gradient (or None) per input.
Array = Any
Grads = tuple[Array | None, ...]
Axis = int | tuple[int, ...] | None  # a reduction's ``axis``: one axis, several, or all


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it has ``shape``."""
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(leading + i for i, n in enumerate(shape) if n == 1 and grad.shape[leading + i] != 1)
    if not stretched:  # only leading axes were added (a bias row): summing them away leaves ``shape``
        return grad.sum(axis=tuple(range(leading)))
    return grad.sum(axis=tuple(range(leading)) + stretched, keepdims=True).reshape(shape)


def _forward_or_record(op: type[Primitive], value: Any, **params: Any) -> Any:
    """Run a primitive on an array directly, or record it when ``value`` is a Tensor (create_graph)."""
    if isinstance(value, np.ndarray):
        return op().forward(value, **params)
    return op.apply(value, **params)


def values_of(value: Any) -> np.ndarray:
    """The array of an input, whether backward got arrays or (under ``create_graph``) Tensors: for
    masks and other constants a rule computes from its inputs."""
    return value if isinstance(value, np.ndarray) else value._data


def _require_numeric(name: str, *arrays: np.ndarray) -> None:
    for array in arrays:
        if array.dtype.kind not in "fiu":
            raise TypeError(f"{name} expects a numeric (integer or floating point) tensor, got dtype {array.dtype}")
