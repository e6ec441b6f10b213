"""The one table: each row names a function once and says where it appears.

A row ``Entry(name, impl, method, function, numpy, numpy_impl, namespace)`` generates

- the Tensor method ``t.<name>(...)`` (``method=True``; refused if ``Tensor`` already defines the name by
  other means, so two definitions cannot silently shadow each other),
- the function ``tinygrad_sm.<name>(t, ...)`` as PyTorch's ``torch.<name>`` (``function=True``), or
  ``tinygrad_sm.<namespace>.<name>`` (``namespace="linalg"``),
- the NumPy dispatch ``np.<f>(t, ...)`` for each NumPy function or ufunc in ``numpy``, calling
  ``numpy_impl`` where NumPy's spelling differs (see ``numpy_adapters``), else ``impl``.

So the three spellings of one operation cannot drift apart. Rows whose ``impl`` is a method the ``Tensor``
class writes itself (``exp``, ``sum``, ``reshape``: the hot or operator-backed ones) have ``method=False``
and give the function and NumPy spellings of that method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import numpy_adapters as npa
from . import tensor_functions as tf
from .functional import contraction, counting, indexing, order, pointwise, reductions, shape
from .functional.softmax import logsumexp
from .interop import _FUNCTIONS, _UFUNCS
from .tensor import Tensor


class Entry(NamedTuple):
    """One operation: its implementation and the spellings generated from it (see the module docstring)."""

    name: str
    impl: Callable[..., Any]
    method: bool = True
    function: bool = True
    numpy: tuple[Any, ...] = ()
    numpy_impl: Callable[..., Any] | None = None
    namespace: str = ""


def _numpy(*functions: Any) -> tuple[Any, ...]:
    """NumPy callables, once each (``np.amax`` is ``np.max`` in some NumPy versions, another object in others)."""
    unique: list[Any] = []
    for function in functions:
        if function is not None and all(function is not seen for seen in unique):
            unique.append(function)
    return tuple(unique)


TABLE: list[Entry] = [
    # ---------------------------------------------------------------- arithmetic (the operators' named forms)
    Entry("add", tf.add, numpy=(np.add,), numpy_impl=npa.binary("__add__")),
    Entry("sub", tf.sub, numpy=(np.subtract,), numpy_impl=npa.binary("__sub__")),
    Entry("subtract", tf.sub),
    Entry("mul", tf.mul, numpy=(np.multiply,), numpy_impl=npa.binary("__mul__")),
    Entry("multiply", tf.mul),
    Entry("div", tf.div, numpy=(np.true_divide,), numpy_impl=npa.binary("__truediv__")),
    Entry("divide", tf.div),
    Entry("true_divide", tf.div),
    Entry("pow", tf.pow, numpy=(np.power,), numpy_impl=npa.binary("__pow__")),
    Entry("matmul", Tensor.matmul, method=False, numpy=(np.matmul,), numpy_impl=npa.binary("__matmul__")),
    Entry("mm", Tensor.mm, method=False),
    Entry("bmm", Tensor.bmm, method=False),
    Entry("negative", Tensor.__neg__, method=False, function=False, numpy=(np.negative,)),
    # ---------------------------------------------------------------- comparisons and tests (bool tensors)
    Entry("eq", tf.eq, numpy=(np.equal,)),
    Entry("ne", tf.ne, numpy=(np.not_equal,)),
    Entry("gt", tf.gt, numpy=(np.greater,)),
    Entry("ge", tf.ge, numpy=(np.greater_equal,)),
    Entry("lt", tf.lt, numpy=(np.less,)),
    Entry("le", tf.le, numpy=(np.less_equal,)),
    Entry("greater", tf.gt),
    Entry("greater_equal", tf.ge),
    Entry("less", tf.lt),
    Entry("less_equal", tf.le),
    Entry("not_equal", tf.ne),
    Entry("logical_and", tf.logical_and),
    Entry("logical_or", tf.logical_or),
    Entry("logical_xor", tf.logical_xor),
    Entry("logical_not", tf.logical_not),
    Entry("isnan", tf.isnan),
    Entry("isinf", tf.isinf),
    Entry("isfinite", tf.isfinite),
    Entry("isclose", tf.isclose),
    Entry("allclose", tf.allclose),
    Entry("equal", tf.equal),
    # ---------------------------------------------------------------- elementwise
    Entry("exp", Tensor.exp, method=False, numpy=(np.exp,)),
    Entry("log", Tensor.log, method=False, numpy=(np.log,)),
    Entry("sqrt", Tensor.sqrt, method=False, numpy=(np.sqrt,)),
    Entry("tanh", Tensor.tanh, method=False, numpy=(np.tanh,)),
    Entry("abs", Tensor.abs, method=False, numpy=(np.absolute,)),
    Entry("sigmoid", Tensor.sigmoid, method=False),
    Entry("relu", Tensor.relu, method=False),
    Entry("softmax", Tensor.softmax, method=False),
    Entry("log_softmax", Tensor.log_softmax, method=False),
    Entry("maximum", tf.maximum, method=False, numpy=(np.maximum,)),
    Entry("minimum", tf.minimum, method=False, numpy=(np.minimum,)),
    Entry("clamp", pointwise.clamp),
    Entry("clip", pointwise.clip, numpy=(np.clip,), numpy_impl=npa.clip),
    Entry("neg", pointwise.neg),
    Entry("square", pointwise.square, numpy=(np.square,)),
    Entry("sign", pointwise.sign, numpy=(np.sign,)),
    Entry("reciprocal", pointwise.reciprocal, numpy=(np.reciprocal,)),
    Entry("sin", pointwise.sin, numpy=(np.sin,)),
    Entry("cos", pointwise.cos, numpy=(np.cos,)),
    Entry("log1p", pointwise.log1p, numpy=(np.log1p,)),
    Entry("expm1", pointwise.expm1, numpy=(np.expm1,)),
    Entry("erf", pointwise.erf),
    Entry("log2", pointwise.log2, numpy=(np.log2,)),
    Entry("log10", pointwise.log10, numpy=(np.log10,)),
    Entry("logaddexp", pointwise.logaddexp, numpy=(np.logaddexp,)),
    Entry("rsqrt", tf.rsqrt),
    # ---------------------------------------------------------------- reductions
    Entry("sum", Tensor.sum, method=False, numpy=(np.sum,), numpy_impl=npa.reduction("sum")),
    Entry("mean", Tensor.mean, method=False, numpy=(np.mean,), numpy_impl=npa.reduction("mean")),
    Entry("max", Tensor.max, method=False, numpy=_numpy(np.max, np.amax), numpy_impl=npa.reduction("max")),
    Entry("min", Tensor.min, method=False, numpy=_numpy(np.min, np.amin), numpy_impl=npa.reduction("min")),
    Entry("argmax", Tensor.argmax, method=False, numpy=(np.argmax,), numpy_impl=npa.argextremum("argmax")),
    Entry("argmin", Tensor.argmin, method=False),
    Entry("all", Tensor.all, method=False),
    Entry("any", Tensor.any, method=False),
    Entry("logsumexp", logsumexp),
    Entry("var_mean", reductions.var_mean, method=False),
    Entry("std_mean", reductions.std_mean, method=False),
    Entry("count_nonzero", counting.count_nonzero),
    Entry("var", reductions.var, numpy=(np.var,), numpy_impl=npa.var),
    Entry("std", reductions.std, numpy=(np.std,), numpy_impl=npa.std),
    Entry("prod", reductions.prod, numpy=(np.prod,), numpy_impl=npa.prod),
    Entry("cumsum", reductions.cumsum, numpy=(np.cumsum,), numpy_impl=npa.cumulative(reductions.cumsum)),
    Entry("cumprod", reductions.cumprod, numpy=(np.cumprod,), numpy_impl=npa.cumulative(reductions.cumprod)),
    Entry("norm", reductions.norm, numpy=(np.linalg.norm,), numpy_impl=npa.norm),
    Entry("amax", reductions.amax),
    Entry("amin", reductions.amin),
    # ---------------------------------------------------------------- order
    Entry("sort", order.sort),
    Entry("argsort", order.argsort),
    Entry("topk", order.topk),
    Entry("kthvalue", order.kthvalue),
    Entry("median", order.median),
    Entry("mode", order.mode),
    Entry("aminmax", order.aminmax),
    # ---------------------------------------------------------------- counting (constant results)
    Entry("unique", counting.unique),
    Entry("bincount", counting.bincount),
    Entry("histc", counting.histc),
    Entry("histogram", counting.histogram),
    # ---------------------------------------------------------------- shape
    Entry("reshape", Tensor.reshape, method=False, numpy=(np.reshape,), numpy_impl=npa.reshape),
    Entry("transpose", Tensor.transpose, method=False, numpy=(np.transpose,), numpy_impl=npa.transpose),
    Entry("permute", Tensor.permute, method=False),
    Entry("t", Tensor.t, method=False),
    Entry("clone", Tensor.clone, method=False),
    Entry("numel", Tensor.numel, method=False),
    Entry("is_tensor", tf.is_tensor, method=False),
    Entry("is_floating_point", Tensor.is_floating_point, method=False),
    Entry("as_tensor", tf.as_tensor, method=False),
    Entry("set_grad_enabled", tf.set_grad_enabled, method=False),
    Entry("inference_mode", tf.inference_mode, method=False),
    Entry("unbind", shape.unbind),
    Entry("swapaxes", Tensor.swapaxes, method=False, numpy=(np.swapaxes,), numpy_impl=npa.swapaxes),
    Entry("broadcast_to", Tensor.broadcast_to, method=False, numpy=(np.broadcast_to,), numpy_impl=npa.broadcast_to),
    Entry("squeeze", shape.squeeze, numpy=(np.squeeze,), numpy_impl=npa.squeeze),
    Entry("unsqueeze", shape.unsqueeze),
    Entry("expand_dims", shape.expand_dims, method=False, numpy=(np.expand_dims,)),
    Entry("flatten", shape.flatten),
    Entry("ravel", shape.ravel, numpy=(np.ravel,), numpy_impl=npa.ravel),
    Entry("view", shape.view, function=False),
    Entry("flip", shape.flip, numpy=(np.flip,), numpy_impl=npa.flip),
    Entry("roll", shape.roll, numpy=(np.roll,), numpy_impl=npa.roll),
    Entry("repeat", shape.repeat, function=False),
    Entry("tile", shape.tile, numpy=(np.tile,)),
    Entry("split", shape.split),
    Entry("chunk", shape.chunk),
    Entry("narrow", shape.narrow),
    Entry("pad", shape.pad, method=False),
    # ---------------------------------------------------------------- several tensors
    Entry("where", tf.where_, method=False, numpy=(np.where,), numpy_impl=tf.where),
    Entry("concatenate", tf.concatenate, method=False, numpy=(np.concatenate,), numpy_impl=npa.concatenate),
    Entry("cat", tf.concatenate, method=False),
    Entry("concat", tf.concatenate, method=False),
    Entry("stack", tf.stack, method=False, numpy=(np.stack,), numpy_impl=npa.stack),
    # ---------------------------------------------------------------- indexing
    Entry("gather", indexing.gather),
    Entry("scatter", indexing.scatter),
    Entry("scatter_add", indexing.scatter_add),
    Entry("index_select", indexing.index_select),
    Entry("masked_fill", indexing.masked_fill),
    Entry("masked_select", tf.masked_select),
    Entry("nonzero", tf.nonzero),  # (np.nonzero, np.argwhere: NumPy's own answers, rows of the NumPy surface)
    Entry("argwhere", tf.argwhere),
    Entry("select", Tensor.select, method=False),
    Entry(
        "take_along_axis", indexing.take_along_axis, method=False, numpy=(np.take_along_axis,),
        numpy_impl=npa.take_along_axis,
    ),
    # ---------------------------------------------------------------- contraction
    Entry("outer", contraction.outer, numpy=(np.outer,)),
    Entry("tensordot", contraction.tensordot, numpy=(np.tensordot,), numpy_impl=npa.tensordot),
    Entry("einsum", contraction.einsum, method=False, numpy=(np.einsum,), numpy_impl=npa.einsum),
    Entry("dot", contraction.dot, method=False, numpy=(np.dot,), numpy_impl=npa.dot),
    # ---------------------------------------------------------------- NumPy's questions about a shape
    Entry("np_shape", lambda a: np.shape(a._data), method=False, function=False, numpy=(np.shape,)),
    Entry("np_ndim", lambda a: np.ndim(a._data), method=False, function=False, numpy=(np.ndim,)),
    Entry("np_size", npa.size, method=False, function=False, numpy=(np.size,)),
]  # fmt: skip


def functions(namespace: str = "") -> dict[str, Callable[..., Any]]:
    """The functions the table gives a namespace: ``""`` is the package (``tinygrad_sm.tanh``), ``"linalg"``
    is ``tinygrad_sm.linalg``."""
    return {entry.name: entry.impl for entry in TABLE if entry.function and entry.namespace == namespace}


def methods() -> dict[str, Callable[..., Any]]:
    """The methods the table puts on ``Tensor``."""
    return {entry.name: entry.impl for entry in TABLE if entry.method}


_installed: dict[str, Callable[..., Any]] = {}  # what install() put on Tensor (so a second call is a no-op)


def install() -> None:
    """Put the table's methods on ``Tensor`` and register its NumPy dispatch. Idempotent. A method name that
    ``Tensor`` defines by other means, a name in one namespace twice, or one NumPy callable in two rows is
    an error: two definitions would shadow each other."""
    seen: set[tuple[str, str]] = set()  # (where, name): "Tensor" for a method, the namespace for a function
    numpy_rows: dict[Any, str] = {}
    for entry in TABLE:
        places = [("Tensor", entry.name)] if entry.method else []
        places += [("tinygrad_sm" + (f".{entry.namespace}" if entry.namespace else ""), entry.name)] * entry.function
        for where, name in places:
            if (where, name) in seen:
                raise RuntimeError(f"{where}.{name} is in two rows of methods.TABLE")
            seen.add((where, name))
        if entry.method:
            existing = getattr(Tensor, entry.name, None)
            if existing is not None and existing is not entry.impl and _installed.get(entry.name) is not existing:
                raise RuntimeError(f"Tensor.{entry.name} is defined twice: on the Tensor class and in methods.TABLE")
            setattr(Tensor, entry.name, entry.impl)
            _installed[entry.name] = entry.impl
        for function in entry.numpy:
            if function in numpy_rows and numpy_rows[function] != entry.name:
                rows = f"{numpy_rows[function]!r} and {entry.name!r}"
                raise RuntimeError(f"np.{function.__name__} is in two rows of methods.TABLE: {rows}")
            numpy_rows[function] = entry.name
            handler = entry.numpy_impl or entry.impl
            (_UFUNCS if isinstance(function, np.ufunc) else _FUNCTIONS)[function] = handler


install()
