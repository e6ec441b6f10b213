"""NumPy functions on tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``np.swapaxes(t, axis1=0, axis2=1)``
and friends dispatch to the primitives, so they keep the graph (positional and keyword forms alike).

A NumPy function with no primitive behind it, and any conversion of a tensor that requires grad to an
array (``np.asarray(t)``, ``np.array([t, t])``, ``np.mean([x, x + 2])``), raises instead of silently
dropping the graph, as PyTorch's ``.numpy()`` does; on tensors that do not require grad such functions
run on the values and return plain arrays (nothing is lost).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import _mode
from .tensor import Tensor, _plain, values_of
from .tensor_functions import _as_tensor, concatenate, maximum, minimum, stack, where


def _binary(method: str) -> Callable[[Any, Any], Tensor]:
    def apply(a: Any, b: Any) -> Tensor:
        if isinstance(a, Tensor):
            return getattr(a, method)(b)
        return getattr(Tensor, "__r" + method[2:])(b, a)  # b is the Tensor: its reflected method

    return apply


def _compare(ufunc: np.ufunc) -> Callable[[Any, Any], Tensor]:
    return lambda a, b: values_of(ufunc, a, b)


_UFUNCS: dict[np.ufunc, Callable[..., Any]] = {
    np.add: _binary("__add__"),
    np.subtract: _binary("__sub__"),
    np.multiply: _binary("__mul__"),
    np.true_divide: _binary("__truediv__"),
    np.power: _binary("__pow__"),
    np.matmul: _binary("__matmul__"),
    np.maximum: maximum,
    np.minimum: minimum,
    np.negative: lambda t: -_as_tensor(t),
    np.exp: lambda t: _as_tensor(t).exp(),
    np.log: lambda t: _as_tensor(t).log(),
    np.sqrt: lambda t: _as_tensor(t).sqrt(),
    np.tanh: lambda t: _as_tensor(t).tanh(),
    np.absolute: lambda t: _as_tensor(t).abs(),
    np.greater: _compare(np.greater),
    np.greater_equal: _compare(np.greater_equal),
    np.less: _compare(np.less),
    np.less_equal: _compare(np.less_equal),
    np.equal: _compare(np.equal),
    np.not_equal: _compare(np.not_equal),
}


def _reduction(method: str) -> Callable[..., Tensor]:
    def apply(
        a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **rest: Any
    ) -> Tensor:
        if dtype is not None or out is not None or rest:
            raise TypeError(f"np.{method} on a Tensor supports axis= and keepdims= only")
        return getattr(_as_tensor(a), method)(axis=axis, keepdims=keepdims)

    return apply


def _transpose(a: Any, axes: Any = None) -> Tensor:
    return _as_tensor(a).transpose(*(() if axes is None else (axes,)))


def _reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None) -> Tensor:
    if order != "C":
        raise TypeError("np.reshape on a Tensor supports order='C' only")
    return _as_tensor(a).reshape(shape if newshape is None else newshape)


_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: _reduction("sum"),
    np.mean: _reduction("mean"),
    np.max: _reduction("max"),
    np.min: _reduction("min"),
    np.reshape: _reshape,
    np.transpose: _transpose,
    np.swapaxes: lambda a, axis1, axis2: _as_tensor(a).swapaxes(axis1, axis2),
    np.broadcast_to: lambda array, shape, subok=False: _as_tensor(array).expand(shape),
    np.where: lambda condition, x, y: where(condition, x, y),
    np.concatenate: lambda arrays, axis=0: concatenate(arrays, axis=axis),
    np.stack: lambda arrays, axis=0: stack(arrays, axis=axis),
    np.argmax: lambda a, axis=None, keepdims=False: _as_tensor(a).argmax(axis=axis, keepdims=keepdims),
    np.shape: lambda a: _plain(a).shape,  # (shapes are not values: nothing for compile to see)
    np.ndim: lambda a: _plain(a).ndim,
    np.size: lambda a, axis=None: _plain(a).size if axis is None else _plain(a).shape[axis],
}
for _alias, _target in (("amax", np.max), ("amin", np.min)):  # separate objects in some NumPy versions
    if getattr(np, _alias, _target) is not _target:
        _FUNCTIONS[getattr(np, _alias)] = _FUNCTIONS[_target]


def _needs_grad(values: Any) -> bool:
    for value in values:
        if isinstance(value, Tensor) and value.requires_grad:
            return True
        if isinstance(value, (list, tuple)) and _needs_grad(value):
            return True
    return False


def _values(value: Any) -> Any:
    if isinstance(value, Tensor):
        if _mode.tracer is not None:  # the values leave the engine as a plain NumPy result
            _mode.tracer.on_escape(value, "a NumPy function")
        return value._data
    if isinstance(value, (list, tuple)):
        return type(value)(_values(v) for v in value)
    return value


def _refuse(name: str) -> TypeError:
    return TypeError(
        f"{name} has no primitive in tinygrad_sm, and applied to a tensor that requires grad it "
        "would drop the graph; use the Tensor methods (for example t.exp(), t.sum(dim=0)), or "
        "t.detach().numpy() for the plain values"
    )


def _array_ufunc(self: Tensor, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    handler = _UFUNCS.get(ufunc)
    if method == "__call__" and not kwargs and handler is not None:
        return handler(*inputs)
    if _needs_grad(inputs) or _needs_grad(kwargs.values()):
        raise _refuse(
            f"np.{ufunc.__name__}{'' if method == '__call__' else '.' + method}"
            + (" with keyword arguments" if handler is not None else "")
        )
    return getattr(ufunc, method)(*_values(inputs), **{k: _values(v) for k, v in kwargs.items()})


def _array_function(self: Tensor, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    handler = _FUNCTIONS.get(func)
    if handler is not None:
        return handler(*args, **kwargs)
    if _needs_grad(args) or _needs_grad(kwargs.values()):
        raise _refuse(f"np.{func.__name__}")
    return func(*_values(args), **{k: _values(v) for k, v in kwargs.items()})


Tensor.__array_ufunc__ = _array_ufunc  # type: ignore[attr-defined]  # the NumPy protocol, installed here
Tensor.__array_function__ = _array_function  # type: ignore[attr-defined]
