"""Sliding windows: ``Unfold`` (im2col, a strided view of the input) and its adjoint ``Fold``.

Convolution and pooling are not primitives: they are composites over the windows ``Unfold`` makes
(see ``functional/conv.py`` and ``functional/pool.py``). Shapes, with ``k`` spatial axes:

- ``Unfold``: ``x`` (N, C, *spatial) -> windows (N, C, *kernel, *out), where
  ``windows[n, c, i, j, y, z] = x_padded[n, c, y*stride + i*dilation, z*stride + j*dilation]``.
- ``Fold``: windows (N, C, *kernel, *out) -> (N, C, *spatial): every window entry is added back at
  the position it was read from (overlapping windows add up), and the padding is cut off.

``padding`` is one ``(before, after)`` pair per spatial axis (the composites build the pairs from
PyTorch's symmetric ``padding``; max pooling's ``ceil_mode`` needs a longer ``after``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..autograd import Primitive
from ._helpers import Array, Grads, _forward_or_record

Pairs = tuple[tuple[int, int], ...]
Ints = tuple[int, ...]


def window_counts(
    spatial: tuple[int, ...],
    kernel_size: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: Pairs,
    stride: tuple[int, ...],
) -> tuple[int, ...]:
    """Windows per spatial axis: ``(size + before + after - dilation*(kernel-1) - 1) // stride + 1``;
    ValueError when a window is larger than the padded input."""
    counts = []
    for axis, (size, kernel, dil, (before, after), step) in enumerate(
        zip(spatial, kernel_size, dilation, padding, stride)
    ):
        span = dil * (kernel - 1) + 1
        if size + before + after < span:
            raise ValueError(
                f"spatial axis {axis} has size {size} (padded {size + before + after}), smaller "
                f"than the window (kernel {kernel}, dilation {dil}: span {span})"
            )
        counts.append((size + before + after - span) // step + 1)
    return tuple(counts)


def _describe(kernel_size: tuple[int, ...], dilation: tuple[int, ...], padding: Pairs, stride: tuple[int, ...]) -> str:
    words = ["x".join(map(str, kernel_size))]
    if any(s != 1 for s in stride):
        words.append("stride " + ",".join(map(str, stride)))
    if any(p != (0, 0) for p in padding):
        words.append("pad " + ",".join(str(b) if b == a else f"{b}/{a}" for b, a in padding))
    if any(d != 1 for d in dilation):
        words.append("dilation " + ",".join(map(str, dilation)))
    return " ".join(words)


class Unfold(Primitive):
    """Every window of ``x`` as a strided view (no Python loop over positions, no copy unless padding
    is needed); padded entries hold ``pad_value`` (0, or -inf for max pooling)."""

    math = (
        r"W_{n,c,i,j,y,z} = x_{n,c,\ y s + i d - p,\ z s + j d - p}",
        r"\bar x = \mathrm{fold}(g)\text{: each window entry added back where it was read}",
    )
    reads_inputs = False

    def forward(
        self, x: np.ndarray, kernel_size: Ints, dilation: Ints, padding: Pairs, stride: Ints, pad_value: float = 0.0
    ) -> np.ndarray:
        spatial_axes = len(kernel_size)
        if x.ndim != spatial_axes + 2:
            raise ValueError(
                f"unfold with a {spatial_axes}-d kernel expects (N, C, {spatial_axes} spatial axes), "
                f"got shape {x.shape}"
            )
        counts = window_counts(x.shape[2:], kernel_size, dilation, padding, stride)
        self.params = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
        self.spatial = x.shape[2:]
        self.window = _describe(kernel_size, dilation, padding, stride)  # for pictures
        if any(before or after for before, after in padding):
            x = np.pad(x, ((0, 0), (0, 0), *tuple(padding)), constant_values=pad_value)
        strides = x.strides[2:]
        shape = x.shape[:2] + tuple(kernel_size) + counts
        view_strides = (
            x.strides[:2]
            + tuple(s * d for s, d in zip(strides, dilation))
            + tuple(s * step for s, step in zip(strides, stride))
        )
        return np.lib.stride_tricks.as_strided(x, shape, view_strides, writeable=False)

    def backward(self, grad: Array, x: Array, out: Array) -> Grads:
        return (_forward_or_record(Fold, grad, output_size=self.spatial, **self.params),)


class Fold(Primitive):
    """The adjoint of ``Unfold``: window entries summed back into an (N, C, *output_size) array.
    One slice-add per kernel offset (``prod(kernel_size)`` of them), none per position."""

    math = (
        r"y_{n,c,u,v} = \sum_{(i,j,y,z):\ y s + i d - p = u,\ z s + j d - p = v} W_{n,c,i,j,y,z}",
        r"\bar W = \mathrm{unfold}(g)",
    )
    reads_inputs = False

    def forward(
        self, windows: np.ndarray, output_size: Ints, kernel_size: Ints, dilation: Ints, padding: Pairs, stride: Ints
    ) -> np.ndarray:
        spatial_axes = len(kernel_size)
        counts = window_counts(output_size, kernel_size, dilation, padding, stride)
        expected = tuple(kernel_size) + counts
        if windows.ndim != 2 + 2 * spatial_axes or windows.shape[2:] != expected:
            raise ValueError(
                f"fold to size {tuple(output_size)} with kernel {tuple(kernel_size)} expects windows "
                f"of shape (N, C, {', '.join(map(str, expected))}), got {windows.shape}"
            )
        self.params = dict(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
        self.window = _describe(kernel_size, dilation, padding, stride)
        padded = np.zeros(
            windows.shape[:2] + tuple(n + b + a for n, (b, a) in zip(output_size, padding)), dtype=windows.dtype
        )
        lead = (slice(None), slice(None))
        if all(step == k for step, k in zip(stride, kernel_size)) and all(d == 1 for d in dilation):
            # windows that tile without overlap (a pool's default): each pixel was read once, so the sum is
            # a placement, one strided copy instead of prod(kernel_size) slice-adds into zeros
            covered = padded[lead + tuple(slice(0, c * k) for c, k in zip(counts, kernel_size))]
            tiles = covered.reshape(windows.shape[:2] + tuple(n for c, k in zip(counts, kernel_size) for n in (c, k)))
            # windows (N, C, *kernel, *counts) -> (N, C, c1, k1, c2, k2, ...)
            order = (0, 1, *(a for axis in range(spatial_axes) for a in (2 + spatial_axes + axis, 2 + axis)))
            tiles[...] = windows.transpose(order)
            crop = lead + tuple(slice(b, b + n) for n, (b, _) in zip(output_size, padding))
            return padded[crop]
        for offsets in itertools.product(*(range(k) for k in kernel_size)):
            target = lead + tuple(
                slice(o * d, o * d + (count - 1) * step + 1, step)
                for o, d, count, step in zip(offsets, dilation, counts, stride)
            )
            padded[target] += windows[lead + offsets]
        crop = lead + tuple(slice(b, b + n) for n, (b, _) in zip(output_size, padding))
        return padded[crop]

    def backward(self, grad: Array, windows: Array, out: Array) -> Grads:
        return (_forward_or_record(Unfold, grad, **self.params),)


def as_pairs(padding: Any, spatial_axes: int) -> Pairs:
    """``p`` or ``(p1, p2)`` (symmetric, PyTorch's form) or ``((b1, a1), (b2, a2))`` -> pairs."""
    if isinstance(padding, (int, np.integer)):
        return ((int(padding), int(padding)),) * spatial_axes
    parts = tuple(padding)
    if len(parts) != spatial_axes:
        raise ValueError(f"padding needs {spatial_axes} entries, got {padding!r}")
    return tuple((int(p), int(p)) if isinstance(p, (int, np.integer)) else (int(p[0]), int(p[1])) for p in parts)
