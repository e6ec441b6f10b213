"""NumPy's spellings of the table's functions, where they differ from PyTorch's: the ``numpy_impl`` of a
row of [`methods.TABLE`][tinygrad_sm.methods.TABLE]. Each adapter only renames or checks arguments
(``np.var``'s ``ddof=0`` default, ``np.squeeze`` raising on an axis that is not of size 1, ``out=`` and
``dtype=`` refused) and calls the same composite or method as the PyTorch spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._axes import normalize_axis
from .functional import contraction, reductions, shape
from .tensor import Tensor, _plain, values_of
from .tensor_functions import _as_tensor


def no_out(**unsupported: Any) -> None:
    """Refuse NumPy arguments that have no meaning on a Tensor (``out=``, ``dtype=``...)."""
    for name, value in unsupported.items():
        if value is not None:
            raise TypeError(f"the NumPy argument {name}= is not supported on Tensors")


# ---------------------------------------------------------------- ufuncs
def binary(method: str) -> Callable[[Any, Any], Tensor]:
    """``np.add(a, b)`` as ``a + b``, whichever operand is the Tensor (NumPy calls us for either)."""

    def apply(a: Any, b: Any) -> Tensor:
        if isinstance(a, Tensor):
            return getattr(a, method)(b)
        return getattr(Tensor, "__r" + method[2:])(b, a)  # b is the Tensor: its reflected method

    return apply


def compare(ufunc: np.ufunc) -> Callable[[Any, Any], Tensor]:
    """A comparison ufunc: a constant bool tensor (not differentiable)."""
    return lambda a, b: values_of(ufunc, a, b)


def unary(method: str) -> Callable[[Any], Tensor]:
    """``np.exp(t)`` as ``t.exp()``."""
    return lambda t: getattr(_as_tensor(t), method)()


def minimum_either_order(a: Any, b: Any) -> Tensor:
    # min is symmetric, ties included (half the gradient each), so the tensor can go first
    return a.minimum(b) if isinstance(a, Tensor) else b.minimum(a)


# ---------------------------------------------------------------- reductions
def reduction(method: str) -> Callable[..., Tensor]:
    """``np.sum(a, axis, dtype, out, keepdims)`` as ``a.sum(axis=, keepdims=)``: NumPy's ``np.max`` gives
    the values only, also with an integer axis (PyTorch's ``max(dim)`` gives values and indices)."""

    def apply(
        a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **rest: Any
    ) -> Tensor:
        if dtype is not None or out is not None or rest:
            raise TypeError(f"np.{method} on a Tensor supports axis= and keepdims= only")
        tensor = _as_tensor(a)
        if method == "mean" and tensor.dtype.kind != "f":  # NumPy's mean of integers is float64
            tensor = tensor.astype(np.float64)
        return getattr(tensor, method)(axis=axis, keepdims=keepdims)

    return apply


def var(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kwargs: Any
) -> Tensor:
    no_out(dtype=dtype, out=out, **kwargs)
    return reductions.var(a, axis=axis, keepdims=keepdims, correction=ddof)


def std(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False, **kwargs: Any
) -> Tensor:
    no_out(dtype=dtype, out=out, **kwargs)
    return reductions.std(a, axis=axis, keepdims=keepdims, correction=ddof)


def prod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
    no_out(dtype=dtype, out=out, **kwargs)
    return reductions.prod(a, axis=axis, keepdims=keepdims)


def cumulative(op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def apply(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        no_out(dtype=dtype, out=out)
        return op(a, axis=axis)

    return apply


def argextremum(name: str) -> Callable[..., Any]:
    """``np.argmax(t, axis)``: NumPy returns an integer array (not a Tensor), as for an ndarray."""

    def apply(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        no_out(out=out)
        return getattr(np.asarray(_plain(a)), name)(axis=axis, keepdims=keepdims)

    return apply


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    matrix = (axis is None and x.ndim == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if ord is not None and matrix and ord != "fro":
        raise ValueError(
            f"np.linalg.norm: the matrix norm ord={ord!r} is not supported on Tensors; vector norms and 'fro' are"
        )
    return reductions.norm(x, ord=ord, axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------- shape
def squeeze(a: Any, axis: Any = None) -> Tensor:
    if axis is not None:  # NumPy refuses to squeeze an axis whose size is not 1 (PyTorch ignores it)
        for ax in axis if isinstance(axis, (tuple, list)) else (axis,):
            if a.shape[normalize_axis(ax, a.ndim, "axis", "squeeze")] != 1:
                raise ValueError(
                    f"cannot select an axis to squeeze out which has size not equal to one "
                    f"(axis {ax} of shape {a.shape})"
                )
    return shape.squeeze(a, axis)


def transpose(a: Any, axes: Any = None) -> Tensor:
    return _as_tensor(a).transpose(*(() if axes is None else (axes,)))


def reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None) -> Tensor:
    if order != "C":
        raise TypeError("np.reshape on a Tensor supports order='C' only")
    return _as_tensor(a).reshape(shape if newshape is None else newshape)


def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kwargs: Any) -> Tensor:
    from .functional import pointwise

    no_out(out=out, **{k: v for k, v in kwargs.items() if k not in ("min", "max")})
    return pointwise.clip(a, a_min, a_max, min=kwargs.get("min"), max=kwargs.get("max"))


# ---------------------------------------------------------------- contraction
def einsum(subscripts: str, *operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Tensor:
    no_out(out=out, **kwargs)  # optimize only chooses a contraction order: the values are the same
    return contraction.einsum(subscripts, *operands)


def dot(a: Any, b: Any, out: Any = None) -> Tensor:
    no_out(out=out)
    return contraction.dot(a, b)


def size(a: Any, axis: Any = None) -> int:
    array = np.asarray(a._data if isinstance(a, Tensor) else a)
    return array.size if axis is None else array.shape[axis]


def swapaxes(a: Any, axis1: int, axis2: int) -> Tensor:
    return _as_tensor(a).swapaxes(axis1, axis2)


def broadcast_to(array: Any, shape: Any, subok: bool = False) -> Tensor:
    return _as_tensor(array).expand(shape)


def ravel(a: Any, order: str = "C") -> Tensor:
    if order != "C":
        raise TypeError("np.ravel on a Tensor supports order='C' only")
    return shape.ravel(a)


def flip(m: Any, axis: Any = None) -> Tensor:
    return shape.flip(m, axis)


def roll(a: Any, shift: Any, axis: Any = None) -> Tensor:
    return shape.roll(a, shift, axis)


def concatenate(arrays: Any, axis: Any = 0, out: Any = None, **kwargs: Any) -> Tensor:
    from .tensor_functions import concatenate as join

    no_out(out=out, **kwargs)
    return join(arrays, axis=axis)


def stack(arrays: Any, axis: int = 0, out: Any = None, **kwargs: Any) -> Tensor:
    from .tensor_functions import stack as join

    no_out(out=out, **kwargs)
    return join(arrays, axis=axis)


def take_along_axis(arr: Any, indices: Any, axis: Any) -> Tensor:
    from .functional.indexing import take_along_axis as take

    return take(arr, indices, axis)


def tensordot(a: Any, b: Any, axes: Any = 2) -> Tensor:
    return contraction.tensordot(a, b, axes)
