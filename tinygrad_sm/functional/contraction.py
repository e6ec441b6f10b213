"""Contractions: einsum (a primitive with its own rule), and tensordot, dot, mv, outer composed from it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _tensors(operands: Any) -> list[Tensor]:
    """Tensors as they are; arrays as constants of their own dtype; numbers and lists as constants of
    the first tensor's floating dtype (so a Python number does not turn float32 into float64)."""
    like = next((o for o in operands if isinstance(o, Tensor)), None)
    dtype = like.dtype if like is not None and like.dtype.kind == "f" else None
    return [
        o if isinstance(o, Tensor) else Tensor(o, dtype=None if isinstance(o, np.ndarray) else dtype) for o in operands
    ]


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Einstein summation, as ``np.einsum``/``torch.einsum`` with a subscripts string: ``'ij,jk->ik'``
    (matmul), ``'ii->'`` (trace), ``'bij,bjk->bik'``, ``'...ij->...ji'``; without ``->`` the output is
    the letters used once, in alphabetical order. Operands may also be passed as one list (PyTorch).
    Differences: the interleaved ``(operand, sublist)`` form is not supported, and a letter's sizes must
    agree exactly (no size-1 broadcasting inside einsum)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return ops.Einsum.apply(*_tensors(operands), subscripts=subscripts)


def tensordot(a: Any, b: Any, axes: Any = 2, dims: Any = None) -> Tensor:
    """Sum over the last ``axes`` axes of ``a`` and the first ``axes`` of ``b``, or over the listed pairs
    ``axes = (axes_of_a, axes_of_b)``; PyTorch's ``dims=`` is accepted for ``axes``. Written as an einsum."""
    a, b = _tensors((a, b))
    if dims is not None:
        axes = dims
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: axes={axes} for operands of {a.ndim} and {b.ndim} dimensions")
        axes_a, axes_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        listed_a, listed_b = ([x] if isinstance(x, (int, np.integer)) else list(x) for x in axes)
        if len(listed_a) != len(listed_b):
            raise ValueError(f"tensordot: {len(listed_a)} axes of a paired with {len(listed_b)} axes of b")
        axes_a = [int(x) % max(a.ndim, 1) for x in listed_a]
        axes_b = [int(x) % max(b.ndim, 1) for x in listed_b]
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(
                f"tensordot: axis {i} of a (shape {a.shape}) and axis {j} of b (shape {b.shape}) differ in size"
            )
    if a.ndim + b.ndim - len(axes_a) > len(_LETTERS):
        raise ValueError("tensordot: too many dimensions")
    letters_a = list(_LETTERS[: a.ndim])
    letters_b = list(_LETTERS[a.ndim : a.ndim + b.ndim])
    for i, j in zip(axes_a, axes_b):
        letters_b[j] = letters_a[i]
    kept = [c for k, c in enumerate(letters_a) if k not in axes_a] + [
        c for k, c in enumerate(letters_b) if k not in axes_b
    ]
    return ops.Einsum.apply(a, b, subscripts="".join(letters_a) + "," + "".join(letters_b) + "->" + "".join(kept))


def dot(a: Any, b: Any) -> Tensor:
    """``np.dot``: a product with scalars, the inner product of vectors, ``matmul`` for matrices, and for
    N-D operands the sum over the last axis of ``a`` and the second-to-last of ``b``."""
    a, b = _tensors((a, b))
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1:
        return tensordot(a, b, axes=([-1], [0]))
    return tensordot(a, b, axes=([-1], [-2]))


def mv(matrix: Any, vector: Any) -> Tensor:
    """``torch.mv``: the matrix-vector product ``out[i] = sum_j matrix[i, j] * vector[j]``, (n, m) and (m,)
    giving (n,). Only those shapes, as PyTorch (``matmul`` broadcasts; ``mv`` refuses)."""
    matrix, vector = _tensors((matrix, vector))
    if matrix.ndim != 2 or vector.ndim != 1 or matrix.shape[1] != vector.shape[0]:
        raise RuntimeError(f"mv: needs a matrix (n, m) and a vector (m,), got shapes {matrix.shape} and {vector.shape}")
    return matrix @ vector


def outer(a: Any, b: Any) -> Tensor:
    """``out[i, j] = a[i] * b[j]`` over the flattened operands (``np.outer``/``torch.outer``)."""
    a, b = _tensors((a, b))
    return a.reshape((-1, 1)) * b.reshape((1, -1))
