"""Gradient clipping, as ``torch.nn.utils``: ``clip_grad_norm_`` and ``clip_grad_value_``.

Both act on the parameters' ``.grad`` after ``backward`` and before ``step``. The new gradient values
are written as a new array bound to ``param.grad`` (the old array is not modified, since ``.grad`` may
share its array with another tensor); the effect on the optimizer is PyTorch's in-place one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor


def _with_grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for index, param in enumerate(params):
        if not isinstance(param, Tensor):
            raise TypeError(f"parameter {index} is a {type(param).__name__}, not a Tensor")
    return [param for param in params if param.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Tensor:
    """Scale all gradients together so their joint ``norm_type``-norm is at most ``max_norm``.

    ``total = ||(||g_1||, ||g_2||, ...)||`` (``norm_type=inf``: the largest ``|g|``); every gradient is
    multiplied by ``min(1, max_norm / (total + 1e-6))``, as PyTorch. Returns ``total`` (0-d float32
    Tensor, measured before clipping). A nan/inf total raises if ``error_if_nonfinite``.
    """
    norm_type = float(norm_type)
    params = _with_grads(parameters)
    if not params:
        return Tensor(np.array(0.0, dtype=np.float32))
    grads = [param.grad._data for param in params]  # type: ignore[union-attr]
    if norm_type == math.inf:
        per_tensor = [np.abs(g).max() if g.size else 0.0 for g in grads]
        total = float(max(per_tensor))
    elif norm_type > 0:
        per_tensor = [np.sum(np.abs(g.astype(np.float64)) ** norm_type) ** (1 / norm_type) for g in grads]
        total = float(np.sum(np.array(per_tensor) ** norm_type) ** (1 / norm_type))
    else:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}")
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total {norm_type}-norm of the gradients is {total}; "
            "pass error_if_nonfinite=False to clip anyway"
        )
    coefficient = min(1.0, float(max_norm) / (total + 1e-6))
    for param in params:
        grad = param.grad
        grad.data = (grad._data * coefficient).astype(grad.dtype, copy=False)  # type: ignore[union-attr]
    return Tensor(np.array(total, dtype=grads[0].dtype if grads[0].dtype.kind == "f" else np.float32))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for param in _with_grads(parameters):
        grad = param.grad
        grad.data = np.clip(grad._data, -clip_value, clip_value).astype(grad.dtype, copy=False)  # type: ignore[union-attr]
