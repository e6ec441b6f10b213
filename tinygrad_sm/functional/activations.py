"""Activations: elementwise nonlinearities (primitives, or composites of them)."""
from __future__ import annotations

from ..tensor import Tensor


def sigmoid(x: Tensor) -> Tensor:
    """``1 / (1 + e^-x)`` (a primitive with a stable forward)."""
    return x.sigmoid()


def relu(x: Tensor) -> Tensor:
    """``max(x, 0)`` elementwise (a primitive); the gradient is 1 where ``x > 0``, else 0. Shape of ``x``."""
    return x.relu()


def tanh(x: Tensor) -> Tensor:
    """``tanh(x)`` elementwise (a primitive); the gradient is ``1 - tanh(x)^2``. Shape of ``x``."""
    return x.tanh()
