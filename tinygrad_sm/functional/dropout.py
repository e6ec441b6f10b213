"""Dropout: zero each element with probability ``p`` and scale the survivors by ``1 / (1 - p)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..factories import bernoulli_array, from_numpy, uniform_array
from ..tensor import Tensor, constant


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
        return input * constant(np.zeros(input.shape, dtype=input.dtype))
    if isinstance(generator, np.random.Generator):  # NumPy's stream, drawn as before
        keep = from_numpy(uniform_array(input.shape, generator)) >= p
        scale = keep.astype(np.float64) / (1 - p)
    else:  # PyTorch's: noise = empty_like(input).bernoulli_(1 - p); noise / (1 - p)
        scale = from_numpy(bernoulli_array(input.shape, 1 - p, generator, input.dtype)) / (1 - p)
    return input * scale.astype(input.dtype)  # survivors scaled by 1 / (1 - p), the others 0
