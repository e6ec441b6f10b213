"""Factories as PyTorch's: tensors filled with constants and ranges (``zeros``, ``ones``, ``full``,
``empty``, the ``*_like`` forms, ``arange``, ``linspace``, ``logspace``, ``eye``), ``from_numpy``, and the
random ones re-exported from ``sampling`` (``rand``, ``randn``, ``randint``...).

dtypes as PyTorch infers them: float32 for floats (the default dtype), int64 for ints, bool for bools.
Every factory takes ``device=`` (the CPU only: see ``tinygrad_sm.device``) and ``requires_grad=``.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any

import numpy as np

from . import _mt_transforms as mt
from . import random as _random
from .device import as_device
from .dtypes import check_kind
from .sampling import (
    _size,
    _sized,
    bernoulli,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from .tensor import DEFAULT_DTYPE, Tensor, _plain
from .tensor_functions import write_into

manual_seed = _random.manual_seed
default_generator = _random.default_generator


def _dtype(dtype: Any, default: Any = DEFAULT_DTYPE) -> np.dtype:
    result = np.dtype(default if dtype is None else dtype)
    check_kind(result)
    return result


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str | None = None,
          **options: Any) -> Tensor:  # fmt: skip
    """A tensor of zeros; the shape as separate ints or one tuple: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    shape = _sized(size, options, device, "zeros")
    return Tensor(np.zeros(shape, dtype=_dtype(dtype)), requires_grad=requires_grad, name=name)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str | None = None,
         **options: Any) -> Tensor:  # fmt: skip
    """A tensor of ones; the shape as separate ints or one tuple: ``ones(2, 3)`` or ``ones((2, 3))``."""
    shape = _sized(size, options, device, "ones")
    return Tensor(np.ones(shape, dtype=_dtype(dtype)), requires_grad=requires_grad, name=name)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **options: Any) -> Tensor:
    """An uninitialised tensor, as ``torch.empty`` (here: zeros, so a forgotten fill shows as zeros
    instead of leftover memory)."""
    shape = _sized(size, options, device, "empty")
    return Tensor(np.zeros(shape, dtype=_dtype(dtype)), requires_grad=requires_grad)


def _scalar_dtype(value: Any) -> np.dtype:
    """The dtype PyTorch infers for a Python scalar fill value: bool, int64 or the default float32."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, (int, np.integer)):
        return np.dtype(np.int64)
    return DEFAULT_DTYPE  # a Python or NumPy float: the default float dtype


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` with every element ``fill_value``; dtype inferred from the value as PyTorch
    (``full((2,), 3)`` is int64, ``full((2,), 3.0)`` float32, ``full((2,), True)`` bool)."""
    shape = _size(size if isinstance(size, (tuple, list)) else (size,), "full")
    as_device(device)
    value = _plain(fill_value)
    kind = _dtype(dtype, _scalar_dtype(value) if np.ndim(value) == 0 else np.asarray(value).dtype)
    return Tensor(np.full(shape, value, dtype=kind), requires_grad=requires_grad)


def _like(other: Any) -> np.ndarray:
    return np.asarray(_plain(other))


def zeros_like(input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype (unless ``dtype`` is given) of ``input`` (a Tensor or an array)."""
    array = _like(input)
    as_device(device)
    return Tensor(np.zeros(array.shape, _dtype(dtype, array.dtype)), requires_grad=requires_grad)


def ones_like(input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype (unless ``dtype`` is given) of ``input`` (a Tensor or an array)."""
    array = _like(input)
    as_device(device)
    return Tensor(np.ones(array.shape, _dtype(dtype, array.dtype)), requires_grad=requires_grad)


def empty_like(input: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``empty`` with the shape and dtype of ``input`` (zeros here, see ``empty``)."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere, with the shape and dtype of ``input`` (the value cast to that dtype,
    as PyTorch: ``full_like(int_tensor, 2.7)`` holds 2)."""
    array = _like(input)
    as_device(device)
    return Tensor(
        np.full(array.shape, _plain(fill_value), dtype=_dtype(dtype, array.dtype)), requires_grad=requires_grad
    )


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False, **kwargs: Any) -> Tensor:  # fmt: skip
    """``start, start + step, ...`` below ``end`` (one argument: ``0 .. end - 1``), as ``torch.arange``:
    int64 when every argument is an int, else float32 (the default dtype); shape (ceil((end - start) / step),)."""
    if "stop" in kwargs:  # NumPy's spelling
        end = kwargs.pop("stop")
    if kwargs:
        raise TypeError(f"arange() got unexpected keyword arguments: {', '.join(sorted(kwargs))}")
    if end is None:
        start, end = 0, start
    start, end, step = (_plain(v) for v in (start, end, step))
    as_device(device)
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and lower bound inconsistent with step sign (start={start}, end={end}, step={step})"
        )
    integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, end, step))
    kind = _dtype(dtype, np.int64 if integral else DEFAULT_DTYPE)
    count = math.ceil((end - start) / step) if not integral else max(0, -((start - end) // step))
    values = start + step * np.arange(count, dtype=np.float64 if not integral else np.int64)
    return Tensor(values.astype(kind), requires_grad=requires_grad)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (float32 by default), as
    PyTorch computes them: ``start + step * i`` for the first half and ``end - step * (steps - 1 - i)``
    for the second, ``step = (end - start) / (steps - 1)``, in the result dtype (bit-identical)."""
    count = operator.index(steps)
    if count < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {count}")
    as_device(device)
    kind = _dtype(dtype)
    return Tensor(_linspace(float(_plain(start)), float(_plain(end)), count, kind), requires_grad=requires_grad)


def _linspace(start: float, end: float, count: int, kind: np.dtype) -> np.ndarray:
    if count == 0:
        return np.zeros(0, kind)
    if count == 1:
        return np.array([start], dtype=np.float64).astype(kind)
    index = np.arange(count)
    half = count // 2
    if kind.kind != "f" or kind == np.float16:  # integers: in float64, truncated toward zero
        step64 = (end - start) / (count - 1)
        values = np.where(index < half, start + step64 * index, end - step64 * (count - 1 - index))
        return values.astype(kind)
    if kind == np.float32:
        lo, hi = np.float32(start), np.float32(end)
        step32 = (hi - lo) / np.float32(count - 1)
        first = mt.fma32(index[:half].astype(np.float32), float(step32), float(lo))
        second = mt.fma32((count - 1 - index[half:]).astype(np.float32), -float(step32), float(hi))
        return np.concatenate([first, second])
    step = (end - start) / (count - 1)
    first = mt.fma64_array(index[:half].astype(np.float64), step, start)
    second = mt.fma64_array((count - 1 - index[half:]).astype(np.float64), -step, end)
    return np.concatenate([first, second])


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``base ** linspace(start, end, steps)`` (float32 by default), as ``torch.logspace``."""
    count = operator.index(steps)
    if count < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {count}")
    as_device(device)
    kind = _dtype(dtype)
    exponents = _linspace(float(_plain(start)), float(_plain(end)), count, np.dtype(np.float64))
    return Tensor(np.power(float(base), exponents).astype(kind), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix, shape (n, m) with ``m = n`` by default: ones on the diagonal, zeros elsewhere."""
    as_device(device)
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)


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


def uniform_array(shape: tuple, generator: Any = None) -> np.ndarray:
    """Uniform [0, 1) samples of ``shape`` for masks (dropout): float32 from a ``tinygrad_sm.Generator``
    (default: the one ``manual_seed`` seeds), float64 from a ``numpy.random.Generator``; under
    ``tinygrad_sm.compile`` a new draw on every call."""
    numpy_generator = isinstance(generator, np.random.Generator)
    return _random.draw("uniform", tuple(shape), generator, np.float64 if numpy_generator else np.float32)


def bernoulli_array(shape: tuple, p: float, generator: Any = None, dtype: Any = np.float32) -> np.ndarray:
    """0/1 samples of ``shape`` with ``P(1) = p``, as PyTorch's ``empty(shape).bernoulli_(p)`` (its
    portable kernel); under ``tinygrad_sm.compile`` a new draw on every call (dropout masks)."""
    return _random.draw("bernoulli", tuple(shape), generator, dtype, float(p))


def _with_out(factory: Any) -> Any:
    """``factory`` also taking PyTorch's ``out=``: the tensor is filled in place and returned, its dtype the
    default (``torch.rand(2, 2, out=c)`` keeps ``c`` the same object, as the tensor tour shows)."""

    @functools.wraps(factory)
    def make(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return factory(*args, **kwargs)
        if isinstance(out, Tensor) and kwargs.get("dtype") is None:
            kwargs["dtype"] = out.dtype
        return write_into(out, factory(*args, **kwargs), factory.__name__)

    return make


zeros, ones, empty, full, arange, linspace, logspace, eye = (
    _with_out(f) for f in (zeros, ones, empty, full, arange, linspace, logspace, eye)
)
rand, randn, randint, randperm, normal = (_with_out(f) for f in (rand, randn, randint, randperm, normal))

__all__ = [
    "arange",
    "bernoulli",
    "bernoulli_array",
    "default_generator",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "logspace",
    "manual_seed",
    "multinomial",
    "normal",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "uniform_array",
    "zeros",
    "zeros_like",
]
