"""The functions of several tensors: ``where``, ``maximum``, ``minimum``, ``concatenate`` (``cat``) and
``stack``. Operands promote to one dtype as for every binary op (``dtypes.result_type``); each only
dispatches to a primitive in ``ops/``. Re-exported from ``tinygrad_sm.tensor`` and the package.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from ._axes import normalize_axis
from .autograd import is_grad_enabled, no_grad
from .dtypes import result_type
from .tensor import Tensor, _cast, _plain, _promoted
from .tensor_habits import _UNSET, _escapes, axis_args, values_of


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def write_into(out: Any, result: Any, name: str) -> Any:
    """``result`` written into ``out`` (``torch.add(x, y, out=z)``), which is returned. As PyTorch: no autograd
    through ``out=``, the result cast to ``out``'s dtype only within its kind, ``out`` resized with a warning
    when its shape differs."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): out= must be a tuple of {len(result)} tensors for this call, got {out!r}")
        return type(result)(*(write_into(o, r, name) for o, r in zip(out, result)))  # type: ignore[call-arg]
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): out= must be a Tensor, got {type(out).__name__}")
    result = result if isinstance(result, Tensor) else Tensor(result)
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad (call it without out=, or under tg.no_grad())"
        )
    if not np.can_cast(result.dtype, out.dtype, "same_kind"):
        raise RuntimeError(f"{name}(): result type {result.dtype} can't be cast to the desired output type {out.dtype}")
    if out.shape != result.shape:
        if out._data.size:
            warnings.warn(
                f"{name}(): an output with one or more elements was resized since it had shape {list(out.shape)}, "
                f"which does not match the required output shape {list(result.shape)}",
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(result.shape, dtype=out.dtype)
    with no_grad():
        out.copy_(result)
    return out


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast); the condition carries no gradient.
    The result dtype is ``result_type(a, b)``, as for every binary op."""
    condition = np.asarray(_plain(condition))
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {condition.dtype}")
    return ops.Where.apply(*_promoted(a, b), condition=condition)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max (ties split the gradient evenly)."""
    return ops.Maximum.apply(*_promoted(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min (ties split the gradient evenly)."""
    return ops.Minimum.apply(*_promoted(a, b))


def concatenate(tensors: Sequence[Any], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors along ``axis`` (or ``dim``; default 0); dtypes promote as for binary ops."""
    axis = axis_args(axis, dim=dim, op="concatenate", default_axis=0)[0]
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    if tensors[0].ndim == 0:
        raise ValueError("zero-dimensional tensors cannot be concatenated; use stack")
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        dtype = result_type(*tensors)
        tensors = [_cast(t, dtype) for t in tensors]
    return ops.Concatenate.apply(*tensors, axis=axis)


cat = concatenate


def stack(tensors: Sequence[Any], axis: Any = _UNSET, *, dim: Any = _UNSET) -> Tensor:
    """Join tensors of one shape along a new ``axis`` (or ``dim``; default 0)."""
    axis = axis_args(axis, dim=dim, op="stack", default_axis=0)[0]
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack needs tensors of one shape, got {sorted(shapes)}")
    axis = normalize_axis(axis, tensors[0].ndim + 1, "axis", "stack")  # a new axis: -(ndim+1)..ndim
    expanded = [t.reshape(t.shape[:axis] + (1,) + t.shape[axis:]) for t in tensors]
    return concatenate(expanded, axis=axis)


def index_put(x: Tensor, index: Any, value: Any) -> Tensor:
    """``x`` with ``x[index] = value``, out of place: what ``x[index] = value`` records on a tensor in the
    graph. Where an index repeats, the last value written wins, as NumPy's assignment (PyTorch leaves it
    unspecified). Gradient: ``value`` receives the gradient of the places it was written to, ``x`` that of
    the places left unchanged."""
    flat_positions = np.arange(x._data.size).reshape(x.shape)[index]  # where each written value lands
    values = _cast(value, x.dtype)
    extra = values.ndim - flat_positions.ndim
    if extra > 0 and all(n == 1 for n in values.shape[:extra]):
        # as NumPy's and PyTorch's assignment: leading 1-sized dims of the value are dropped (logits[i] = model(x)
        # writes a (1, n) row into a (n,) slot)
        values = values.reshape(values.shape[extra:])
    if values.shape != flat_positions.shape:
        values = values.expand(flat_positions.shape)
    positions = flat_positions.reshape(-1)
    written = np.zeros(x.shape, dtype=bool)
    written.reshape(-1)[positions] = True
    last_from_end = np.unique(positions[::-1], return_index=True)[1]
    if last_from_end.size != positions.size:  # a position written twice: keep its last value only
        kept = np.unravel_index(positions.size - 1 - last_from_end, flat_positions.shape)
        values, flat_positions = values[kept], flat_positions[kept]
    # (values scattered in their own shape, chosen in x's: no reshape, so no view of another tensor's array
    # is kept by the graph, which would block the next in-place write to it)
    scattered = ops.ScatterAdd.apply(values, shape=x.shape, index=np.unravel_index(flat_positions, x.shape))
    return ops.Where.apply(scattered, x, condition=written)


# ---------------------------------------------------------------- PyTorch's named arithmetic
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other`` (``torch.add``)."""
    result: Tensor = _as_tensor(input) + (other if alpha == 1 else other * alpha)
    return result


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other`` (``torch.sub``, ``torch.subtract``)."""
    result: Tensor = _as_tensor(input) - (other if alpha == 1 else other * alpha)
    return result


def mul(input: Any, other: Any) -> Tensor:
    """``input * other`` (``torch.mul``, ``torch.multiply``)."""
    result: Tensor = _as_tensor(input) * other
    return result


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other`` (``torch.div``, ``torch.divide``); ``rounding_mode="floor"`` or ``"trunc"`` rounds the
    quotient, which then carries no gradient (its derivative is 0 almost everywhere), and keeps an integer
    dtype for integer operands, as PyTorch."""
    if rounding_mode is None:
        quotient: Tensor = _as_tensor(input) / other
        return quotient
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
    dtype = result_type(input, other)
    return values_of(_rounded_quotient, input, other, rounding_mode, dtype)


def _rounded_quotient(a: Any, b: Any, mode: str, dtype: np.dtype) -> np.ndarray:
    a, b = np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)
    if dtype.kind in "iu":
        if mode == "floor":
            return np.asarray(np.floor_divide(a, b))
        return np.asarray(np.trunc(a / b).astype(dtype))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((np.floor if mode == "floor" else np.trunc)(a / b), dtype=dtype)


def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` (``torch.pow``; either may be the tensor)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        input = Tensor(input)
    return input**exponent  # type: ignore[no-any-return]  # (a number base: Tensor.__rpow__)


# ---------------------------------------------------------------- comparisons: constant bool tensors
def _comparison(ufunc: np.ufunc, name: str) -> Any:
    def compare(input: Any, other: Any) -> Tensor:
        return values_of(ufunc, input, other)

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"``{name}`` elementwise, as ``np.{ufunc.__name__}``: a bool tensor, not differentiable."
    return compare


eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
logical_and = _comparison(np.logical_and, "logical_and")
logical_or = _comparison(np.logical_or, "logical_or")
logical_xor = _comparison(np.logical_xor, "logical_xor")


def bitwise_and(input: Any, other: Any) -> Tensor:
    """``input & other`` on bool or integer tensors (``torch.bitwise_and``); not differentiable."""
    return _as_tensor(input) & other  # type: ignore[no-any-return]


def bitwise_or(input: Any, other: Any) -> Tensor:
    """``input | other`` on bool or integer tensors (``torch.bitwise_or``); not differentiable."""
    return _as_tensor(input) | other  # type: ignore[no-any-return]


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """``input ^ other`` on bool or integer tensors (``torch.bitwise_xor``); not differentiable."""
    return _as_tensor(input) ^ other  # type: ignore[no-any-return]


def bitwise_not(input: Any) -> Tensor:
    """``~input`` on bool or integer tensors (``torch.bitwise_not``); not differentiable."""
    return ~_as_tensor(input)  # type: ignore[no-any-return]


def _test(ufunc: np.ufunc, name: str) -> Any:
    def test(input: Any) -> Tensor:
        return values_of(ufunc, input)

    test.__name__ = test.__qualname__ = name
    test.__doc__ = f"``np.{ufunc.__name__}`` elementwise: a bool tensor, not differentiable."
    return test


logical_not = _test(np.logical_not, "logical_not")
isnan = _test(np.isnan, "isnan")
isinf = _test(np.isinf, "isinf")
isfinite = _test(np.isfinite, "isfinite")


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (``torch.isclose``): a bool tensor."""
    return values_of(np.isclose, input, other, rtol, atol, equal_nan)


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element is ``isclose`` (``torch.allclose``): a Python bool."""
    return bool(np.allclose(_plain(input), _plain(other), rtol, atol, equal_nan))


def equal(input: Any, other: Any) -> bool:
    """Whether the two tensors have the same shape and elements (``torch.equal``): a Python bool."""
    a, b = np.asarray(_plain(input)), np.asarray(_plain(other))
    return a.shape == b.shape and bool(np.array_equal(a, b))


def numel(input: Any) -> int:
    """The number of elements (``torch.numel``)."""
    return int(np.size(_plain(input)))


# ---------------------------------------------------------------- positions and selections (no gradient to positions)
def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """The positions of the nonzero elements: an int64 tensor of shape ``(n, ndim)`` (``torch.nonzero``), or
    with ``as_tuple=True`` one int64 tensor per dimension (NumPy's ``nonzero``)."""
    if isinstance(input, Tensor):
        _escapes(input, "nonzero()")  # (how many positions depends on the values: compile runs it eagerly)
    positions = np.nonzero(np.asarray(_plain(input)))
    if as_tuple:
        return tuple(Tensor._wrap(np.asarray(p, dtype=np.int64)) for p in positions)
    return Tensor._wrap(np.stack(positions, axis=-1).astype(np.int64).reshape(-1, len(positions)))


def argwhere(input: Any) -> Tensor:
    """``nonzero(input)``: the positions of the nonzero elements, shape ``(n, ndim)``."""
    return nonzero(input)  # type: ignore[no-any-return]


def masked_select(input: Any, mask: Any) -> Tensor:
    """The elements where ``mask`` (broadcast) holds, as a 1-D tensor (``torch.masked_select``); the gradient
    goes back to the selected places."""
    x = _as_tensor(input)
    full_mask = np.broadcast_to(
        np.asarray(_plain(mask), dtype=bool), np.broadcast_shapes(x.shape, np.shape(_plain(mask)))
    )
    if full_mask.shape != x.shape:
        x = x.expand(full_mask.shape)
    return x[full_mask]


def where_(condition: Any, input: Any = _UNSET, other: Any = _UNSET) -> Any:
    """``torch.where(condition, input, other)``; with the condition alone, ``nonzero(condition, as_tuple=True)``."""
    if input is _UNSET and other is _UNSET:
        return nonzero(condition, as_tuple=True)
    if input is _UNSET or other is _UNSET:
        raise TypeError("where: give both input and other, or only the condition")
    return where(condition, input, other)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a Tensor (``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Any) -> bool:
    """Whether the tensor's dtype is a floating point one."""
    return bool(np.asarray(_plain(input)).dtype.kind == "f")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor sharing ``data``'s memory where it can (a NumPy array of the wanted dtype, or a tensor),
    else a copy, as ``torch.as_tensor``."""
    from .device import as_device
    from .tensor_habits import _as_dtype

    as_device(device)
    wanted = None if dtype is None else _as_dtype(dtype)
    if isinstance(data, Tensor):
        return data if wanted is None or wanted == data.dtype else data.astype(wanted)
    if isinstance(data, np.ndarray) and (wanted is None or wanted == data.dtype):
        from .factories import from_numpy

        return from_numpy(data)
    return Tensor(data, dtype=wanted)


class set_grad_enabled:
    """Turn gradient recording on or off: as a call (``torch.set_grad_enabled(False)``) it takes effect at
    once, as a context manager it restores the previous mode on exit, as PyTorch's."""

    def __init__(self, mode: bool) -> None:
        from .autograd import _mode

        self._previous = _mode.grad_enabled
        _mode.grad_enabled = bool(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        from .autograd import _mode

        _mode.grad_enabled = self._previous


def inference_mode(mode: bool = True) -> Any:
    """``torch.inference_mode``: here the same as ``no_grad`` (``enable_grad`` with ``mode=False``); a context
    manager and a decorator. (PyTorch's also skips version counting; NumPy has nothing to skip.)"""
    from .autograd import enable_grad, no_grad

    return no_grad() if mode else enable_grad()


def rsqrt(input: Any) -> Tensor:
    """``1 / sqrt(x)`` elementwise (``torch.rsqrt``)."""
    root: Tensor = _as_tensor(input).sqrt()
    return 1 / root
