"""Array manipulation of the NumPy surface, as composites of movement and indexing ops: moving axes,
repeating, rotating, stacking, splitting, diagonals and triangles, ``kron``, ``cross``, ``diff``...

No rule here: each function only moves, selects or combines values with public ops (``permute``,
indexing, ``concatenate``, ``where``, ``*``), so the gradient goes back along the same paths. NumPy's
argument names and defaults are kept where PyTorch has no such function; where PyTorch has one
(``movedim``, ``repeat_interleave``, ``tensor_split``, ``diff``...), its name is the function's name and
the NumPy spelling is a row of the table (``numpy_adapters``) calling the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from ..tensor import Tensor, values_of, where
from ..tensor_functions import _as_tensor, concatenate, stack
from .contraction import einsum
from .indexing import take_along_axis
from .shape import _axis, flip, pad


def _axes_list(axes: Any, ndim: int, op: str) -> list[int]:
    axes = list(axes) if isinstance(axes, (tuple, list)) else [axes]
    normalized = [_axis(a, ndim, op) for a in axes]  # no int(): a bool or a float is not an axis
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated axis in {tuple(axes)}")
    return normalized


# ---------------------------------------------------------------- moving axes
def movedim(x: Any, source: Any, destination: Any) -> Tensor:
    """Move the axes ``source`` to the positions ``destination`` (``np.moveaxis``, ``torch.movedim``);
    the other axes keep their order."""
    x = _as_tensor(x)
    src, dst = _axes_list(source, x.ndim, "movedim"), _axes_list(destination, x.ndim, "movedim")
    if len(src) != len(dst):
        raise ValueError(f"movedim: {len(src)} source axes but {len(dst)} destinations")
    order = [axis for axis in range(x.ndim) if axis not in src]
    for position, axis in sorted(zip(dst, src)):
        order.insert(position, axis)
    return x.permute(order) if order != list(range(x.ndim)) else x


def rollaxis(x: Any, axis: int, start: int = 0) -> Tensor:
    """NumPy's older ``moveaxis``: the axis ``axis`` moves to just before position ``start``."""
    x = _as_tensor(x)
    axis = _axis(axis, x.ndim, "rollaxis")
    if not -x.ndim <= start <= x.ndim:
        raise ValueError(f"rollaxis: start {start} is out of range for a tensor with {x.ndim} dimensions")
    start = start + x.ndim if start < 0 else start
    if axis < start:
        start -= 1
    return x if axis == start else movedim(x, axis, start)


# ---------------------------------------------------------------- repeating, flipping, rotating
def repeat_interleave(x: Any, repeats: Any, dim: Any = None) -> Tensor:
    """Each element repeated ``repeats`` times along ``dim`` (``torch.repeat_interleave``, ``np.repeat``;
    ``repeats`` an int or one count per element; ``dim=None`` flattens first). An indexing with repeated
    positions, so each element receives the sum of its copies' gradients."""
    x = _as_tensor(x)
    if dim is None:
        x, dim = x.reshape(-1), 0
    axis = _axis(dim, x.ndim, "repeat_interleave")
    counts = repeats.numpy() if isinstance(repeats, Tensor) else np.asarray(repeats)  # shapes from values: eager
    if counts.dtype.kind not in "iu" or np.any(counts < 0) or counts.ndim > 1:
        raise ValueError(f"repeat_interleave: repeats must be a non-negative int or 1-D ints, got {repeats!r}")
    index = np.repeat(np.arange(x.shape[axis]), counts)  # raises on a count list of the wrong length
    return x[(slice(None),) * axis + (index,)]


def fliplr(x: Any) -> Tensor:
    """Reverse the columns (axis 1); needs at least 2 dimensions."""
    x = _as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"fliplr needs at least 2 dimensions, got shape {x.shape}")
    return flip(x, 1)


def flipud(x: Any) -> Tensor:
    """Reverse the rows (axis 0); needs at least 1 dimension."""
    x = _as_tensor(x)
    if x.ndim < 1:
        raise ValueError("flipud needs at least 1 dimension, got a 0-d tensor")
    return flip(x, 0)


def rot90(x: Any, k: int = 1, dims: Sequence[int] = (0, 1), *, axes: Any = None) -> Tensor:
    """Rotate by 90° ``k`` times in the plane of ``dims`` (NumPy's ``axes``), from the first towards
    the second axis: a flip and a transpose."""
    x = _as_tensor(x)
    dims = tuple(dims if axes is None else axes)
    if len(dims) != 2 or x.ndim < 2:
        raise ValueError(f"rot90 needs two axes of a tensor with at least 2 dimensions, got {dims} for {x.shape}")
    first, second = _axes_list(dims, x.ndim, "rot90")
    k = int(k) % 4
    if k == 0:
        return x
    if k == 2:
        return flip(x, first, second)
    if k == 1:
        return flip(x, second).swapaxes(first, second)
    return flip(x.swapaxes(first, second), second)


# ---------------------------------------------------------------- at least n dimensions, stacking
def _at_least(arrays: tuple[Any, ...], make: Any) -> Any:
    results = tuple(make(_as_tensor(a)) for a in arrays)
    return results[0] if len(results) == 1 else results


def atleast_1d(*arrays: Any) -> Any:
    """Each input with at least 1 dimension (a 0-d tensor becomes shape (1,)); one result or a tuple."""
    return _at_least(arrays, lambda t: t.reshape(1) if t.ndim == 0 else t)


def atleast_2d(*arrays: Any) -> Any:
    """Each input with at least 2 dimensions: () -> (1, 1), (n,) -> (1, n)."""
    return _at_least(arrays, lambda t: t.reshape((1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t)


def _to_3d(t: Tensor) -> Tensor:
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.reshape(1, t.shape[0], 1)
    return t.reshape(t.shape + (1,)) if t.ndim == 2 else t


def atleast_3d(*arrays: Any) -> Any:
    """Each input with at least 3 dimensions: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _at_least(arrays, _to_3d)


def _listed(tensors: Any, op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op} takes a sequence of tensors (a list or tuple), got one tensor")
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError(f"{op} needs at least one tensor")
    return tensors


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Stack rows: 1-D inputs become rows, then concatenate along axis 0 (``np.vstack``/``row_stack``)."""
    return concatenate([atleast_2d(t) for t in _listed(tensors, "vstack")], axis=0)


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Concatenate along axis 1, or axis 0 for 1-D inputs (``np.hstack``)."""
    tensors = [atleast_1d(t) for t in _listed(tensors, "hstack")]
    return concatenate(tensors, axis=0 if tensors[0].ndim == 1 else 1)


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Stack along the third axis after ``atleast_3d`` (``np.dstack``)."""
    return concatenate([_to_3d(t) for t in _listed(tensors, "dstack")], axis=2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """1-D inputs as columns, 2-D ones as they are, concatenated along axis 1 (``np.column_stack``)."""
    columns = [t.reshape(-1, 1) if t.ndim < 2 else t for t in _listed(tensors, "column_stack")]
    return concatenate(columns, axis=1)


def append(x: Any, values: Any, axis: Any = None) -> Tensor:
    """``x`` with ``values`` appended (``np.append``): both flattened when ``axis`` is None, else joined
    along ``axis`` (shapes must agree off that axis)."""
    x, values = _as_tensor(x), _as_tensor(values)
    if axis is None:
        return concatenate([x.reshape(-1), values.reshape(-1)], axis=0)
    return concatenate([x, values], axis=axis)


# ---------------------------------------------------------------- splitting
def tensor_split(x: Any, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``np.array_split`` / ``torch.tensor_split``: ``n`` pieces along ``dim`` (the first ``len % n`` one
    longer), or pieces between the listed cut points (out-of-range cuts give empty pieces, as slicing)."""
    x = _as_tensor(x)
    axis = _axis(dim, x.ndim, "split")
    length = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"split: the number of sections must be positive, got {sections}")
        base, extra = divmod(length, sections)
        sizes = [base + 1] * extra + [base] * (sections - extra)
        cuts = np.cumsum([0, *sizes]).tolist()
    else:
        cuts = [0, *[int(c) for c in indices_or_sections], length]
    lead = (slice(None),) * axis
    return tuple(x[lead + (slice(start, stop),)] for start, stop in zip(cuts, cuts[1:]))


def np_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``np.split``: as ``array_split``, but ``n`` sections must divide the axis exactly."""
    x = _as_tensor(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        length = x.shape[_axis(axis, x.ndim, "split")]
        if int(indices_or_sections) <= 0 or length % int(indices_or_sections):
            raise ValueError(
                f"np.split: {indices_or_sections} sections do not divide axis {axis} of length {length} "
                "equally; use np.array_split for unequal pieces"
            )
    return list(tensor_split(x, indices_or_sections, axis))


def _split_at(axis: int, name: str, least: int) -> Any:
    def split_along(x: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
        x = _as_tensor(x)
        if x.ndim < least:
            raise ValueError(f"{name} needs at least {least} dimensions, got shape {x.shape}")
        return tuple(np_split(x, indices_or_sections, 0 if (name == "hsplit" and x.ndim == 1) else axis))

    split_along.__name__ = name
    split_along.__doc__ = f"``torch.{name}``/``np.{name}``: ``np.split`` along axis {axis}" + (
        " (axis 0 for 1-D)" if name == "hsplit" else ""
    )
    return split_along


hsplit = _split_at(1, "hsplit", 1)
vsplit = _split_at(0, "vsplit", 2)
dsplit = _split_at(2, "dsplit", 3)


def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    return list(tensor_split(x, indices_or_sections, axis))


# ---------------------------------------------------------------- diagonals and triangles
def diagonal(x: Any, offset: int = 0, dim1: int = 0, dim2: int = 1, *, axis1: Any = None, axis2: Any = None) -> Tensor:
    """The diagonal ``x[..., i, i + offset]`` of the planes of axes (``dim1``, ``dim2``), as the last
    axis (``np.diagonal``/``torch.diagonal``); an indexing, so the gradient lands back on the diagonal."""
    x = _as_tensor(x)
    dim1, dim2 = dim1 if axis1 is None else axis1, dim2 if axis2 is None else axis2
    if x.ndim < 2:
        raise ValueError(f"diagonal needs at least 2 dimensions, got shape {x.shape}")
    first, second = _axes_list((dim1, dim2), x.ndim, "diagonal")
    planes = movedim(x, (first, second), (-2, -1))
    rows, cols = planes.shape[-2:]
    length = max(0, min(rows - max(-offset, 0), cols - max(offset, 0)))
    steps = np.arange(length)
    return planes[..., steps + max(-offset, 0), steps + max(offset, 0)]


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The sum of the diagonal (``np.trace``; ``torch.trace`` for a matrix)."""
    return diagonal(x, offset, axis1, axis2).sum(axis=-1)


def diag(x: Any, diagonal: int = 0) -> Tensor:
    """For a vector, the square matrix with it on diagonal ``diagonal`` (0 elsewhere); for a matrix,
    that diagonal as a vector (``np.diag``, ``torch.diag``; NumPy calls the offset ``k``)."""
    x = _as_tensor(x)
    k = int(diagonal)
    if x.ndim == 2:
        return globals()["diagonal"](x, k)
    if x.ndim != 1:
        raise ValueError(f"diag needs a 1-D or 2-D tensor, got shape {x.shape}")
    n = x.shape[0]
    square = where(np.eye(n, dtype=bool), x.reshape(1, n), 0)  # where, not x * eye: an inf stays off the zeros
    if k >= 0:
        return pad(square, (k, 0, 0, k))
    return pad(square, (0, -k, -k, 0))


def _triangle(x: Any, k: int, lower: bool, op: str) -> Tensor:
    x = _as_tensor(x)
    if x.ndim == 0:
        raise ValueError(f"{op} needs at least 1 dimension, got a 0-d tensor")
    rows, cols = (x.shape[-2], x.shape[-1]) if x.ndim >= 2 else (x.shape[0], x.shape[0])
    below = np.tri(rows, cols, k=int(k) if lower else int(k) - 1, dtype=bool)
    return where(below if lower else ~below, x, 0)


def tril(x: Any, diagonal: int = 0, *, k: Any = None) -> Tensor:
    """The lower triangle (``j <= i + diagonal``) of each matrix, 0 above (``np.tril``'s ``k``)."""
    return _triangle(x, diagonal if k is None else k, True, "tril")


def triu(x: Any, diagonal: int = 0, *, k: Any = None) -> Tensor:
    """The upper triangle (``j >= i + diagonal``) of each matrix, 0 below."""
    return _triangle(x, diagonal if k is None else k, False, "triu")


# ---------------------------------------------------------------- products
def inner(a: Any, b: Any) -> Tensor:
    """The sum over the last axes of ``a`` and ``b``: shape ``a.shape[:-1] + b.shape[:-1]`` (``np.inner``);
    a 0-d operand multiplies."""
    a, b = _as_tensor(a), _as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: the last axes differ, shapes {a.shape} and {b.shape}")
    letters = "abcdefghijklmnopqrstuvwxy"
    left, right = letters[: a.ndim - 1], letters[a.ndim - 1 : a.ndim + b.ndim - 2]
    return einsum(f"{left}z,{right}z->{left}{right}", a, b)


def kron(a: Any, b: Any) -> Tensor:
    """The Kronecker product: blocks ``a[i] * b`` (``np.kron``/``torch.kron``), by broadcasting the
    interleaved shapes (a0, 1, a1, 1, ...) and (1, b0, 1, b1, ...) and merging each pair of axes."""
    a, b = _as_tensor(a), _as_tensor(b)
    ndim = max(a.ndim, b.ndim)
    a_shape, b_shape = (1,) * (ndim - a.ndim) + a.shape, (1,) * (ndim - b.ndim) + b.shape
    spread_a = a.reshape(tuple(v for n in a_shape for v in (n, 1)))
    spread_b = b.reshape(tuple(v for n in b_shape for v in (1, n)))
    return (spread_a * spread_b).reshape(tuple(m * n for m, n in zip(a_shape, b_shape)))


def cross(a: Any, b: Any, dim: Any = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (``torch.cross``; ``dim=None`` takes the first axis
    of size 3 of the broadcast shape, as PyTorch). For NumPy's form see ``np_cross``."""
    a, b = _as_tensor(a), _as_tensor(b)
    if dim is None:
        shape = np.broadcast_shapes(a.shape, b.shape)
        if 3 not in shape:
            raise ValueError(f"cross: no axis of size 3 in the shapes {a.shape} and {b.shape}")
        dim = shape.index(3) - len(shape)
    return np_cross(a, b, axis=dim)


def np_cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: Any = None) -> Tensor:
    """``np.cross``: vectors of 3 (or 2, taken with z = 0) components along ``axisa``/``axisb`` (``axis``
    sets all three); the result's components along ``axisc``. Two 2-vectors give the z component only."""
    a, b = _as_tensor(a), _as_tensor(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = movedim(a, axisa, -1), movedim(b, axisb, -1)
    sizes = (a.shape[-1], b.shape[-1])
    if any(n not in (2, 3) for n in sizes):
        raise ValueError(f"cross: vectors need 2 or 3 components, got {sizes[0]} and {sizes[1]}")
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if sizes == (2, 2):
        return z
    a2 = a[..., 2] if sizes[0] == 3 else None
    b2 = b[..., 2] if sizes[1] == 3 else None
    x_part = (a1 * b2 if b2 is not None else 0) - (a2 * b1 if a2 is not None else 0)
    y_part = (a2 * b0 if a2 is not None else 0) - (a0 * b2 if b2 is not None else 0)
    components = [_as_tensor(c) * 1 if not isinstance(c, Tensor) else c for c in (x_part, y_part, z)]
    shape = np.broadcast_shapes(*(c.shape for c in components))
    result = stack([c.broadcast_to(shape) if c.shape != shape else c for c in components], axis=-1)
    return movedim(result, -1, axisc)


# ---------------------------------------------------------------- differences
def diff(x: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None, *, axis: Any = None) -> Tensor:
    """The ``n``-th forward difference ``x[i+1] - x[i]`` along ``dim`` (NumPy's ``axis``), after joining
    ``prepend``/``append`` (a number is broadcast to one slice)."""
    x = _as_tensor(x)
    dim = dim if axis is None else axis
    if n < 0:
        raise ValueError(f"diff: the order n must be non-negative, got {n}")
    if x.ndim == 0:
        raise ValueError("diff needs at least 1 dimension, got a 0-d tensor")
    ax = _axis(dim, x.ndim, "diff")
    slice_shape = x.shape[:ax] + (1,) + x.shape[ax + 1 :]

    def joined(extra: Any) -> list[Tensor]:
        if extra is None:
            return []
        extra = _as_tensor(extra)
        return [extra.broadcast_to(slice_shape) if extra.ndim == 0 else extra]

    pieces = [*joined(prepend), x, *joined(append)]
    out = concatenate(pieces, axis=ax) if len(pieces) > 1 else x
    lead = (slice(None),) * ax
    for _ in range(n):
        out = out[lead + (slice(1, None),)] - out[lead + (slice(None, -1),)]
    return out


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """``np.gradient`` with uniform spacing (a scalar per axis, default 1) and ``edge_order=1``:
    central differences inside, one-sided at the two ends. One axis gives a tensor, several a tuple."""
    f = _as_tensor(f)
    if edge_order != 1:
        raise ValueError("gradient: only edge_order=1 is supported on tensors")
    axes = list(range(f.ndim)) if axis is None else _axes_list(axis, f.ndim, "gradient")
    spacings = list(varargs) if len(varargs) > 1 else [varargs[0] if varargs else 1.0] * len(axes)
    if len(spacings) != len(axes) or any(np.ndim(h) for h in spacings):
        raise ValueError("gradient: give one scalar spacing, or one per axis (coordinate arrays are not supported)")
    results = []
    for ax, h in zip(axes, spacings):
        if f.shape[ax] < 2:
            raise ValueError(f"gradient: axis {ax} has {f.shape[ax]} points; at least 2 are needed")

        def part(start: Any, stop: Any, ax: int = ax) -> Tensor:
            return f[(slice(None),) * ax + (slice(start, stop),)]

        first = (part(1, 2) - part(0, 1)) / h
        last = (part(-1, None) - part(-2, -1)) / h
        inside = [(part(2, None) - part(None, -2)) / (2 * h)] if f.shape[ax] > 2 else []
        results.append(concatenate([first, *inside, last], axis=ax))
    return results[0] if len(results) == 1 else tuple(results)


# ---------------------------------------------------------------- order (values only, as NumPy)
def np_sort(x: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: Any = None) -> Tensor:
    """``np.sort``: the sorted values (stable), gathered so the gradient returns to where each came from."""
    x = _as_tensor(x)
    if order is not None:
        raise TypeError("np.sort: order= (structured arrays) is not supported on tensors")
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.ndim == 0:
        raise ValueError("np.sort of a 0-d tensor: give axis=None")
    return _take(x, values_of(partial(np.argsort, axis=axis, kind="stable"), x), axis)


def partition(x: Any, kth: Any, axis: Any = -1, kind: str = "introselect", order: Any = None) -> Tensor:
    """``np.partition``: the values arranged as ``np.argpartition`` arranges them (the k-th in its sorted
    place, smaller before, larger after), gathered so the gradient returns to where each came from."""
    x = _as_tensor(x)
    if order is not None:
        raise TypeError("np.partition: order= (structured arrays) is not supported on tensors")
    if axis is None:
        x, axis = x.reshape(-1), 0
    if kind != "introselect":
        raise ValueError(f"np.partition: kind must be 'introselect', got {kind!r}")
    indices = values_of(partial(np.argpartition, kth=kth, axis=axis), x)
    return _take(x, indices, axis)


def _take(x: Tensor, indices: Any, axis: int) -> Tensor:
    return take_along_axis(x, indices, axis)


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Tensor:
    """``np.select``: the choice of the first condition that holds, else ``default`` (nested ``where``s)."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions for {len(choicelist)} choices")
    out = _as_tensor(default)
    for condition, choice in reversed(list(zip(condlist, choicelist))):
        out = where(condition, choice, out)
    return out
