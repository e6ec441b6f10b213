"""NumPy functions on tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``np.swapaxes(t, axis1=0, axis2=1)``
and friends dispatch to the primitives, so they keep the graph (positional and keyword forms alike).

A NumPy function with no primitive behind it, and any conversion of a tensor that requires grad to an
array (``np.asarray(t)``, ``np.array([t, t])``, ``np.mean([x, x + 2])``), raises instead of silently
dropping the graph, as PyTorch's ``.numpy()`` does; on tensors that do not require grad such functions
run on the values and return plain arrays (nothing is lost). Which NumPy function reaches which op is decided by the one
table, ``methods.TABLE`` (its ``numpy`` column), which fills ``_UFUNCS`` and ``_FUNCTIONS`` here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import _mode
from .tensor import Tensor

# Filled from the one table (methods.TABLE, each row's ``numpy`` callables) when the package is imported.
_UFUNCS: dict[np.ufunc, Callable[..., Any]] = {}
_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


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
