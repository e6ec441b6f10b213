"""Checkers: autograd against central finite differences, and Jacobians built from VJPs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Autograd and finite differences disagree; the message names the input, index and both values."""


def _as_float64_leaves(inputs: Sequence[Any]) -> list[Any]:
    """Each input as a float64 leaf that requires grad, except what is no real number to perturb: an
    integer or bool Tensor, a Python int/bool, None, a string (passed to ``fn`` unchanged, as PyTorch
    checks only floating point inputs)."""
    leaves: list[Any] = []
    for value in inputs:
        if (
            value is None
            or isinstance(value, (bool, int, str))
            or (isinstance(value, Tensor) and value.dtype.kind != "f")
        ):
            leaves.append(value)
            continue
        # C order: the finite differences perturb the leaf through a flat view, which a transposed copy would not give
        array = np.array(value._data if isinstance(value, Tensor) else value, dtype=np.float64, order="C")
        leaves.append(Tensor(array, requires_grad=True))
    return leaves


def _unpacked(inputs: tuple) -> tuple:
    """PyTorch's spelling ``gradcheck(fn, (x, y))`` (one tuple of inputs) as well as ``gradcheck(fn, x, y)``."""
    if len(inputs) == 1 and (
        isinstance(inputs[0], tuple) or (isinstance(inputs[0], list) and any(isinstance(v, Tensor) for v in inputs[0]))
    ):
        return tuple(inputs[0])
    return inputs


def _outputs(value: Any, label: str) -> list[Tensor]:
    outputs = list(value) if isinstance(value, (tuple, list)) else [value]
    if not outputs or not all(isinstance(o, Tensor) for o in outputs):
        kinds = ", ".join(type(o).__name__ for o in outputs)
        raise TypeError(f"gradcheck: {label} must return a Tensor (or a tuple of them), got {kinds}")
    return [o for o in outputs if o.dtype.kind == "f"]


def gradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    seed: int = 0,
    name: str | None = None,
    raise_exception: bool = True,
) -> bool:
    """Check ``fn``'s autograd gradient against central differences ``(f(x+eps) - f(x-eps)) / 2eps``.

    ``gradcheck(fn, x, y)`` or, as PyTorch, ``gradcheck(fn, (x, y))``. Floating point inputs are copied to
    float64 leaves (others, such as an int argument of a custom Function, pass unchanged). The outputs
    (a Tensor or a tuple of them) are projected onto fixed random weights ``w`` (the check is of
    ``sum(w * fn(x))``, a vector-Jacobian product). Raises
    [`GradcheckError`][tinygrad_sm.gradcheck.GradcheckError] naming the input, the element index and both
    values (or returns False with ``raise_exception=False``); returns True.
    """
    leaves = _as_float64_leaves(_unpacked(inputs))
    checked = [
        (position, leaf) for position, leaf in enumerate(leaves) if isinstance(leaf, Tensor) and leaf.requires_grad
    ]
    label = str(name or getattr(fn, "__name__", "fn"))
    probes = _outputs(fn(*leaves), label)
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(probe.shape) for probe in probes]

    def scalar(*args: Any) -> float:
        outputs = _outputs(fn(*args), label)
        return float(sum((np.asarray(o._data, dtype=np.float64) * w).sum() for o, w in zip(outputs, weights)))

    differentiable = [(p, w) for p, w in zip(probes, weights) if p.requires_grad]
    if differentiable:
        analytic = grad(
            [p for p, _ in differentiable],
            [leaf for _, leaf in checked],
            grad_outputs=[Tensor(w.astype(p.dtype)) for p, w in differentiable],
            allow_unused=True,
        )
    else:
        analytic = (None,) * len(checked)
    for (position, leaf), autograd_grad in zip(checked, analytic):
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
            if not raise_exception:
                return False
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise GradcheckError(
                f"gradcheck failed for {label}, input {position} (shape {leaf.shape}) at index {index}: "
                f"autograd gives {expected[index]!r}, finite differences give {numeric[index]!r} "
                f"(atol={atol}, rtol={rtol}, eps={eps}); input value there: {leaf._data[index]!r}"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    seed: int = 0,
    name: str | None = None,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the first derivative ``(x, v) -> vᵀ J_fn(x)``, computed
    by a backward with ``create_graph=True``, with respect to both ``x`` and ``v`` (random, fixed by
    ``seed``). A custom Function passes when its backward is written with Tensor ops."""
    leaves = _as_float64_leaves(_unpacked(inputs))
    label = str(name or getattr(fn, "__name__", "fn"))
    probes = _outputs(fn(*leaves), label)
    rng = np.random.default_rng(seed + 1)
    vectors = [rng.standard_normal(p.shape) for p in probes]
    count = len(leaves)

    def first_derivative(*args: Any) -> tuple[Tensor, ...]:
        xs, vs = args[:count], args[count:]
        outputs = _outputs(fn(*xs), label)
        wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        pairs = [(o, v) for o, v in zip(outputs, vs) if o.requires_grad]
        if not pairs:
            return tuple(Tensor._wrap(np.zeros(x.shape)) for x in wanted)
        grads = grad(
            [o for o, _ in pairs], wanted, grad_outputs=[v for _, v in pairs], create_graph=True, allow_unused=True
        )
        return tuple(Tensor._wrap(np.zeros(x.shape)) if g is None else g for x, g in zip(wanted, grads))

    first_derivative.__name__ = f"first derivative of {label}"
    return gradcheck(
        first_derivative, *leaves, *vectors, eps=eps, atol=atol, rtol=rtol, seed=seed, raise_exception=raise_exception
    )


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
