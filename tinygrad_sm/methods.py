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

import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import numpy_adapters as npa
from . import numpy_surface as ns
from . import tensor_functions as tf
from .functional import arrays, contraction, counting, indexing, linalg, order, pointwise, reductions, shape
from .functional import pointwise_math as pm
from .functional.softmax import logsumexp
from .interop import _FUNCTIONS, _UFUNCS
from .sampling import multinomial
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
    Entry("bitwise_and", tf.bitwise_and),
    Entry("bitwise_or", tf.bitwise_or),
    Entry("bitwise_xor", tf.bitwise_xor),
    Entry("bitwise_not", tf.bitwise_not),
    # ---------------------------------------------------------------- torch.sin_(x) and friends: the in-place methods
    *(
        Entry(name, getattr(Tensor, name), method=False)
        for name in ("abs_", "neg_", "exp_", "log_", "sqrt_", "sigmoid_", "tanh_", "relu_", "sin_", "cos_",
                     "reciprocal_", "square_", "clamp_", "clip_", "fill_", "zero_")
    ),
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
    Entry("clamp_min", pointwise.clamp_min),
    Entry("clamp_max", pointwise.clamp_max),
    Entry("lerp", pointwise.lerp),
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
    Entry("dist", reductions.dist),
    Entry("norm", reductions.norm),  # np.linalg.norm: the linalg row below (matrix norms too)
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
    Entry("meshgrid", shape.meshgrid, method=False),
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
    Entry("index_add", indexing.index_add),
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
    Entry("mv", contraction.mv),
    # ---------------------------------------------------------------- sampling (the function is a factory's)
    Entry("multinomial", multinomial, function=False),
    Entry("tensordot", contraction.tensordot, numpy=(np.tensordot,), numpy_impl=npa.tensordot),
    Entry("einsum", contraction.einsum, method=False, numpy=(np.einsum,), numpy_impl=npa.einsum),
    Entry("dot", contraction.dot, method=False, numpy=(np.dot,), numpy_impl=npa.dot),
    # ---------------------------------------------------------------- NumPy's questions about a shape
    Entry("np_shape", lambda a: np.shape(a._data), method=False, function=False, numpy=(np.shape,)),
    Entry("np_ndim", lambda a: np.ndim(a._data), method=False, function=False, numpy=(np.ndim,)),
    Entry("np_size", npa.size, method=False, function=False, numpy=(np.size,)),
    # ================================================================ the NumPy surface (issue 23)
    # trigonometric and hyperbolic (primitives in ops/trig.py); PyTorch's short names and its arc* aliases
    Entry("tan", pm.tan, numpy=(np.tan,)),
    Entry("asin", pm.asin, numpy=(np.arcsin,)),
    Entry("acos", pm.acos, numpy=(np.arccos,)),
    Entry("atan", pm.atan, numpy=(np.arctan,)),
    Entry("sinh", pm.sinh, numpy=(np.sinh,)),
    Entry("cosh", pm.cosh, numpy=(np.cosh,)),
    Entry("asinh", pm.asinh, numpy=(np.arcsinh,)),
    Entry("acosh", pm.acosh, numpy=(np.arccosh,)),
    Entry("atanh", pm.atanh, numpy=(np.arctanh,)),
    Entry("atan2", pm.atan2, numpy=(np.arctan2,)),
    Entry("arcsin", pm.asin),
    Entry("arccos", pm.acos),
    Entry("arctan", pm.atan),
    Entry("arcsinh", pm.asinh),
    Entry("arccosh", pm.acosh),
    Entry("arctanh", pm.atanh),
    Entry("arctan2", pm.atan2),
    Entry("hypot", pm.hypot, numpy=(np.hypot,)),
    # rounding (gradient 0) and remainders (ops/rounding.py); % and // on Tensor
    Entry("floor", pm.floor, numpy=(np.floor,)),
    Entry("ceil", pm.ceil, numpy=(np.ceil,)),
    Entry("trunc", pm.trunc, numpy=(np.trunc,)),
    Entry("fix", pm.trunc, numpy=(np.fix,), numpy_impl=ns.fix),
    Entry("round", pm.round, numpy=_numpy(np.round, np.around, np.rint), numpy_impl=ns.round_),
    Entry("remainder", pm.remainder, numpy=(np.remainder,)),
    Entry("fmod", pm.fmod, numpy=(np.fmod,)),
    Entry("floor_divide", pm.floor_divide, numpy=(np.floor_divide,)),
    Entry("__mod__", pm.remainder, function=False),
    Entry("__rmod__", pm._rremainder, function=False),
    Entry("__floordiv__", pm.floor_divide, function=False),
    Entry("__rfloordiv__", pm._rfloor_divide, function=False),
    # elementwise composites (functional/pointwise_math.py)
    Entry("exp2", pm.exp2, numpy=(np.exp2,)),
    Entry("fabs", pm.fabs, method=False, function=False, numpy=(np.fabs,)),
    Entry("deg2rad", pm.deg2rad, numpy=(np.deg2rad, np.radians)),
    Entry("rad2deg", pm.rad2deg, numpy=(np.rad2deg, np.degrees)),
    Entry("fmax", pm.fmax, numpy=(np.fmax,)),
    Entry("fmin", pm.fmin, numpy=(np.fmin,)),
    Entry("logaddexp2", pm.logaddexp2, numpy=(np.logaddexp2,)),
    Entry("sinc", pm.sinc, numpy=(np.sinc,)),
    Entry("nan_to_num", pm.nan_to_num, numpy=(np.nan_to_num,), numpy_impl=ns.nan_to_num),
    Entry("real", pm.real, method=False, numpy=(np.real, np.real_if_close)),
    Entry("imag", pm.imag, method=False, function=False, numpy=(np.imag,)),
    Entry("conj", pm.conj, numpy=(np.conjugate,)),
    Entry("angle", pm.angle, numpy=(np.angle,)),
    # array manipulation (functional/arrays.py)
    Entry("movedim", arrays.movedim, numpy=(np.moveaxis,)),
    Entry("moveaxis", arrays.movedim),
    Entry("rollaxis", arrays.rollaxis, method=False, function=False, numpy=(np.rollaxis,)),
    Entry("repeat_interleave", arrays.repeat_interleave, numpy=(np.repeat,), numpy_impl=ns.repeat),
    Entry("fliplr", arrays.fliplr, numpy=(np.fliplr,)),
    Entry("flipud", arrays.flipud, numpy=(np.flipud,)),
    Entry("rot90", arrays.rot90, numpy=(np.rot90,), numpy_impl=ns.rot90),
    Entry("vstack", arrays.vstack, method=False, numpy=_numpy(np.vstack, getattr(np, "row_stack", None)),
          numpy_impl=ns.stacking(arrays.vstack)),
    Entry("row_stack", arrays.vstack, method=False),
    Entry("hstack", arrays.hstack, method=False, numpy=(np.hstack,), numpy_impl=ns.stacking(arrays.hstack)),
    Entry("dstack", arrays.dstack, method=False, numpy=(np.dstack,), numpy_impl=ns.stacking(arrays.dstack)),
    Entry("column_stack", arrays.column_stack, method=False, numpy=(np.column_stack,)),
    Entry("atleast_1d", arrays.atleast_1d, method=False, numpy=(np.atleast_1d,)),
    Entry("atleast_2d", arrays.atleast_2d, method=False, numpy=(np.atleast_2d,)),
    Entry("atleast_3d", arrays.atleast_3d, method=False, numpy=(np.atleast_3d,)),
    Entry("append", arrays.append, method=False, function=False, numpy=(np.append,)),
    Entry("tensor_split", arrays.tensor_split, numpy=(np.array_split,), numpy_impl=arrays.array_split),
    Entry("np_split", ns.split, method=False, function=False, numpy=(np.split,)),
    Entry("hsplit", arrays.hsplit, numpy=(np.hsplit,), numpy_impl=ns.listed(arrays.hsplit)),
    Entry("vsplit", arrays.vsplit, numpy=(np.vsplit,), numpy_impl=ns.listed(arrays.vsplit)),
    Entry("dsplit", arrays.dsplit, numpy=(np.dsplit,), numpy_impl=ns.listed(arrays.dsplit)),
    Entry("diag", arrays.diag, numpy=(np.diag,), numpy_impl=ns.diag),
    Entry("diagonal", arrays.diagonal, numpy=(np.diagonal,), numpy_impl=ns.diagonal),
    Entry("trace", arrays.trace, numpy=(np.trace,), numpy_impl=ns.trace),
    Entry("tril", arrays.tril, numpy=(np.tril,)),
    Entry("triu", arrays.triu, numpy=(np.triu,)),
    Entry("inner", arrays.inner, numpy=(np.inner,)),
    Entry("kron", arrays.kron, numpy=(np.kron,)),
    Entry("cross", arrays.cross, numpy=(np.cross,), numpy_impl=arrays.np_cross),
    Entry("diff", arrays.diff, numpy=(np.diff,), numpy_impl=ns.diff),
    Entry("np_gradient", arrays.gradient, method=False, function=False, numpy=(np.gradient,)),
    Entry("np_sort", arrays.np_sort, method=False, function=False, numpy=(np.sort,)),
    Entry("np_partition", arrays.partition, method=False, function=False, numpy=(np.partition,)),
    Entry("np_select", arrays.select, method=False, function=False, numpy=(np.select,)),
    Entry("np_linspace", ns.linspace, method=False, function=False, numpy=(np.linspace,)),
    Entry("np_pad", ns.pad, method=False, function=False, numpy=(np.pad,)),
    Entry("np_astype", ns.astype, method=False, function=False, numpy=_numpy(getattr(np, "astype", None))),
    # linear algebra (primitives in ops/linalg_decomp.py, composites in functional/linalg.py)
    Entry("inv", linalg.inv, method=False, namespace="linalg", numpy=(np.linalg.inv,)),
    Entry("inverse", linalg.inv),
    Entry("det", linalg.det, method=False, namespace="linalg", numpy=(np.linalg.det,)),
    Entry("det", linalg.det),
    Entry("slogdet", linalg.slogdet, method=False, namespace="linalg", numpy=(np.linalg.slogdet,)),
    Entry("slogdet", linalg.slogdet),
    Entry("solve", linalg.solve, method=False, namespace="linalg", numpy=(np.linalg.solve,), numpy_impl=linalg.np_solve),
    Entry("cholesky", linalg.cholesky, method=False, namespace="linalg", numpy=(np.linalg.cholesky,),
          numpy_impl=ns.cholesky),
    Entry("eigh", linalg.eigh, method=False, namespace="linalg", numpy=(np.linalg.eigh,)),
    Entry("eigvalsh", linalg.eigvalsh, method=False, namespace="linalg", numpy=(np.linalg.eigvalsh,)),
    Entry("eig", linalg.eig, method=False, namespace="linalg", numpy=(np.linalg.eig, np.linalg.eigvals)),
    Entry("svd", linalg.svd, method=False, namespace="linalg", numpy=(np.linalg.svd,)),
    Entry("svdvals", linalg.svdvals, method=False, namespace="linalg", numpy=_numpy(getattr(np.linalg, "svdvals", None))),
    Entry("qr", linalg.qr, method=False, namespace="linalg", numpy=(np.linalg.qr,)),
    Entry("pinv", linalg.pinv, method=False, namespace="linalg", numpy=(np.linalg.pinv,)),
    Entry("pinverse", linalg.pinv),
    Entry("matrix_power", linalg.matrix_power, method=False, namespace="linalg", numpy=(np.linalg.matrix_power,)),
    Entry("matrix_power", linalg.matrix_power),
    Entry("multi_dot", linalg.multi_dot, method=False, namespace="linalg", numpy=(np.linalg.multi_dot,),
          numpy_impl=ns.multi_dot),
    Entry("cross", linalg.cross, method=False, namespace="linalg",
          numpy=_numpy(getattr(np.linalg, "cross", None)), numpy_impl=ns.linalg_cross),
    Entry("norm", linalg.norm, method=False, namespace="linalg", numpy=(np.linalg.norm,), numpy_impl=ns.norm),
    Entry("matrix_norm", linalg.matrix_norm, method=False, namespace="linalg",
          numpy=_numpy(getattr(np.linalg, "matrix_norm", None)), numpy_impl=ns.matrix_norm),
    Entry("vector_norm", linalg.vector_norm, method=False, namespace="linalg",
          numpy=_numpy(getattr(np.linalg, "vector_norm", None)), numpy_impl=ns.vector_norm),
    # no derivative (HIPS autograd's nograd list): computed on the values, returned as NumPy returns them
    *(
        Entry(f"np_{f.__name__}", ns.values_only(f), method=False, function=False, numpy=(f,))
        for f in (
            np.isfinite, np.isinf, np.isnan, np.isneginf, np.isposinf, np.logical_and, np.logical_or,
            np.logical_not, np.logical_xor, np.all, np.any, np.argmin, np.argpartition, np.argsort,
            np.argwhere, np.nonzero, np.flatnonzero, np.count_nonzero, np.searchsorted, np.allclose,
            np.isclose, np.array_equal, np.array_equiv, np.iscomplexobj, np.iscomplex, np.isreal,
            np.zeros_like, np.ones_like, np.empty_like, np.full_like, np.result_type,
        )
    ),
]  # fmt: skip


def functions(namespace: str = "") -> dict[str, Callable[..., Any]]:
    """The functions the table gives a namespace: ``""`` is the package (``tinygrad_sm.tanh``), ``"linalg"``
    is ``tinygrad_sm.linalg``."""
    return {entry.name: _as_function(entry.impl) for entry in TABLE if entry.function and entry.namespace == namespace}


def _as_function(impl: Callable[..., Any]) -> Callable[..., Any]:
    """A row's function spelling with PyTorch's two keywords every ``torch.<op>`` takes: ``input=`` for the
    first argument (a method's ``self``) and ``out=`` for a tensor that receives the result in place."""
    try:
        parameters = inspect.signature(impl).parameters
    except (TypeError, ValueError):  # a builtin without a signature: nothing to add
        return impl
    if "out" in parameters:
        return impl
    first = next(iter(parameters), None)

    @functools.wraps(impl)
    def function(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if "input" in kwargs and first != "input":
            args = (kwargs.pop("input"), *args)
        result = impl(*args, **kwargs)
        return result if out is None else tf.write_into(out, result, impl.__name__)

    return function


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
