"""The one table of Tensor methods that only dispatch, and the NumPy functions that reach them.

``METHODS`` maps a method name to the composite (in ``functional/``) or primitive that implements it;
[`install`][tinygrad_sm.methods.install] puts each on ``Tensor`` once, refusing a name that ``Tensor``
already defines, so two definitions of one method cannot silently shadow each other. The same functions
are the package-level ``tinygrad_sm.clamp``, ``tinygrad_sm.einsum``... (``torch.*`` style), and
``NUMPY_FUNCTIONS``/``NUMPY_UFUNCS`` register ``np.var(t)``, ``np.einsum(...)``, ``np.sin(t)``... into the
NumPy dispatch, with NumPy's own defaults where they differ from PyTorch's (``np.var``'s ``ddof=0``,
``np.squeeze`` raising on an axis that is not of size 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .functional import contraction, indexing, order, pointwise, reductions, shape
from .tensor import Tensor

try:  # the NumPy dispatch tables (moved to interop.py by the conformance work)
    from .interop import _FUNCTIONS, _UFUNCS  # type: ignore[import-not-found, attr-defined, unused-ignore]
except ImportError:
    from .tensor import _FUNCTIONS, _UFUNCS  # type: ignore[attr-defined, no-redef]  # older layout

METHODS: dict[str, Callable[..., Any]] = {
    # shape
    "squeeze": shape.squeeze,
    "unsqueeze": shape.unsqueeze,
    "flatten": shape.flatten,
    "ravel": shape.ravel,
    "view": shape.view,
    "flip": shape.flip,
    "roll": shape.roll,
    "repeat": shape.repeat,
    "tile": shape.tile,
    "split": shape.split,
    "chunk": shape.chunk,
    "narrow": shape.narrow,
    # elementwise
    "clamp": pointwise.clamp,
    "clip": pointwise.clip,
    "neg": pointwise.neg,
    "square": pointwise.square,
    "sign": pointwise.sign,
    "reciprocal": pointwise.reciprocal,
    "sin": pointwise.sin,
    "cos": pointwise.cos,
    "log1p": pointwise.log1p,
    "expm1": pointwise.expm1,
    "erf": pointwise.erf,
    "log2": pointwise.log2,
    "log10": pointwise.log10,
    "logaddexp": pointwise.logaddexp,
    # reductions and order
    "var": reductions.var,
    "std": reductions.std,
    "prod": reductions.prod,
    "cumsum": reductions.cumsum,
    "cumprod": reductions.cumprod,
    "norm": reductions.norm,
    "amax": reductions.amax,
    "amin": reductions.amin,
    "sort": order.sort,
    "argsort": order.argsort,
    "topk": order.topk,
    # indexing
    "gather": indexing.gather,
    "scatter": indexing.scatter,
    "scatter_add": indexing.scatter_add,
    "index_select": indexing.index_select,
    "masked_fill": indexing.masked_fill,
    # contraction
    "outer": contraction.outer,
    "tensordot": contraction.tensordot,
}

# torch.* style functions: every method above, plus those that are functions only
FUNCTIONS: dict[str, Callable[..., Any]] = {
    **METHODS,
    "einsum": contraction.einsum,
    "dot": contraction.dot,
    "take_along_axis": indexing.take_along_axis,
    "expand_dims": shape.expand_dims,
    "pad": shape.pad,
}


def _no_out(**unsupported: Any) -> None:
    for name, value in unsupported.items():
        if value is not None:
            raise TypeError(f"the NumPy argument {name}= is not supported on Tensors")


def _np_squeeze(a: Any, axis: Any = None) -> Tensor:
    if axis is not None:  # NumPy refuses to squeeze an axis whose size is not 1 (PyTorch ignores it)
        for ax in axis if isinstance(axis, (tuple, list)) else (axis,):
            if a.shape[int(ax)] != 1:
                raise ValueError(
                    f"cannot select an axis to squeeze out which has size not equal to one "
                    f"(axis {ax} of shape {a.shape})"
                )
    return shape.squeeze(a, axis)


def _np_var(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kwargs: Any
) -> Tensor:
    _no_out(dtype=dtype, out=out, **kwargs)
    return reductions.var(a, axis=axis, keepdims=keepdims, correction=ddof)


def _np_std(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kwargs: Any
) -> Tensor:
    _no_out(dtype=dtype, out=out, **kwargs)
    return reductions.std(a, axis=axis, keepdims=keepdims, correction=ddof)


def _np_prod(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kwargs: Any
) -> Tensor:
    _no_out(dtype=dtype, out=out, **kwargs)
    return reductions.prod(a, axis=axis, keepdims=keepdims)


def _np_min(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
    _no_out(out=out, **kwargs)
    return reductions.amin(a, axis=axis, keepdims=keepdims)


def _np_einsum(subscripts: str, *operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Tensor:
    _no_out(out=out, **kwargs)  # optimize only chooses a contraction order: the values are the same
    return contraction.einsum(subscripts, *operands)


def _np_cumulative(op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def apply(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        _no_out(dtype=dtype, out=out)
        return op(a, axis=axis)

    return apply


def _np_clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kwargs: Any) -> Tensor:
    _no_out(out=out, **{k: v for k, v in kwargs.items() if k not in ("min", "max")})
    return pointwise.clip(a, a_min, a_max, min=kwargs.get("min"), max=kwargs.get("max"))


def _np_dot(a: Any, b: Any, out: Any = None) -> Tensor:
    _no_out(out=out)
    return contraction.dot(a, b)


def _np_norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    matrix = (axis is None and x.ndim == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if ord is not None and matrix and ord != "fro":
        raise ValueError(
            f"np.linalg.norm: the matrix norm ord={ord!r} is not supported on Tensors; vector norms and 'fro' are"
        )
    return reductions.norm(x, ord=ord, axis=axis, keepdims=keepdims)


NUMPY_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.min: _np_min,
    np.amin: _np_min,
    np.squeeze: _np_squeeze,
    np.expand_dims: shape.expand_dims,
    np.clip: _np_clip,
    np.ravel: lambda a, order="C": shape.ravel(a),
    np.var: _np_var,
    np.std: _np_std,
    np.prod: _np_prod,
    np.einsum: _np_einsum,
    np.tensordot: lambda a, b, axes=2: contraction.tensordot(a, b, axes),
    np.dot: _np_dot,
    np.outer: contraction.outer,
    np.cumsum: _np_cumulative(reductions.cumsum),
    np.cumprod: _np_cumulative(reductions.cumprod),
    np.flip: lambda m, axis=None: shape.flip(m, axis),
    np.roll: lambda a, shift, axis=None: shape.roll(a, shift, axis),
    np.tile: shape.tile,
    np.take_along_axis: lambda arr, indices, axis: indexing.take_along_axis(arr, indices, axis),
    np.linalg.norm: _np_norm,
}


def _minimum(a: Any, b: Any) -> Tensor:
    # min is symmetric, ties included (half the gradient each), so the tensor can go first
    return a.minimum(b) if isinstance(a, Tensor) else b.minimum(a)


NUMPY_UFUNCS: dict[Any, Callable[..., Any]] = {
    np.minimum: _minimum,
    np.sin: pointwise.sin,
    np.cos: pointwise.cos,
    np.log1p: pointwise.log1p,
    np.expm1: pointwise.expm1,
    np.log2: pointwise.log2,
    np.log10: pointwise.log10,
    np.square: pointwise.square,
    np.sign: pointwise.sign,
    np.reciprocal: pointwise.reciprocal,
    np.logaddexp: pointwise.logaddexp,
}


def install() -> None:
    """Put every method of ``METHODS`` on ``Tensor`` and register the NumPy entries. Idempotent; a
    method name that ``Tensor`` defines by other means is an error (two definitions would shadow)."""
    for name, function in METHODS.items():
        existing = getattr(Tensor, name, None)
        if existing is not None and existing is not function:
            raise RuntimeError(f"Tensor.{name} is defined twice: in tensor.py and in methods.METHODS")
        setattr(Tensor, name, function)
    for func, handler in NUMPY_FUNCTIONS.items():
        _FUNCTIONS.setdefault(func, handler)  # an entry tensor.py already has stays (it is the more specific)
    for ufunc, handler in NUMPY_UFUNCS.items():
        _UFUNCS.setdefault(ufunc, handler)


install()
