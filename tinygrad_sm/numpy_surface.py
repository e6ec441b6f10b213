"""NumPy's spellings of the NumPy-surface functions (trigonometry, rounding, array manipulation,
``np.linalg``): the ``numpy_impl`` of their rows in [`methods.TABLE`][tinygrad_sm.methods.TABLE]. Each
adapter only renames arguments or refuses the ones with no meaning on a tensor (``out=``, ``dtype=``)
and calls the composite that the PyTorch spelling calls. Also the functions HIPS autograd treats as
having no gradient (``np.isnan``, ``np.argsort``, ``np.zeros_like``...): they compute on the values and
return what NumPy returns, arrays and not tensors, so applied to a tensor that requires grad they answer
instead of refusing (nothing is dropped from a graph: their results have no derivative).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import _mode
from .functional import arrays, linalg
from .functional import pointwise_math as pm
from .functional.shape import pad as _pad
from .numpy_adapters import no_out
from .tensor import Tensor, _plain, where
from .tensor_functions import _as_tensor


# ---------------------------------------------------------------- elementwise
def round_(a: Any, decimals: int = 0, out: Any = None) -> Tensor:
    no_out(out=out)
    return pm.round(a, decimals)


def fix(x: Any, out: Any = None) -> Tensor:
    no_out(out=out)
    return pm.trunc(x)


def values_only(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` on the values of any tensors among the arguments (lists of them too): for the
    functions with no derivative, whose results are indices, masks or facts about the values."""

    def plain(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(plain(v) for v in value)
        if isinstance(value, Tensor) and _mode.tracer is not None:  # the values leave the engine as NumPy
            _mode.tracer.on_escape(value, f"np.{getattr(function, '__name__', 'function')}")
        return _plain(value)

    def apply(*args: Any, **kwargs: Any) -> Any:
        return function(*plain(args), **{k: plain(v) for k, v in kwargs.items()})

    apply.__name__ = apply.__qualname__ = getattr(function, "__name__", "values_only")
    return apply


# ---------------------------------------------------------------- array manipulation
def repeat(a: Any, repeats: Any, axis: Any = None) -> Tensor:
    return arrays.repeat_interleave(a, repeats, axis)


def rot90(m: Any, k: int = 1, axes: Any = (0, 1)) -> Tensor:
    return arrays.rot90(m, k, axes)


def diag(v: Any, k: int = 0) -> Tensor:
    return arrays.diag(v, k)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    return arrays.diagonal(a, offset, axis1, axis2)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Tensor:
    no_out(dtype=dtype, out=out)
    return arrays.trace(a, offset, axis1, axis2)


def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    return arrays.diff(a, n, axis, prepend, append)


def stacking(function: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``np.vstack(tup, *, dtype=None, casting=...)``: the keyword arguments must be left at their defaults."""

    def apply(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Tensor:
        no_out(dtype=dtype)
        return function(tup)

    apply.__name__ = function.__name__
    return apply


def linspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False, dtype: Any = None, axis: int = 0
) -> Tensor:
    """``np.linspace`` with tensor end points (scalars): ``start + i step``, the last point exactly
    ``stop`` when ``endpoint``; the gradient reaches both ends."""
    start, stop = _as_tensor(start), _as_tensor(stop)
    if start.ndim or stop.ndim or retstep or axis != 0:
        raise ValueError("np.linspace on tensors supports scalar start and stop (no retstep=, axis=)")
    start, stop = (t if t.dtype.kind == "f" else t.astype(np.float64) for t in (start, stop))
    divisions = (num - 1) if endpoint else num
    steps = np.arange(num, dtype=np.result_type(start.dtype, stop.dtype))
    values = start + (stop - start) * (steps / max(divisions, 1))
    if endpoint and num > 1:
        last = np.arange(num) == num - 1
        values = where(last, stop.broadcast_to((num,)), values)
    return values if dtype is None else values.astype(dtype)


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Tensor:
    """``np.pad`` with modes 'constant' (``constant_values``, one number), 'edge' and 'reflect'."""
    x = _as_tensor(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    modes = {"constant": "constant", "edge": "replicate", "reflect": "reflect"}
    if mode not in modes:
        raise ValueError(f"np.pad on tensors supports mode 'constant', 'edge' or 'reflect', got {mode!r}")
    value = kwargs.pop("constant_values", 0)
    if kwargs or np.ndim(value):
        raise TypeError("np.pad on tensors takes one number as constant_values and no other keyword")
    pairs = [int(v) for axis in reversed(range(x.ndim)) for v in widths[axis]]
    return _pad(x, pairs, modes[mode], float(value))


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    return arrays.np_split(ary, indices_or_sections, axis)


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
    return pm.nan_to_num(x, nan, posinf, neginf)


def listed(function: Callable[..., Any]) -> Callable[..., list[Tensor]]:
    """NumPy's splits return a list (PyTorch's a tuple)."""
    return lambda *args, **kwargs: list(function(*args, **kwargs))


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Tensor:
    return _as_tensor(x).astype(dtype)


# ---------------------------------------------------------------- np.linalg
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    return linalg.norm(x, ord, axis=axis, keepdims=keepdims)


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Tensor:
    return linalg.matrix_norm(x, ord, (-2, -1), keepdims)


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Tensor:
    return linalg.vector_norm(x, ord, axis, keepdims)


def linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Tensor:
    return linalg.cross(x1, x2, axis)


def multi_dot(arrays_: Any, *, out: Any = None) -> Tensor:
    no_out(out=out)
    return linalg.multi_dot(arrays_)


def cholesky(a: Any, /, *, upper: bool = False) -> Tensor:
    return linalg.cholesky(a, upper)
