"""Dropout: zero each element with probability ``p`` and scale the survivors by ``1 / (1 - p)``."""

from __future__ import annotations

import numpy as np

from ..factories import rand
from ..tensor import Tensor


def dropout(
    input: Tensor, p: float = 0.5, training: bool = True, generator: np.random.Generator | None = None
) -> Tensor:
    """``input * mask / (1 - p)`` with ``mask ~ Bernoulli(1 - p)`` drawn from ``generator`` (default: the
    one ``manual_seed`` sets), so the expected value is unchanged; the gradient is ``mask / (1 - p)``.

    ``training=False`` or ``p = 0`` returns ``input`` itself; ``p = 1`` gives zeros (as PyTorch). The
    masks are NumPy's random numbers, so they differ from PyTorch's for the same seed. ``inplace`` is
    accepted as in PyTorch, but the result is a new tensor (writing into ``input`` would corrupt the
    gradient of whatever made it).
    """
    if isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * np.zeros(input.shape, dtype=input.dtype)
    keep = rand(*input.shape, dtype=np.float64, generator=generator) >= p  # Bernoulli(1 - p)
    return input * (keep.astype(np.float64) / (1 - p)).astype(input.dtype)  # survivors scaled by 1 / (1 - p)
