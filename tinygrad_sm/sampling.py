"""The random factories and in-place samplers as PyTorch spells them: ``rand``, ``randn``, ``randint``,
``randperm``, ``multinomial``, ``normal``, ``bernoulli``, the ``*_like`` forms, and ``uniform_``,
``normal_``, ``random_``, ``bernoulli_``, ``exponential_`` (methods of Tensor).

Every one takes ``generator=`` (default: the generator ``tg.manual_seed`` seeds) and draws through
``tinygrad_sm.random``, which reproduces PyTorch's CPU numbers bit for bit (see its docstring for the
cases that differ). Results are new leaf tensors (``requires_grad=`` as in PyTorch); ``device=`` takes
the CPU only.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import random as _random
from .device import as_device
from .dtypes import check_kind
from .tensor import DEFAULT_DTYPE, Tensor, _plain

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _size(args: Sequence[Any], function: str) -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(size=(2, 3))`` -> (2, 3); each size an int >= 0."""
    if (len(args) == 1 and isinstance(args[0], (tuple, list))) or (len(args) == 1 and hasattr(args[0], "__iter__")):
        args = tuple(args[0])
    sizes = []
    for value in args:
        try:
            side = operator.index(value)
        except TypeError:
            raise TypeError(f"{function}(): size must be ints, got {value!r} ({type(value).__name__})") from None
        if side < 0:
            raise RuntimeError(f"{function}(): negative dimension {side} in size {tuple(args)}")
        sizes.append(side)
    return tuple(sizes)


def _float_dtype(dtype: Any, function: str) -> np.dtype:
    result = DEFAULT_DTYPE if dtype is None else np.dtype(dtype)
    if result not in _FLOATS:
        raise TypeError(f"{function}(): expected a floating-point dtype (float16/32/64), got {result}")
    return result


def _leaf(values: np.ndarray, requires_grad: bool, name: str | None = None) -> Tensor:
    return Tensor(values, requires_grad=requires_grad, name=name)


def rand(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
    **options: Any,
) -> Tensor:
    """Uniform samples in [0, 1), shape ``size``; float32 from 24 random bits, float64 from 53 (as PyTorch)."""
    shape = _sized(size, options, device, "rand")
    values = _random.draw("uniform", shape, generator, _float_dtype(dtype, "rand"))
    return _leaf(values, requires_grad, name)


def randn(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
    **options: Any,
) -> Tensor:
    """Standard normal samples, shape ``size``, by PyTorch's Box-Muller (bit-identical for float32 and
    float64; float16 is drawn as float32 and rounded, which PyTorch does not do)."""
    shape = _sized(size, options, device, "randn")
    kind = _float_dtype(dtype, "randn")
    values = _random.draw("normal", shape, generator, np.float32 if kind == np.float16 else kind)
    return _leaf(values.astype(kind, copy=False), requires_grad, name)


def randint(*args: Any, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False,
            **options: Any) -> Tensor:  # fmt: skip
    """Integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``; int64 by
    default. ``word % (high - low) + low`` as PyTorch (32-bit words below a range of 2**28, 64-bit above)."""
    if "size" in options:
        args = (*args, options.pop("size"))
    if "high" in options:
        args = (*args[:-1], options.pop("high"), args[-1]) if args else (options.pop("high"),)
    if "low" in options:
        args = (options.pop("low"), *args)
    _options(options, "randint")
    if len(args) == 2:
        low, high, size = 0, args[0], args[1]
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size), e.g. randint(0, 10, (3,))")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): size must be a tuple of ints, got {size!r} (write (n,) for one dimension)")
    as_device(device)
    kind = np.dtype(np.int64) if dtype is None else np.dtype(dtype)
    check_kind(kind)
    values = _random.draw("randint", _size(size, "randint"), generator, kind, int(low), int(high))
    return _leaf(values, requires_grad)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False,
             **options: Any) -> Tensor:  # fmt: skip
    """A random permutation of ``0 .. n-1`` (int64), PyTorch's Fisher-Yates on the same words."""
    _options(options, "randperm")
    as_device(device)
    count = operator.index(n)
    if count < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {count}")
    kind = np.dtype(np.int64) if dtype is None else np.dtype(dtype)
    values = _random.draw("randperm", (count,), generator, kind, count)
    return _leaf(values, requires_grad)


def multinomial(input: Any, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
    """Indices sampled from the rows of ``input`` (weights, 1-D (k,) or 2-D (n, k)); result int64 of
    shape (num_samples,) or (n, num_samples). Weights need not sum to 1. As PyTorch's CPU kernel: see
    ``random.multinomial_values``."""
    probs = np.asarray(_plain(input))
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {probs.shape}")
    if probs.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got {probs.dtype}")
    count = operator.index(num_samples)
    if count <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {count})")
    categories = probs.shape[-1]
    if not replacement and count > categories:
        raise RuntimeError(
            f"multinomial: cannot sample {count} samples without replacement from {categories} categories"
        )
    rows = probs.reshape(-1, categories)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(axis=1) <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _random._generator(generator)
    _random.refuse_in_compile("multinomial")
    out = _random.multinomial_values(gen, np.ascontiguousarray(rows), count, bool(replacement))
    return Tensor(out.reshape(probs.shape[:-1] + (count,)))


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """Normal samples: ``normal(mean, std, size)`` with floats, or ``mean``/``std`` tensors (the shape
    broadcast from them; each element its own mean and standard deviation), as ``torch.normal``."""
    as_device(device)
    mean_t, std_t = isinstance(mean, (Tensor, np.ndarray)), isinstance(std, (Tensor, np.ndarray))
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal(): with float mean and std, pass size, e.g. normal(0.0, 1.0, (3,))")
        kind = _float_dtype(dtype, "normal")
        values = _random.draw("normal", _size(size, "normal"), generator, kind, float(mean), float(std))
        return _leaf(values, requires_grad)
    mean_a, std_a = np.asarray(_plain(mean)), np.asarray(_plain(std))
    if std_t and (std_a < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    kind = np.result_type(mean_a.dtype if mean_t else np.float32, std_a.dtype if std_t else np.float32)
    shape = np.broadcast_shapes(mean_a.shape, std_a.shape) if mean_t and std_t else (mean_a if mean_t else std_a).shape
    if mean_t and not std_t:  # normal_(0, std) then add the means
        values = _random.draw("normal", shape, generator, kind, 0.0, float(std))
        return _leaf((values + mean_a).astype(kind), requires_grad)
    values = _random.draw("normal", shape, generator, kind)  # normal_(0, 1), then * std + mean
    return _leaf((values * std_a.astype(kind) + (mean_a if mean_t else kind.type(mean))).astype(kind), requires_grad)


def bernoulli(input: Any, p: float | None = None, *, generator: Any = None) -> Tensor:
    """0/1 samples with ``P(1) = input`` elementwise (same dtype and shape as ``input``), as
    ``torch.bernoulli``: a uniform per element compared with its probability."""
    probs = np.asarray(_plain(input))
    gen = _random._generator(generator)
    _random.refuse_in_compile("bernoulli")
    if p is not None:
        return Tensor(_random.bernoulli_values(gen, np.full(probs.shape, float(p)), probs.dtype).reshape(probs.shape))
    return Tensor(_random.bernoulli_values(gen, probs, probs.dtype).reshape(probs.shape))


def rand_like(input: Any, *, generator: Any = None, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``rand`` with the shape (and, unless ``dtype`` is given, the dtype) of ``input``."""
    array = np.asarray(_plain(input))
    return rand(
        array.shape, generator=generator, dtype=dtype or array.dtype, device=device, requires_grad=requires_grad
    )


def randn_like(input: Any, *, generator: Any = None, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``randn`` with the shape (and, unless ``dtype`` is given, the dtype) of ``input``."""
    array = np.asarray(_plain(input))
    return randn(
        array.shape, generator=generator, dtype=dtype or array.dtype, device=device, requires_grad=requires_grad
    )


def randint_like(input: Any, low: int = 0, high: int | None = None, *, generator: Any = None, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``randint`` with the shape and dtype of ``input``: ``randint_like(x, high)`` or ``(x, low, high)``."""
    if high is None:
        low, high = 0, low
    array = np.asarray(_plain(input))
    return randint(low, high, array.shape, generator=generator, dtype=dtype or array.dtype, device=device,
                   requires_grad=requires_grad)  # fmt: skip


def _sized(size: tuple, options: dict, device: Any, function: str) -> tuple[int, ...]:
    """The shape of a factory call (separate ints, one tuple, or ``size=``), with its PyTorch options
    and device checked: what every sized factory (``rand``, ``zeros``...) does first."""
    shape = _size(size or options.pop("size", ()), function)
    _options(options, function)
    as_device(device)
    return shape


def _options(options: dict, function: str) -> None:
    """PyTorch's layout/pin_memory/memory_format options: accepted at their defaults only."""
    for key in ("layout", "pin_memory", "memory_format"):
        value = options.pop(key, None)
        if value not in (None, False) and str(value) not in ("torch.strided", "strided", "torch.contiguous_format"):
            raise ValueError(f"{function}(): {key}={value!r} is not supported (NumPy arrays are dense and strided)")
    if options:
        raise TypeError(f"{function}() got unexpected keyword arguments: {', '.join(sorted(options))}")


# ---------------------------------------------------------------- in place (Tensor methods)
def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    return tensor.copy_(values.reshape(tensor.shape))


def _float_target(tensor: Tensor, method: str) -> np.dtype:
    if tensor.dtype not in _FLOATS:
        raise TypeError(f"{method}: needs a floating-point tensor, got {tensor.dtype} (shape {tensor.shape})")
    return tensor.dtype


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None, **kwargs: Any) -> Tensor:
    """Fill with samples from U[a, b) in place (``from``/``to`` as keywords too); returns the tensor."""
    a, b = kwargs.pop("from", a), kwargs.pop("to", b)
    _options(kwargs, "uniform_")
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    kind = _float_target(tensor, "uniform_")
    return _fill(tensor, _random.draw("uniform", tensor.shape, generator, kind, float(a), float(b)))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples from N(mean, std**2) in place; returns the tensor."""
    kind = _float_target(tensor, "normal_")
    drawn = np.float32 if kind == np.float16 else kind
    return _fill(tensor, _random.draw("normal", tensor.shape, generator, drawn, float(mean), float(std)))


def exponential_(tensor: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples from Exp(lambd) (density ``lambd exp(-lambd x)``) in place."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    kind = _float_target(tensor, "exponential_")
    return _fill(tensor, _random.draw("exponential", tensor.shape, generator, kind, float(lambd)))


def random_(tensor: Tensor, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
    """Fill with integers in place: ``random_(to)`` in ``[0, to)``, ``random_(from, to)`` in
    ``[from, to)``, ``random_()`` in ``[0, 2**mantissa]`` for floats and ``[0, max]`` for integer dtypes
    (``from``/``to`` as keywords too), as PyTorch."""
    if len(args) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments (from, to), got {len(args)}")
    low, high = (0, args[0]) if len(args) == 1 else (args + (0, None))[:2] if args else (0, None)
    low, high = kwargs.pop("from", low), kwargs.pop("to", high)
    _options(kwargs, "random_")
    kind = tensor.dtype
    if high is None:
        if kind.kind == "f":
            top = 2 ** {2: 11, 4: 24, 8: 53}[kind.itemsize]
        elif kind.kind == "b":
            top = 1
        else:
            top = int(np.iinfo(kind).max)
        if low == 0:  # random_(): PyTorch's uniform_int over [0, top]
            return _fill(tensor, _random.draw("randint_full", tensor.shape, generator, kind, top))
        high = top + 1
    return _fill(tensor, _random.draw("randint", tensor.shape, generator, kind, int(low), int(high)))


def bernoulli_(tensor: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 0/1 samples in place, ``P(1) = p`` (a float, or a tensor of probabilities broadcast to
    this shape). A float ``p`` follows PyTorch's portable kernel (AMD CPUs, builds without MKL); PyTorch
    with MKL on an Intel CPU draws a float ``p`` from MKL's own stream, so there the numbers differ."""
    gen = _random._generator(generator)
    _random.refuse_in_compile("bernoulli_")
    if isinstance(p, (Tensor, np.ndarray)):
        probs = np.broadcast_to(np.asarray(_plain(p)), tensor.shape)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probs = np.full(tensor.shape, float(p))
    return _fill(tensor, _random.bernoulli_values(gen, probs, tensor.dtype))


__all__ = [
    "bernoulli",
    "multinomial",
    "normal",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
]
