"""``tinygrad_sm.nn.init``: PyTorch's initialisers, with its gains, fan modes and draw order.

Each fills its tensor in place under ``no_grad`` and returns it, drawing through the tensor's in-place
samplers (``uniform_``, ``normal_``), so with the same generator state the numbers are PyTorch's bit for
bit (``trunc_normal_`` and ``orthogonal_`` excepted: see their docstrings).

Fans of a weight of shape (out, in, *kernel): ``fan_in = in * prod(kernel)``, ``fan_out = out *
prod(kernel)``. ``kaiming_*``: ``std = gain / sqrt(fan)`` with ``gain = calculate_gain(nonlinearity, a)``;
``xavier_*``: ``std = gain * sqrt(2 / (fan_in + fan_out))``; a uniform with that standard deviation has
bound ``sqrt(3) * std``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity``, as PyTorch: 1 for linear/conv/sigmoid, 5/3 for tanh,
    sqrt(2) for relu, sqrt(2 / (1 + slope**2)) for leaky_relu (slope ``param``, default 0.01), 3/4 for selu."""
    if nonlinearity in _LINEAR_FNS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight (out, in, *kernel); needs at least 2 dimensions."""
    if tensor.ndim < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape {tensor.shape})"
        )
    receptive_field = math.prod(tensor.shape[2:]) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with U[a, b) samples."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with N(mean, std**2) samples."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``."""
    with no_grad():
        return tensor.copy_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """The identity in a 2-D ``tensor`` (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape {tensor.shape}")
    with no_grad():
        return tensor.copy_(np.eye(*tensor.shape, dtype=tensor.dtype))


def _empty(tensor: Tensor, name: str) -> bool:
    if 0 in tensor.shape:
        warnings.warn(f"Initializing zero-element tensors is a no-op ({name})", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Any = None) -> Tensor:  # fmt: skip
    """He initialisation, uniform: U(-bound, bound), ``bound = gain * sqrt(3 / fan)``."""
    if _empty(tensor, "kaiming_uniform_"):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # computed in this order so the float bound is PyTorch's
    with no_grad():
        return tensor.uniform_(-bound, bound, generator=generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Any = None) -> Tensor:  # fmt: skip
    """He initialisation, normal: N(0, std**2), ``std = gain / sqrt(fan)``."""
    if _empty(tensor, "kaiming_normal_"):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    with no_grad():
        return tensor.normal_(0, std, generator=generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot initialisation, uniform: U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot initialisation, normal: N(0, std**2), ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Any = None) -> Tensor:  # fmt: skip
    """N(mean, std**2) restricted to [a, b], by PyTorch's (2.13) rejection sampling, in its draw order:

    - if the interval holds more than 30% of the mass: draw ``normal_(mean, std)`` for the whole tensor,
      then redraw a whole tensor of normals and take its values wherever a value is still outside
      [a, b], until none is;
    - else: candidates ``x ~ U(a, b)`` accepted when ``log(u) <= -((x - mean)/std)**2 / 2 - log_peak``
      (``u ~ U(0, 1)``, ``log_peak`` the log density at the mode inside [a, b]), redrawing the rejected.

    The first branch is bit-identical to PyTorch's; in the second, ``log`` is NumPy's float32 log where
    PyTorch uses its vectorised one, so an acceptance exactly at the boundary could differ."""

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.",
            stacklevel=2,
        )
    mass = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    kind = tensor.dtype

    def fresh(method: str, *args: float) -> np.ndarray:
        return getattr(Tensor(np.zeros(tensor.shape, kind)), method)(*args, generator=generator)._data

    with no_grad():
        if mass > 0.3:
            low, high = kind.type(a), kind.type(b)  # the bounds as the tensor's dtype
            result = fresh("normal_", mean, std)
            while True:
                outside = (result < low) | (result > high)
                if not outside.any():
                    break
                result = np.where(outside, fresh("normal_", mean, std), result)
            return tensor.copy_(result)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def rejected(candidates: np.ndarray) -> np.ndarray:  # log density in the tensor's dtype, as PyTorch
            log_density = ((candidates - kind.type(mean)) / kind.type(std)) ** 2 * kind.type(-0.5) - kind.type(log_peak)
            with np.errstate(divide="ignore"):
                return np.log(fresh("uniform_", 0.0, 1.0)) > log_density

        result = fresh("uniform_", a, b)
        pending = rejected(result)
        while pending.any():
            candidates = fresh("uniform_", a, b)
            result = np.where(pending, candidates, result)
            pending = np.where(pending, rejected(candidates), pending)
        return tensor.copy_(result)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Any = None) -> Tensor:
    """A (semi-)orthogonal matrix from the QR decomposition of a normal sample (PyTorch's recipe: the
    sample is PyTorch's, the signs fixed by ``diag(R)``). NumPy's QR (LAPACK) may differ from PyTorch's
    in the last bits, so the result is close to, not bit-identical with, PyTorch's."""
    if tensor.ndim < 2:
        raise ValueError(f"Only tensors with 2 or more dimensions are supported, got shape {tensor.shape}")
    if tensor._data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor._data.size // rows
    sample = Tensor(np.zeros((rows, cols), tensor.dtype)).normal_(0, 1, generator=generator)._data
    flat = sample.T if rows < cols else sample
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        return tensor.copy_((q * gain).reshape(tensor.shape).astype(tensor.dtype))


__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]
