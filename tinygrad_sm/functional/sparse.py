"""Integer-indexed composites: ``one_hot`` (no gradient) and ``embedding`` (row lookup)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, where


def _integer_indices(name: str, indices: Any) -> np.ndarray:
    array = indices.numpy() if isinstance(indices, Tensor) else np.asarray(indices)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, got dtype {array.dtype}")
    return array


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """``out[..., k] = 1`` where ``tensor[...] == k``, else 0; int64, shape ``tensor.shape + (num_classes,)``.

    ``num_classes=-1`` takes ``max(tensor) + 1`` (as PyTorch). A negative label or one ``>= num_classes``
    raises ValueError naming it and its position.
    """
    labels = _integer_indices("one_hot", tensor)
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes")
        num_classes = int(labels.max()) + 1
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive int or -1, got {num_classes!r}")
    if _outside(labels, num_classes):
        bad = (labels < 0) | (labels >= num_classes)
        position = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"one_hot: label {labels[position]} at index {position} is out of range for "
            f"num_classes={num_classes} (valid: 0..{num_classes - 1})"
        )
    return Tensor(np.eye(num_classes, dtype=np.int64)[labels])


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input`` (any shape): the result
    has shape ``input.shape + (dim,)`` and its gradient adds into the rows picked (``GetItem``'s adjoint).

    ``padding_idx`` (negative counts from the end, as PyTorch) gets no gradient: its row is read through
    a detached copy. Indices must lie in ``0..num_embeddings-1`` (as PyTorch: a negative index is not
    counted from the end); others raise IndexError naming the index and its position.
    """
    indices = _integer_indices("embedding", input)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), got {weight.shape}")
    count = weight.shape[0]
    if _outside(indices, count):
        bad = (indices < 0) | (indices >= count)
        position = tuple(int(i) for i in np.argwhere(bad)[0])
        raise IndexError(
            f"embedding: index {indices[position]} at position {position} is out of range for "
            f"{count} embeddings (valid: 0..{count - 1})"
        )
    rows = weight[indices]
    if padding_idx is None:
        return rows
    if not -count <= padding_idx < count:
        raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for {count} embeddings")
    padding = (indices == padding_idx % count)[..., None]
    return where(padding, rows.detach(), rows)


def _outside(indices: np.ndarray, count: int) -> bool:
    return bool(((indices < 0) | (indices >= count)).any())
