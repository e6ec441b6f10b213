"""Dropout: zero each element with probability ``p`` and scale the survivors by ``1 / (1 - p)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compiler.hooks import derived
from ..factories import bernoulli_array, uniform_array
from ..tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True, generator: Any = None) -> Tensor:
    """``input * mask / (1 - p)`` with ``mask ~ Bernoulli(1 - p)`` drawn from ``generator`` (default: the
    one ``manual_seed`` sets), so the expected value is unchanged; the gradient is ``mask / (1 - p)``.

    ``training=False`` or ``p = 0`` returns ``input`` itself; ``p = 1`` gives zeros (as PyTorch). The
    mask is PyTorch's ``bernoulli_(1 - p)`` from a ``tinygrad_sm.Generator``, so the same seed gives
    PyTorch's mask where PyTorch runs its portable kernel (AMD CPUs, builds without MKL; Intel CPUs
    with MKL draw from MKL's own stream); a ``numpy.random.Generator`` draws NumPy's. ``inplace`` is
    accepted as in PyTorch, but the result is a new tensor (writing into ``input`` would corrupt the
    gradient of whatever made it).
    """
    if isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * np.zeros(input.shape, dtype=input.dtype)
    if isinstance(generator, np.random.Generator):  # NumPy's stream, drawn as before
        keep = derived(np.greater_equal, uniform_array(input.shape, generator), p)
    else:  # PyTorch's: noise = empty_like(input).bernoulli_(1 - p); noise / (1 - p)
        keep = bernoulli_array(input.shape, 1 - p, generator, input.dtype)
    return input * derived(_scaled_mask, keep, p, input.dtype)


def _scaled_mask(keep: np.ndarray, p: float, dtype: np.dtype) -> np.ndarray:
    return (keep / (1 - p)).astype(dtype, copy=False)
