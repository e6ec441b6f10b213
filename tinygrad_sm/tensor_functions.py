"""The functions of several tensors: ``where``, ``maximum``, ``minimum``, ``concatenate`` (``cat``) and
``stack``. Operands promote to one dtype as for every binary op (``dtypes.result_type``); each only
dispatches to a primitive in ``ops/``. Re-exported from ``tinygrad_sm.tensor`` and the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from ._axes import normalize_axis
from .dtypes import result_type
from .tensor import Tensor, _cast, _plain, _promoted
from .tensor_habits import _UNSET, axis_args


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast); the condition carries no gradient.
    The result dtype is ``result_type(a, b)``, as for every binary op."""
    condition = np.asarray(_plain(condition))
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    return ops.Where.apply(*_promoted(a, b), condition=condition)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max (ties split the gradient evenly)."""
    return ops.Maximum.apply(*_promoted(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min (ties split the gradient evenly)."""
    return ops.Minimum.apply(*_promoted(a, b))


def concatenate(tensors: Sequence[Any], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors along ``axis`` (or ``dim``; default 0); dtypes promote as for binary ops."""
    axis = axis_args(axis, dim=dim, op="concatenate", default_axis=0)[0]
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    if tensors[0].ndim == 0:
        raise ValueError("zero-dimensional tensors cannot be concatenated; use stack")
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        dtype = result_type(*tensors)
        tensors = [_cast(t, dtype) for t in tensors]
    return ops.Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors: Sequence[Any], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors of one shape along a new ``axis`` (or ``dim``; default 0)."""
    axis = axis_args(axis, dim=dim, op="stack", default_axis=0)[0]
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack needs tensors of one shape, got {sorted(shapes)}")
    axis = normalize_axis(axis, tensors[0].ndim + 1, "axis", "stack")  # a new axis: -(ndim+1)..ndim
    expanded = [t.reshape(t.shape[:axis] + (1,) + t.shape[axis:]) for t in tensors]
    return concatenate(expanded, axis=axis)
