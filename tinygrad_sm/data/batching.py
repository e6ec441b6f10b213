"""Batching: shuffled mini-batches and one-hot targets."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .datasets import SeedLike

__all__ = ["iterate_minibatches", "one_hot"]


def _is_positive_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and bool(value > 0)


def iterate_minibatches(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True, seed: SeedLike = None, drop_last: bool = False
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (x_batch (B, ...), y_batch (B, ...)) covering each sample once per call.

    With ``shuffle`` the order is a permutation drawn from ``np.random.default_rng(seed)``:
    an int seed repeats it exactly; a Generator gives a new order on each call (one per
    epoch) that is still reproducible from the Generator's seed. The last batch may be
    smaller unless ``drop_last``. Arguments are checked now, not at the first ``next``.
    """
    if not _is_positive_int(batch_size):
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(f"x and y need the same number of samples, got shapes {x.shape} and {y.shape}")
    order = np.random.default_rng(seed).permutation(len(x)) if shuffle else None
    return _minibatches(x, y, batch_size, order, drop_last)


def _minibatches(
    x: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None, drop_last: bool
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    count = len(x)
    stop = count - count % batch_size if drop_last else count
    for start in range(0, stop, batch_size):
        if order is None:  # slices are views: no copy when not shuffling
            yield x[start : start + batch_size], y[start : start + batch_size]
        else:
            indices = order[start : start + batch_size]
            yield x[indices], y[indices]


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Encode integer ``labels`` of shape S as float32 of shape S + (num_classes,)."""
    if not _is_positive_int(num_classes):
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot needs integer labels, got dtype {labels.dtype}")
    out_of_range = np.argwhere((labels < 0) | (labels >= num_classes))
    if len(out_of_range):
        position = tuple(int(i) for i in out_of_range[0])
        shown = position[0] if len(position) == 1 else position
        raise ValueError(
            f"label {labels[position]} at index {shown} is outside 0..{num_classes - 1} "
            f"({len(out_of_range)} labels out of range)"
        )
    encoded = np.zeros(labels.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(encoded, labels[..., None].astype(np.intp), np.float32(1), axis=-1)
    return encoded
