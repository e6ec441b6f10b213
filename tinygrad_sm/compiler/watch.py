"""NumPy arguments seen while a call is traced: a view that tells the tracer when Python reads its values.

A compiled step gets new batches as NumPy arrays. ``Tensor(x)`` copies one into the engine, and the
trace records that copy, so a replay copies the next batch. But the function may also compute on the
array itself (``if x.mean() > 0:``, ``labels.max()``, ``x[0, 0]``): NumPy does that without the engine,
and a replay would keep the branch the traced batch took. So while tracing, each NumPy argument is
passed as a ``Watched`` view of the same memory: a NumPy function, a ufunc, an element, ``bool()``,
``float()``, ``item()`` or ``tolist()`` on it, from anywhere but the engine's own primitives, makes the
trace refuse (the signature then runs eagerly), with the line that did it. The values computed are
the ordinary ones: the traced call's results stay the eager results.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..autograd import _mode

# modules whose NumPy calls on an argument are recorded (the primitives, the Tensor boundary)
_ENGINE = (
    "tinygrad_sm.ops",
    "tinygrad_sm.autograd",
    "tinygrad_sm.tensor",
    "tinygrad_sm.dtypes",
    "tinygrad_sm.compiler",
    "tinygrad_sm.factories",
    "tinygrad_sm._saved",
)
_METADATA = {np.shape, np.ndim, np.size, np.result_type, np.may_share_memory, np.shares_memory}


def _plain(value: Any) -> Any:
    if isinstance(value, Watched):
        return value.view(np.ndarray)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _other_override(value: Any) -> bool:
    return not isinstance(value, np.ndarray) and getattr(type(value), "__array_ufunc__", None) is not None


def _caller_outside_numpy() -> Any:
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(("numpy", "tinygrad_sm.compiler.watch")):
        frame = frame.f_back  # type: ignore[assignment]
    return frame


def _read(how: str) -> None:
    tracer = _mode.tracer
    if tracer is None:
        return
    frame = _caller_outside_numpy()
    if frame is not None and frame.f_globals.get("__name__", "").startswith(_ENGINE):
        return
    tracer.refuse(
        f"the compiled function reads the values of a NumPy argument with {how} outside the engine; "
        "a replay would keep what this batch gave (copy it into a Tensor first and use Tensor ops)"
    )


class Watched(np.ndarray):
    """A view of a NumPy argument during tracing (see the module's docstring)."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(_other_override(value) for value in inputs):
            return NotImplemented  # x + tensor: the Tensor's own dispatch takes it (and the trace sees it)
        _read(f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}"))
        if "out" in kwargs:
            kwargs["out"] = _plain(kwargs["out"])
        return getattr(ufunc, method)(*_plain(inputs), **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if any(not issubclass(t, np.ndarray) for t in types):
            return NotImplemented
        if func not in _METADATA:
            _read(f"np.{getattr(func, '__name__', 'function')}")
        return func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})

    def __getitem__(self, index: Any) -> Any:
        value = super().__getitem__(index)
        if not isinstance(value, np.ndarray):
            _read("an element x[...]")
        return value

    def __iter__(self) -> Any:
        _read("iteration")
        return iter(self.view(np.ndarray))

    def __bool__(self) -> bool:
        _read("bool()")
        return bool(self.view(np.ndarray))

    def __float__(self) -> float:
        _read("float()")
        return float(self.view(np.ndarray))

    def __int__(self) -> int:
        _read("int()")
        return int(self.view(np.ndarray))

    def __index__(self) -> int:
        _read("an index")
        return self.view(np.ndarray).__index__()

    def item(self, *args: Any) -> Any:
        _read(".item()")
        return self.view(np.ndarray).item(*args)

    def tolist(self) -> Any:
        _read(".tolist()")
        return self.view(np.ndarray).tolist()
