"""Indexing composites: gather / take_along_axis, scatter / scatter_add, index_select, masked_fill.

Each turns its PyTorch arguments into one NumPy advanced index and uses ``x[index]`` (the ``GetItem``
primitive, whose adjoint is a scatter-add) or the ``ScatterAdd`` primitive (whose adjoint is ``GetItem``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor, constant, where
from .shape import _axis


def _integer_index(index: Any, op: str) -> np.ndarray:
    array = index.numpy() if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got dtype {array.dtype}")
    return array.astype(np.int64, copy=False)


def _out_of_bounds(index: np.ndarray, size: int) -> bool:
    return bool(index.size) and (index.min() < -size or index.max() >= size)


def _along(index: np.ndarray, axis: int, shape: tuple[int, ...], op: str) -> tuple:
    """The advanced index that picks ``index`` along ``axis`` and the same position on every other axis."""
    size = shape[axis]
    if _out_of_bounds(index, size):
        bad = index[(index < -size) | (index >= size)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of range for dim {axis} of size {size}")
    parts = []
    for d in range(len(shape)):
        if d == axis:
            parts.append(index % size if size else index)  # negative entries count from the end
        else:
            sides = [1] * len(shape)
            sides[d] = index.shape[d]
            parts.append(np.arange(index.shape[d]).reshape(sides))
    return tuple(parts)


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j] = x[index[i][j]][j]`` for ``dim=0`` (and so on): ``index`` has ``x``'s number of
    dimensions and is no larger than ``x`` on the other axes; the result has ``index``'s shape."""
    index = _integer_index(index, "gather")
    axis = _axis(dim, x.ndim, "gather")
    if index.ndim != x.ndim:
        raise ValueError(f"gather: index has {index.ndim} dimensions, the input {x.ndim} (shape {x.shape})")
    for d, (n, m) in enumerate(zip(index.shape, x.shape)):
        if d != axis and n > m:
            raise ValueError(f"gather: index shape {index.shape} exceeds input shape {x.shape} in dim {d}")
    return x[_along(index, axis, x.shape, "gather")]


def take_along_axis(x: Tensor, indices: Any, axis: Any = -1) -> Tensor:
    """NumPy's ``take_along_axis``: like ``gather``, but ``indices`` broadcasts against ``x`` on the other
    axes; ``axis=None`` works on the flattened tensor."""
    indices = _integer_index(indices, "take_along_axis")
    if axis is None:
        return take_along_axis(x.reshape((-1,)), indices, 0)
    axis = _axis(axis, x.ndim, "take_along_axis")
    if indices.ndim != x.ndim:
        raise ValueError(f"take_along_axis: indices have {indices.ndim} dimensions, the input {x.ndim}")
    shape = list(
        np.broadcast_shapes(
            tuple(1 if d == axis else n for d, n in enumerate(x.shape)),
            tuple(1 if d == axis else n for d, n in enumerate(indices.shape)),
        )
    )
    shape[axis] = indices.shape[axis]
    indices = np.broadcast_to(indices, shape)
    return x[_along(indices, axis, x.shape, "take_along_axis")]


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The entries ``index`` (1-D, repeats allowed) along ``dim``."""
    index = _integer_index(index, "index_select")
    if index.ndim > 1:
        raise ValueError(f"index_select: index must be 1-D, got shape {index.shape}")
    axis = _axis(dim, x.ndim, "index_select")
    return x[(slice(None),) * axis + (index.reshape(-1),)]


def _scatter_index(x: Tensor, dim: int, index: Any, src: Any, op: str) -> tuple[tuple, Tensor]:
    index = _integer_index(index, op)
    axis = _axis(dim, x.ndim, op)
    if index.ndim == 0 and x.ndim == 1:  # as PyTorch, a 0-d index (and src) counts as 1-d: the one-hot
        index = index.reshape(1)  # idiom zeros(10).scatter_(0, tensor(label), value=1)
        if isinstance(src, Tensor) and src.ndim == 0:
            src = src.reshape(1)
    if index.ndim != x.ndim:
        raise ValueError(f"{op}: index has {index.ndim} dimensions, the input {x.ndim} (shape {x.shape})")
    if not isinstance(src, Tensor):
        src = constant(np.full(index.shape, src, dtype=x.dtype))
    if src.ndim != index.ndim or any(n > m for n, m in zip(index.shape, src.shape)):
        raise ValueError(f"{op}: index shape {index.shape} exceeds src shape {src.shape}")
    for d, (n, m) in enumerate(zip(index.shape, x.shape)):
        if d != axis and n > m:
            raise ValueError(f"{op}: index shape {index.shape} exceeds input shape {x.shape} in dim {d}")
    if src.shape != index.shape:
        src = src[tuple(slice(0, n) for n in index.shape)]
    positions = _along(index, axis, x.shape, op)
    return tuple(np.broadcast_to(p, index.shape) for p in positions), src


def scatter_add(x: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """A copy of ``x`` with ``src[i][j]`` added at ``[index[i][j]][j]`` (for ``dim=0``); repeated
    positions accumulate. Gradient: ``g`` to ``x``, ``g[index]`` to ``src``."""
    positions, src = _scatter_index(x, dim, index, src, "scatter_add")
    return x + ops.ScatterAdd.apply(src, shape=x.shape, index=positions)


def index_add(x: Tensor, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    """A copy of ``x`` with ``alpha * source`` added along ``dim`` at the positions ``index`` (1-D, one per
    slice of ``source``; repeats accumulate): ``out[index[i]] += alpha * source[i]`` for ``dim=0``.
    Gradient: ``g`` to ``x``, ``alpha * g[index]`` to ``source``."""
    index = _integer_index(index, "index_add")
    axis = _axis(dim, x.ndim, "index_add")
    if not isinstance(source, Tensor):
        source = Tensor(source, dtype=x.dtype)
    if index.ndim != 1:
        raise ValueError(f"index_add: index must be 1-D, got shape {index.shape}")
    expected = x.shape[:axis] + (index.shape[0],) + x.shape[axis + 1 :]
    if source.shape != expected:
        raise ValueError(
            f"index_add: source of shape {source.shape} does not fit x of shape {x.shape} with {index.shape[0]} "
            f"indices along dim {dim} (expected {expected})"
        )
    if index.size and not (-x.shape[axis] <= index.min() and index.max() < x.shape[axis]):
        raise IndexError(f"index_add: index out of range for size {x.shape[axis]} along dim {dim}")
    grids = list(np.indices(source.shape, sparse=True))
    grids[axis] = (index % x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    positions = tuple(np.broadcast_to(grid, source.shape) for grid in grids)
    scaled = source if isinstance(alpha, (int, float)) and alpha == 1 else source * alpha
    return x + ops.ScatterAdd.apply(scaled, shape=x.shape, index=positions)


def scatter(x: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Tensor:
    """A copy of ``x`` with ``src[i][j]`` (or the number ``value``) written at ``[index[i][j]][j]``.
    An index that names one position twice raises ValueError: which write wins is unspecified in
    PyTorch, and a silent choice would be a silent wrong answer. The written positions pass no gradient
    to ``x``."""
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    positions, src = _scatter_index(x, dim, index, src if value is None else value, "scatter")
    flat = np.ravel_multi_index(positions, x.shape) if x.ndim else np.zeros(1, dtype=np.int64)
    if np.unique(flat).size != flat.size:
        raise ValueError(
            "scatter: index writes to the same position more than once; the result would depend "
            "on the order of the writes (use scatter_add to accumulate)"
        )
    written = np.zeros(x.shape, dtype=bool)
    written[positions] = True
    kept = where(written, 0.0 if x.dtype.kind == "f" else 0, x)
    return kept + ops.ScatterAdd.apply(src, shape=x.shape, index=positions)


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` where the boolean ``mask`` (broadcast to ``x``) is True; those positions pass
    no gradient to ``x``. A Tensor ``value`` (0-d) receives the gradient of the filled positions."""
    mask = mask if isinstance(mask, Tensor) else Tensor(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be boolean, got dtype {mask.dtype}")
    try:
        fits = np.broadcast_shapes(mask.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: mask of shape {mask.shape} does not broadcast to {x.shape}")
    return where(mask, value, x)
