"""Factories: tensors filled with constants, ranges and seeded random numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .autograd import _mode
from .dtypes import check_kind
from .tensor import DEFAULT_DTYPE, Tensor, _plain

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the generator used by ``randn``/``rand`` (and by ``nn`` initialisers); returns it."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator ``randn``/``rand`` use when none is passed (the last one ``manual_seed`` made)."""
    return _generator


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def zeros(*shape: Any, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False, name: str | None = None) -> Tensor:
    """A tensor of zeros; the shape as separate ints or one tuple: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return Tensor(np.zeros(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad, name=name)


def ones(*shape: Any, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False, name: str | None = None) -> Tensor:
    """A tensor of ones; the shape as separate ints or one tuple: ``ones(2, 3)`` or ``ones((2, 3))``."""
    return Tensor(np.ones(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad, name=name)


def full(shape: Sequence[int], value: float, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` with every element equal to ``value``."""
    return Tensor(np.full(tuple(shape), value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(other: Tensor, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype of ``other`` (a Tensor or an array)."""
    return Tensor(np.zeros_like(_plain(other)), requires_grad=requires_grad)


def ones_like(other: Tensor, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``other`` (a Tensor or an array)."""
    return Tensor(np.ones_like(_plain(other)), requires_grad=requires_grad)


def uniform_array(shape: tuple, generator: np.random.Generator | None = None) -> np.ndarray:
    """``generator.random(shape)`` (float64 in [0, 1); default: the one ``manual_seed`` sets); under
    ``tinygrad_sm.compile`` a new draw on every call (dropout masks come from here)."""
    return _draw("random", tuple(shape), generator, None)


def _draw(method: str, shape: tuple, generator: np.random.Generator | None, dtype: Any) -> np.ndarray:
    """``generator.<method>(shape)`` (as ``dtype`` unless None); under ``tinygrad_sm.compile`` the tracer
    hears of the draw, so the compiled step draws again on every call."""
    values = getattr(generator or _generator, method)(shape)
    if dtype is not None:
        values = values.astype(dtype)
    if _mode.tracer is not None:
        _mode.tracer.on_random(values, generator, method, shape, dtype)
    return values


def randn(
    *shape: Any,
    dtype: Any = DEFAULT_DTYPE,
    requires_grad: bool = False,
    generator: np.random.Generator | None = None,
    name: str | None = None,
) -> Tensor:
    """Standard normal samples from ``generator`` (default: the one ``manual_seed`` sets)."""
    values = _draw("standard_normal", _shape_arg(shape), generator, dtype)
    return Tensor(values, requires_grad=requires_grad, name=name)


def rand(
    *shape: Any,
    dtype: Any = DEFAULT_DTYPE,
    requires_grad: bool = False,
    generator: np.random.Generator | None = None,
    name: str | None = None,
) -> Tensor:
    """Uniform samples in [0, 1) from ``generator`` (default: the one ``manual_seed`` sets)."""
    values = _draw("random", _shape_arg(shape), generator, dtype)
    return Tensor(values, requires_grad=requires_grad, name=name)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None) -> Tensor:
    """``start, start + step, ...`` below ``stop`` (one argument: ``0 .. start - 1``), as ``np.arange``; shape (k,)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(values if dtype is None else values.astype(dtype))


def eye(n: int, m: int | None = None, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    """The identity matrix, shape (n, m) with ``m = n`` by default: ones on the diagonal, zeros elsewhere."""
    return Tensor(np.eye(n, m, dtype=dtype), requires_grad=requires_grad)


def from_numpy(array: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept), as ``torch.from_numpy``.

    Writes through either side show in the other. While a graph that saved this tensor's values for
    backward is alive, the array is read-only (a raw write raises instead of silently changing the
    gradient); once backward has run, or the graph is dropped, it is writable again. ``Tensor(array)``
    and ``tensor(array)`` copy instead."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    check_kind(array.dtype)
    result = Tensor._wrap(array)
    if requires_grad:
        result.requires_grad_(True)
    return result
