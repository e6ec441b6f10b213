"""Pooling composed from the sliding-window primitive: a max or a mean over each window.

``max_pool2d`` is ``max`` over the kernel axes of the windows, so tied maxima split the gradient
evenly, as ``Tensor.max`` does (PyTorch instead gives it all to one of them: the gradients differ
exactly where a window has ties; elsewhere they agree). Padding holds -inf, which never wins.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import ops
from ..autograd import name_scope
from ..ops.window import Ints, Pairs
from ..tensor import Tensor, constant
from .conv import IntOrPair, _check_input, _tuple, windows


def _pool_geometry(
    input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool, op: str
) -> tuple[Ints, Ints, Ints, Pairs]:
    """(kernel, stride, dilation, padding pairs) with ``ceil_mode``'s extra padding after."""
    kernel = _tuple(kernel_size, 2, "kernel_size")
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):  # PyTorch: None or () means kernel_size
        stride = kernel
    stride = _tuple(stride, 2, "stride")
    dilation, pad = _tuple(dilation, 2, "dilation"), _tuple(padding, 2, "padding", minimum=0)
    if any(p > k // 2 for p, k in zip(pad, kernel)):
        raise ValueError(f"{op}: padding {pad} must be at most half the kernel size {kernel} (as in PyTorch)")
    pairs = []
    for size, k, s, d, p in zip(input.shape[2:], kernel, stride, dilation, pad):
        span = d * (k - 1) + 1
        if size + 2 * p < span:
            raise ValueError(
                f"{op}: input of shape {input.shape} is smaller than the window {kernel} "
                f"(dilation {dilation}, padding {pad})"
            )
        count = (math.ceil if ceil_mode else math.floor)((size + 2 * p - span) / s) + 1
        if ceil_mode and (count - 1) * s >= size + p:  # the last window must start inside the input or the left pad
            count -= 1
        pairs.append((p, max((count - 1) * s + span - size - p, p)))
    return kernel, stride, dilation, tuple(pairs)


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """``torch.nn.functional.max_pool2d``: (N, C, H, W) -> (N, C, H_out, W_out), the max of each window
    (``stride`` defaults to ``kernel_size``). Ties split the gradient evenly (see the module docstring).
    ``return_indices`` is not supported (it raises)."""
    _check_input(input, 4, "max_pool2d")
    if return_indices:
        raise ValueError(
            "max_pool2d: return_indices=True is not supported (ties share the gradient, so there "
            "is no single index per window)"
        )
    kernel, stride, dilation, pairs = _pool_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d"
    )
    with name_scope("max_pool2d"):
        return windows(input, kernel, dilation, pairs, stride, pad_value=-np.inf).max(axis=(2, 3))


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """``torch.nn.functional.avg_pool2d``: the mean of each window, (N, C, H, W) -> (N, C, H_out, W_out).

    The divisor is the window's size counting the zero padding (``count_include_pad``) or only the
    input pixels it covers; windows that ``ceil_mode`` lets run past the padding count only what lies
    inside it, as in PyTorch. ``divisor_override`` replaces the divisor.
    """
    _check_input(input, 4, "avg_pool2d")
    kernel, stride, dilation, pairs = _pool_geometry(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or divisor_override <= 0:
            raise ValueError(f"avg_pool2d: divisor_override must be a positive int, got {divisor_override!r}")
        divisor: Any = float(divisor_override)
    else:  # how many counted pixels each window covers: a window sum over ones (a constant)
        height, width = input.shape[2:]
        if count_include_pad:
            ones = np.ones((1, 1, height + 2 * pairs[0][0], width + 2 * pairs[1][0]), dtype=input.dtype)
            ones_pairs = tuple((0, after - before) for before, after in pairs)
        else:
            ones, ones_pairs = np.ones((1, 1, height, width), dtype=input.dtype), pairs
        counts = ops.Unfold().forward(ones, kernel_size=kernel, dilation=dilation, padding=ones_pairs, stride=stride)
        divisor = constant(counts.sum(axis=(2, 3)))
    with name_scope("avg_pool2d"):
        return windows(input, kernel, dilation, pairs, stride).sum(axis=(2, 3)) / divisor


def _averaging_matrix(size: int, bins: int, dtype: Any) -> np.ndarray:
    """(bins, size): row i averages input positions floor(i*size/bins) .. ceil((i+1)*size/bins) - 1."""
    matrix = np.zeros((bins, size), dtype=dtype)
    for i in range(bins):
        start, stop = (i * size) // bins, -((-(i + 1) * size) // bins)
        matrix[i, start:stop] = 1.0 / (stop - start)
    return matrix


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """``torch.nn.functional.adaptive_avg_pool2d``: (N, C, H, W) -> (N, C, *output_size), bin i of an axis
    averaging positions ``floor(i H / out)`` to ``ceil((i + 1) H / out) - 1`` (bins may overlap). Written
    as ``A_h @ x @ A_w^T`` with constant averaging matrices; ``None`` keeps that axis's size."""
    _check_input(input, 4, "adaptive_avg_pool2d")
    parts = (
        (output_size, output_size)
        if output_size is None or isinstance(output_size, (int, np.integer))
        else tuple(output_size)
    )
    if len(parts) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(input.shape[2 + axis] if part is None else part for axis, part in enumerate(parts))
    if not all(isinstance(s, (int, np.integer)) and s > 0 for s in sizes):
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive ints, got {output_size!r}")
    with name_scope("adaptive_avg_pool2d"):
        rows = constant(_averaging_matrix(input.shape[2], sizes[0], input.dtype))
        columns = constant(_averaging_matrix(input.shape[3], sizes[1], input.dtype).T.copy())
        return rows @ (input @ columns)
