"""Checkers: autograd against central finite differences, and Jacobians built from VJPs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Autograd and finite differences disagree; the message names the input, index and both values."""


def _as_float64_leaves(inputs: Sequence[Any]) -> list[Tensor]:
    leaves = []
    for value in inputs:
        array = np.array(value._data if isinstance(value, Tensor) else value, dtype=np.float64)
        leaves.append(Tensor(array, requires_grad=True))
    return leaves


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    seed: int = 0,
    name: str | None = None,
) -> bool:
    """Check ``fn``'s autograd gradient against central differences ``(f(x+eps) - f(x-eps)) / 2eps``.

    Inputs are copied to float64 leaves. A non-scalar output is projected onto fixed random weights
    ``w`` (the check is then of ``sum(w * fn(x))``, a vector-Jacobian product). Raises
    [`GradcheckError`][tinygrad_sm.gradcheck.GradcheckError] naming the input, the element index and both
    values; returns True.
    """
    leaves = _as_float64_leaves(inputs)
    label = name or getattr(fn, "__name__", "fn")
    probe = fn(*leaves)
    if not isinstance(probe, Tensor):
        raise TypeError(f"gradcheck: {label} must return a Tensor, got {type(probe).__name__}")
    weights = np.random.default_rng(seed).standard_normal(probe.shape)

    def scalar(*args: Tensor) -> float:
        return float((np.asarray(fn(*args)._data, dtype=np.float64) * weights).sum())

    analytic = grad([probe], leaves, grad_outputs=[Tensor(weights)], allow_unused=True)
    for position, (leaf, autograd_grad) in enumerate(zip(leaves, analytic)):
        expected = np.zeros(leaf.shape) if autograd_grad is None else autograd_grad._data
        flat = leaf._data.reshape(-1)  # a view: perturbations write into the leaf itself
        numeric: np.ndarray = np.zeros(leaf._data.size)
        for i in range(leaf._data.size):
            original = flat[i]
            flat[i] = original + eps
            plus = scalar(*leaves)
            flat[i] = original - eps
            minus = scalar(*leaves)
            flat[i] = original
            numeric[i] = (plus - minus) / (2 * eps)
        numeric = numeric.reshape(leaf.shape)
        bad = ~np.isclose(expected, numeric, atol=atol, rtol=rtol)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise GradcheckError(
                f"gradcheck failed for {label}, input {position} (shape {leaf.shape}) at index {index}: "
                f"autograd gives {expected[index]!r}, finite differences give {numeric[index]!r} "
                f"(atol={atol}, rtol={rtol}, eps={eps}); input value there: {leaf._data[index]!r}"
            )
    return True


def jacobian(fn: Callable[[Tensor], Tensor], x: Any) -> np.ndarray:
    """The Jacobian ``J[i..., j...] = d fn(x)[i...] / d x[j...]``, built row by row from vector-Jacobian
    products (one backward per output element). Shape ``fn(x).shape + x.shape``."""
    if isinstance(x, Tensor) and x.requires_grad and x.is_leaf:
        leaf = x
    else:
        leaf = Tensor(np.array(x._data if isinstance(x, Tensor) else x), requires_grad=True)
    out = fn(leaf)
    rows = np.zeros((out._data.size,) + leaf.shape, dtype=out.dtype)
    for i in range(out._data.size):
        unit = np.zeros(out._data.size, dtype=out.dtype)
        unit[i] = 1
        (row,) = grad(
            [out], [leaf], grad_outputs=[Tensor(unit.reshape(out.shape))], retain_graph=True, allow_unused=True
        )
        if row is not None:
            rows[i] = row._data
    return rows.reshape(out.shape + leaf.shape)
