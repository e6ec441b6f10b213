"""Shape composites: squeeze, unsqueeze, flatten, flip, roll, repeat/tile, split/chunk/narrow, pad.

Each is written with public Tensor ops (reshape, expand, slicing, concatenate, the ``Flip`` primitive),
so autograd derives the gradient: a repeat's gradient is the sum over the copies (from ``expand``),
a reflect pad's adds the mirrored border back in (from integer indexing's scatter-add).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import ops
from .._axes import normalize_axis
from ..tensor import Tensor, concatenate, constant


def _axis(axis: int, ndim: int, op: str) -> int:
    return normalize_axis(axis, ndim, "dim", op)


def _sizes(sizes: Sequence[Any]) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return tuple(int(s) for s in sizes)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop axes of size 1: all of them, or those in ``dim`` (an int or a tuple). As in PyTorch, a
    named axis whose size is not 1 is left alone (``np.squeeze`` raises there instead)."""
    if dim is None:
        return x.reshape(tuple(n for n in x.shape if n != 1))
    axes = {_axis(a, x.ndim, "squeeze") for a in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    return x.reshape(tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert an axis of size 1 at ``dim`` (``-x.ndim - 1 <= dim <= x.ndim``)."""
    axis = _axis(dim, x.ndim + 1, "unsqueeze")
    return x.reshape((*x.shape[:axis], 1, *x.shape[axis:]))


def expand_dims(x: Tensor, axis: Any) -> Tensor:
    """NumPy's ``expand_dims``: axes of size 1 at the positions ``axis`` (an int or a tuple) of the result."""
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    ndim = x.ndim + len(axes)
    positions = sorted(_axis(a, ndim, "expand_dims") for a in axes)
    if len(set(positions)) != len(positions):
        raise ValueError(f"expand_dims: repeated axis in {axis}")
    shape = list(x.shape)
    for position in positions:
        shape.insert(position, 1)
    return x.reshape(tuple(shape))


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim..end_dim`` (inclusive) into one; a 0-d tensor becomes shape (1,)."""
    if x.ndim == 0:
        return x.reshape((1,))
    start, end = _axis(start_dim, x.ndim, "flatten"), _axis(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {x.shape}")
    merged = int(np.prod(x.shape[start : end + 1], dtype=np.int64))
    return x.reshape((*x.shape[:start], merged, *x.shape[end + 1 :]))


def ravel(x: Tensor) -> Tensor:
    return x.reshape((-1,))


def view(x: Tensor, *shape: Any) -> Tensor:
    """``reshape``. PyTorch's ``view`` fails on memory a view cannot describe and then shares memory;
    here every reshape is allowed and the result never aliases for in-place writes through the graph, so
    ``view`` is documented as ``reshape`` rather than erroring where PyTorch would."""
    return x.reshape(_sizes(shape))


def flip(x: Tensor, *dims: Any) -> Tensor:
    """Reverse the order along ``dims`` (PyTorch: ``flip(dims)``); no dims flips every axis, as NumPy."""
    if len(dims) == 1 and (dims[0] is None or isinstance(dims[0], (tuple, list))):
        dims = tuple(range(x.ndim)) if dims[0] is None else tuple(dims[0])
    axes = tuple(_axis(d, x.ndim, "flip") for d in (dims or range(x.ndim)))
    if len(set(axes)) != len(axes):
        raise ValueError(f"flip: dim appears more than once in {dims}")
    return ops.Flip.apply(x, axes=axes)


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements along ``dims`` cyclically by ``shifts``; without dims the flattened tensor is
    rolled and reshaped back, as PyTorch and NumPy do. Two slices and a concatenate per axis."""
    if dims is None:
        if isinstance(shifts, (tuple, list)):
            raise ValueError("roll: several shifts need as many dims")
        return roll(x.reshape((-1,)), shifts, 0).reshape(x.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: {len(shifts)} shifts for {len(dims)} dims")
    out = x
    for shift, dim in zip(shifts, dims):
        axis = _axis(dim, x.ndim, "roll")
        n = x.shape[axis]
        cut = (-int(shift)) % n if n else 0
        if cut:
            lead = (slice(None),) * axis
            out = concatenate([out[lead + (slice(cut, None),)], out[lead + (slice(0, cut),)]], axis=axis)
    return out


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """PyTorch's ``repeat``: tile the whole tensor ``sizes[i]`` times along axis i (at least ``x.ndim``
    sizes; extra ones add leading axes). Broadcast to (r0, n0, r1, n1, ...) and merge pairs, so the
    gradient is the sum over the copies."""
    reps = _sizes(sizes)
    if len(reps) < x.ndim:
        raise ValueError(
            f"repeat: {len(reps)} repeat counts for a tensor with {x.ndim} dimensions; give at least {x.ndim}"
        )
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: counts must be non-negative, got {reps}")
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    paired = tuple(v for n in shape for v in (1, n))
    stretched = tuple(v for r, n in zip(reps, shape) for v in (r, n))
    return x.reshape(paired).expand(stretched).reshape(tuple(r * n for r, n in zip(reps, shape)))


def tile(x: Tensor, reps: Any) -> Tensor:
    """``np.tile`` / ``torch.tile``: as ``repeat``, but fewer reps than dimensions are padded with 1s in front."""
    reps = _sizes((reps,)) if isinstance(reps, (tuple, list)) else (int(reps),)
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """Elements ``start .. start + length - 1`` along ``dim`` (``start`` may be negative)."""
    axis = _axis(dim, x.ndim, "narrow")
    n = x.shape[axis]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start {start} is out of range for dim {dim} of size {n}")
    start = start % n if start < 0 else start
    if length < 0 or start + length > n:
        raise ValueError(f"narrow: start {start} + length {length} exceeds dim {dim} of size {n}")
    return x[(slice(None),) * axis + (slice(start, start + length),)]


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """PyTorch's ``split``: pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the
    listed sizes, which must add up to the axis length. (NumPy's ``np.split`` takes cut points instead.)"""
    axis = _axis(dim, x.ndim, "split")
    n = x.shape[axis]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} must be non-negative and add up to {n}, the size of dim {dim}")
    else:
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] or [0]
    starts = np.cumsum([0, *sizes[:-1]]).tolist()
    return tuple(narrow(x, axis, start, size) for start, size in zip(starts, sizes))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """PyTorch's ``chunk``: pieces of ``ceil(n / chunks)`` along ``dim``, so there may be fewer than ``chunks``."""
    if int(chunks) <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[_axis(dim, x.ndim, "chunk")]
    return split(x, max(-(-n // int(chunks)), 1), dim)


def _filled(like: Tensor, axis: int, width: int, value: float) -> Tensor:
    shape = (*like.shape[:axis], width, *like.shape[axis + 1 :])
    return constant(np.full(shape, value, dtype=like.dtype))


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """``torch.nn.functional.pad``: ``pad = (left, right)`` for the last axis, then ``(left, right)`` for
    the one before, and so on. ``mode`` is ``'constant'`` (filled with ``value``; negative pads crop),
    ``'reflect'`` (mirror without repeating the edge; each pad < the axis size) or ``'replicate'``
    (repeat the edge). Reflect and replicate gather with integer indices, so the border's gradient
    is added back onto the elements it copies."""
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: needs pairs (left, right) for at most {x.ndim} dims, got {tuple(pad)}")
    if mode not in ("constant", "reflect", "replicate"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'replicate', got {mode!r}")
    out = x
    for pair in range(len(pad) // 2):
        axis = x.ndim - 1 - pair
        left, right = pad[2 * pair], pad[2 * pair + 1]
        lead = (slice(None),) * axis
        n = out.shape[axis]
        if mode == "constant":
            if left < 0 or right < 0:  # cropping
                out = out[lead + (slice(max(-left, 0), n - max(-right, 0)),)]
                left, right = max(left, 0), max(right, 0)
            pieces = (
                ([_filled(out, axis, left, value)] if left else [])
                + [out]
                + ([_filled(out, axis, right, value)] if right else [])
            )
            out = concatenate(pieces, axis=axis) if len(pieces) > 1 else out
            continue
        if left < 0 or right < 0:
            raise ValueError(f"pad: negative padding needs mode='constant', got {mode!r}")
        if mode == "reflect" and (left >= n or right >= n):
            raise ValueError(f"pad: reflect padding ({left}, {right}) must be smaller than the size {n} of dim {axis}")
        if mode == "replicate" and n == 0:
            raise ValueError(f"pad: cannot replicate the edge of the empty dim {axis}")
        middle = np.arange(n)
        if mode == "reflect":
            index = np.concatenate([np.arange(left, 0, -1), middle, np.arange(n - 2, n - 2 - right, -1)])
        else:
            index = np.concatenate([np.zeros(left, dtype=np.int64), middle, np.full(right, n - 1)])
        out = out[lead + (index.astype(np.int64),)]
    return out


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, that dim removed (``torch.unbind``); each slice's gradient goes back to its place."""
    axis = _axis(dim, x.ndim, "unbind")
    return tuple(x[(slice(None),) * axis + (i,)] for i in range(x.shape[axis]))


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors (or one list of them): ``out[k][i0, i1, ...] = tensors[k][ik]``,
    each of shape ``(len(t0), len(t1), ...)`` (``indexing="ij"``, PyTorch's default) or with the first two
    dims swapped (``"xy"``, NumPy's default). Each grid is its input expanded, so gradients sum back."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    inputs = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    for t in inputs:
        if t.ndim > 1:
            raise ValueError(f"meshgrid: expects 0-D or 1-D tensors, got shape {t.shape}")
    inputs = [t.reshape(-1) for t in inputs]
    if indexing == "xy" and len(inputs) >= 2:
        inputs[0], inputs[1] = inputs[1], inputs[0]
    shape = tuple(t.shape[0] for t in inputs)
    grids = [
        t.reshape(tuple(-1 if k == axis else 1 for k in range(len(inputs)))).expand(shape)
        for axis, t in enumerate(inputs)
    ]
    if indexing == "xy" and len(grids) >= 2:  # (computed for the swapped inputs: each grid back to its input)
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
