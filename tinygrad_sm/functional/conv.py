"""Convolutions composed from the sliding-window primitive: a convolution is a matrix product over windows.

``conv2d`` unfolds the input into its windows (a strided view), flattens each window into a row (the
copy: im2col) and multiplies the rows by the flattened kernels; autograd derives the gradient from the
matmul and from ``Unfold``'s adjoint ``Fold``. ``conv_transpose2d`` is that adjoint written forwards:
a matmul, then ``fold``. PyTorch's signatures and (N, C, H, W) layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..autograd import name_scope
from ..tensor import Tensor

IntOrPair = int | tuple[int, ...]  # one int for every spatial axis, or one per axis (checked by _tuple)


def _tuple(value: Any, length: int, name: str, minimum: int = 1) -> tuple[int, ...]:
    parts = (value,) * length if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else tuple(value)
    if len(parts) != length or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in parts):
        raise ValueError(f"{name} must be an int or a tuple of {length} ints, got {value!r}")
    if any(p < minimum for p in parts):
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return tuple(int(p) for p in parts)


def _check_input(input: Any, dims: int, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op} expects a Tensor input, got {type(input).__name__}")
    if input.ndim != dims:
        raise ValueError(
            f"{op} expects input of shape (N, C, {', '.join('HW'[-(dims - 2) :] if dims == 4 else 'L')}), "
            f"got {input.shape}"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"{op} expects a floating point input, got dtype {input.dtype}")
    return input


def windows(
    input: Tensor,
    kernel_size: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: Any,
    stride: tuple[int, ...],
    pad_value: float = 0.0,
) -> Tensor:
    """The windows of ``input`` (N, C, *spatial) as (N, C, *kernel_size, *out): the Unfold primitive."""
    pairs = ops.as_pairs(padding, len(kernel_size))
    return ops.Unfold.apply(
        input, kernel_size=kernel_size, dilation=dilation, padding=pairs, stride=stride, pad_value=pad_value
    )


def unfold(
    input: Tensor, kernel_size: IntOrPair, dilation: IntOrPair = 1, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> Tensor:
    """``torch.nn.functional.unfold``: (N, C, H, W) -> (N, C*kh*kw, L), column ``l`` holding the flattened
    window at position ``l`` (row-major over the (H_out, W_out) grid); the columns are a copy of the view."""
    _check_input(input, 4, "unfold")
    kernel = _tuple(kernel_size, 2, "kernel_size")
    padding = _tuple(padding, 2, "padding", minimum=0)
    view = windows(input, kernel, _tuple(dilation, 2, "dilation"), padding, _tuple(stride, 2, "stride"))
    n, c = input.shape[:2]
    return view.reshape(n, c * kernel[0] * kernel[1], view.shape[4] * view.shape[5])


def fold(
    input: Tensor,
    output_size: IntOrPair,
    kernel_size: IntOrPair,
    dilation: IntOrPair = 1,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> Tensor:
    """``torch.nn.functional.fold``, unfold's adjoint: (N, C*kh*kw, L) -> (N, C, H, W), every column added
    back at the positions its window covers (overlaps add up). ``fold(unfold(x))`` is ``x`` times the
    number of windows covering each pixel, not ``x``."""
    if not isinstance(input, Tensor) or input.ndim != 3:
        raise ValueError(f"fold expects a (N, C*kh*kw, L) Tensor, got {getattr(input, 'shape', type(input).__name__)}")
    size = _tuple(output_size, 2, "output_size")
    kernel, dilation = _tuple(kernel_size, 2, "kernel_size"), _tuple(dilation, 2, "dilation")
    stride, pad = _tuple(stride, 2, "stride"), _tuple(padding, 2, "padding", minimum=0)
    pairs = ops.as_pairs(pad, 2)
    counts = ops.window_counts(size, kernel, dilation, pairs, stride)
    n, rows, columns = input.shape
    per_window = kernel[0] * kernel[1]
    if rows % per_window or columns != counts[0] * counts[1]:
        raise ValueError(
            f"fold to {size} with kernel {kernel}: input of shape {input.shape} needs a multiple of "
            f"{per_window} rows and {counts[0] * counts[1]} columns ({counts[0]}x{counts[1]} windows)"
        )
    cols = input.reshape(n, rows // per_window, *kernel, *counts)
    return ops.Fold.apply(cols, output_size=size, kernel_size=kernel, dilation=dilation, padding=pairs, stride=stride)


def _same_padding(kernel: tuple[int, ...], dilation: tuple[int, ...], stride: tuple[int, ...]) -> tuple:
    if any(s != 1 for s in stride):
        raise ValueError("padding='same' is not supported for strided convolutions (as in PyTorch)")
    # the total d*(k-1) split with the extra one after, as PyTorch does for even kernels
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))


def _padding_pairs(padding: Any, kernel: tuple[int, ...], dilation: tuple[int, ...], stride: tuple[int, ...]) -> tuple:
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding == "same":
            return _same_padding(kernel, dilation, stride)
        raise ValueError(f"padding must be 'valid', 'same', an int or a tuple of ints, got {padding!r}")
    return ops.as_pairs(_tuple(padding, len(kernel), "padding", minimum=0), len(kernel))


def _check_weight(
    input: Tensor, weight: Tensor, bias: Tensor | None, groups: int, op: str, transposed: bool = False
) -> None:
    if not isinstance(weight, Tensor) or weight.ndim != input.ndim:
        raise ValueError(
            f"{op}: weight must be a Tensor with {input.ndim} dimensions, got "
            f"{getattr(weight, 'shape', type(weight).__name__)}"
        )
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    channels = input.shape[1]
    if transposed:
        if weight.shape[0] != channels or channels % groups:
            raise ValueError(
                f"{op}: input has {channels} channels but weight {weight.shape} expects "
                f"{weight.shape[0]} (weight is (C_in, C_out/groups, kh, kw)), groups={groups}"
            )
        out_channels = weight.shape[1] * groups
    else:
        if channels % groups or weight.shape[0] % groups or weight.shape[1] * groups != channels:
            raise ValueError(
                f"{op}: input has {channels} channels but weight {weight.shape} with groups={groups} "
                f"expects {weight.shape[1] * groups} (weight is (C_out, C_in/groups, kh, kw))"
            )
        out_channels = weight.shape[0]
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (out_channels,)):
        raise ValueError(f"{op}: bias must have shape ({out_channels},), got {getattr(bias, 'shape', bias)}")


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    input (N, C_in, H, W), weight (C_out, C_in/groups, kh, kw), bias (C_out,) -> (N, C_out, H_out, W_out),
    ``H_out = (H + 2p - d(kh-1) - 1) // s + 1``, and
    ``y[n, o, u, v] = b[o] + sum_{c,i,j} w[o, c, i, j] x_pad[n, c, u s + i d, v s + j d]``:
    each output pixel is the dot product of one flattened window with one flattened kernel, so all of
    them together are one matrix product (windows as rows) @ (kernels as columns).
    """
    _check_input(input, 4, "conv2d")
    _check_weight(input, weight, bias, groups, "conv2d")
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, 2, "stride"), _tuple(dilation, 2, "dilation")
    pairs = _padding_pairs(padding, kernel, dilation, stride)
    with name_scope("conv2d"):
        cols = windows(input, kernel, dilation, pairs, stride)  # (N, C, kh, kw, Ho, Wo), a view
        n, channels, _, _, out_h, out_w = cols.shape
        out_channels = weight.shape[0]
        if groups == 1:
            rows = cols.permute(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)  # im2col: the copy
            rows.name = f"unfold({input.name or 'x'})"  # the windows as rows: named for the pictures
            out = rows @ weight.reshape(out_channels, -1).transpose()  # (N*Ho*Wo, C_out)
            out = out.reshape(n, out_h, out_w, out_channels).permute(0, 3, 1, 2)
        else:
            per_group = channels // groups
            rows = (
                cols.reshape(n, groups, per_group, *kernel, out_h, out_w)
                .permute(1, 0, 5, 6, 2, 3, 4)
                .reshape(groups, n * out_h * out_w, -1)
            )
            kernels = weight.reshape(groups, out_channels // groups, -1).permute(0, 2, 1)
            out = (rows @ kernels).reshape(groups, n, out_h, out_w, out_channels // groups)
            out = out.permute(1, 0, 4, 2, 3).reshape(n, out_channels, out_h, out_w)
        if bias is not None:
            out = out + bias.reshape(1, out_channels, 1, 1)
        return out


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``: input (N, C_in, L), weight
    (C_out, C_in/groups, k) -> (N, C_out, L_out); computed as ``conv2d`` over a height-1 image."""
    _check_input(input, 3, "conv1d")
    if not isinstance(weight, Tensor) or weight.ndim != 3:
        raise ValueError(f"conv1d: weight must be (C_out, C_in/groups, k), got {getattr(weight, 'shape', weight)}")
    stride_1, dilation_1 = _tuple(stride, 1, "stride"), _tuple(dilation, 1, "dilation")
    if isinstance(padding, str):
        padding_2d: Any = padding
    else:
        padding_2d = ((0, 0), *ops.as_pairs(_tuple(padding, 1, "padding", minimum=0), 1))
        if padding_2d[1][0] == padding_2d[1][1]:
            padding_2d = (0, padding_2d[1][0])
    n, channels, length = input.shape
    out = conv2d(
        input.reshape(n, channels, 1, length),
        weight.reshape(*weight.shape[:2], 1, weight.shape[2]),
        bias,
        stride=(1, *stride_1),
        padding=padding_2d,
        dilation=(1, *dilation_1),
        groups=groups,
    )
    return out.reshape(n, out.shape[1], out.shape[3])


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> Tensor:
    """``torch.nn.functional.conv_transpose2d``: the adjoint of ``conv2d`` with the same weight.

    input (N, C_in, H, W), weight (C_in, C_out/groups, kh, kw) -> (N, C_out, H_out, W_out) with
    ``H_out = (H - 1) s - 2p + d(kh - 1) + output_padding + 1``. Each input pixel scales a whole kernel
    (a matmul), and ``fold`` adds the scaled kernels into the output where their windows overlap;
    so ``<conv2d(y, w), x> = <y, conv_transpose2d(x, w)>``. ``output_padding`` must be smaller than the
    stride (PyTorch also accepts values below the dilation; those raise here).
    """
    _check_input(input, 4, "conv_transpose2d")
    _check_weight(input, weight, bias, groups, "conv_transpose2d", transposed=True)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, 2, "stride"), _tuple(dilation, 2, "dilation")
    pad = _tuple(padding, 2, "padding", minimum=0)
    extra = _tuple(output_padding, 2, "output_padding", minimum=0)
    if any(e >= s for e, s in zip(extra, stride)):  # (PyTorch also allows e < dilation; not supported here)
        raise ValueError(f"output_padding {extra} must be smaller than stride {stride}")
    n, in_channels, height, width = input.shape
    size = tuple(
        (m - 1) * s - 2 * p + d * (k - 1) + e + 1
        for m, s, p, d, k, e in zip((height, width), stride, pad, dilation, kernel, extra)
    )
    if min(size) < 1:
        raise ValueError(f"conv_transpose2d: the output size {size} is not positive")
    out_per_group = weight.shape[1]
    with name_scope("conv_transpose2d"):
        if groups == 1:
            pixels = input.permute(0, 2, 3, 1).reshape(n * height * width, in_channels)
            cols = pixels @ weight.reshape(in_channels, -1)  # (N*H*W, C_out*kh*kw)
            cols = cols.reshape(n, height, width, out_per_group, *kernel).permute(0, 3, 4, 5, 1, 2)
        else:
            per_group = in_channels // groups
            pixels = input.reshape(n, groups, per_group, height, width).permute(1, 0, 3, 4, 2)
            pixels = pixels.reshape(groups, n * height * width, per_group)
            cols = pixels @ weight.reshape(groups, per_group, -1)  # (G, N*H*W, C_out/G*kh*kw)
            cols = cols.reshape(groups, n, height, width, out_per_group, *kernel).permute(1, 0, 4, 5, 6, 2, 3)
            cols = cols.reshape(n, groups * out_per_group, *kernel, height, width)
        out = ops.Fold.apply(
            cols, output_size=size, kernel_size=kernel, dilation=dilation, padding=ops.as_pairs(pad, 2), stride=stride
        )
        if bias is not None:
            out = out + bias.reshape(1, -1, 1, 1)
        return out
