"""The primitives: every op with a derivative of its own, forward and backward side by side.

This is the only module that writes derivative rules. ``forward`` works on NumPy arrays;
``backward(grad, *inputs, out)`` returns one gradient per input (None where there is none). Under
``create_graph=True`` the engine passes Tensors instead of arrays, and because the rules use only
operators, methods and NumPy functions that Tensor dispatches back to these primitives, the same
lines then record a graph of their own: that is how gradients of gradients work.

Broadcasting is undone in one place, [`unbroadcast`][tinygrad_sm.ops.unbroadcast].
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import Function


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it has ``shape``."""
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(leading + i for i, n in enumerate(shape) if n == 1 and grad.shape[leading + i] != 1)
    if not stretched:  # only leading axes were added (a bias row): summing them away leaves ``shape``
        return grad.sum(axis=tuple(range(leading)))
    return grad.sum(axis=tuple(range(leading)) + stretched, keepdims=True).reshape(shape)


def max_keepdims(x: np.ndarray, axis: int) -> np.ndarray:
    """``x.max(axis=axis, keepdims=True)``, the same values, faster for many short rows."""
    if x.ndim == 2 and axis in (1, -1) and x.shape[0] >= 256 and 1 < x.shape[1] <= 32:
        # NumPy reduces a short contiguous last axis row by row (46 us for (1024, 10) logits); an
        # elementwise max across the columns is exact too (max does not round; nan propagates) and 4x faster
        result = x[:, :1].copy()
        for column in range(1, x.shape[1]):
            np.maximum(result, x[:, column:column + 1], out=result)
        return result
    return x.max(axis=axis, keepdims=True)


def _forward_or_record(op: type[Function], value: Any, **params: Any) -> Any:
    """Run a primitive on an array directly, or record it when ``value`` is a Tensor (create_graph)."""
    if isinstance(value, np.ndarray):
        return op().forward(value, **params)
    return op.apply(value, **params)


def _require_numeric(name: str, *arrays: np.ndarray) -> None:
    for array in arrays:
        if array.dtype.kind not in "fiu":
            raise TypeError(f"{name} expects a numeric (integer or floating point) tensor, got dtype {array.dtype}")


# ---------------------------------------------------------------- elementwise, two inputs

class Add(Function):
    reads_inputs = False
    def forward(self, a, b):
        return a + b

    def backward(self, grad, a, b, out):
        return (unbroadcast(grad, a.shape) if self.needs_grad[0] else None,
                unbroadcast(grad, b.shape) if self.needs_grad[1] else None)


class Sub(Function):
    reads_inputs = False
    def forward(self, a, b):
        return a - b

    def backward(self, grad, a, b, out):
        return (unbroadcast(grad, a.shape) if self.needs_grad[0] else None,
                unbroadcast(-grad, b.shape) if self.needs_grad[1] else None)


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, grad, a, b, out):
        return (unbroadcast(grad * b, a.shape) if self.needs_grad[0] else None,
                unbroadcast(grad * a, b.shape) if self.needs_grad[1] else None)


class Div(Function):
    reads_output = True
    def forward(self, a, b):
        return a / b

    def backward(self, grad, a, b, out):
        grad_a = grad / b                                 # d(a/b)/da = 1/b
        return (unbroadcast(grad_a, a.shape),
                unbroadcast(-grad_a * out, b.shape) if self.needs_grad[1] else None)  # d/db = -(a/b)/b


class Pow(Function):
    reads_output = True
    def forward(self, base, exponent):
        _require_numeric("pow", base, exponent)
        return base ** exponent

    def backward(self, grad, base, exponent, out):
        return (unbroadcast(grad * exponent * base ** (exponent - 1), base.shape) if self.needs_grad[0] else None,
                unbroadcast(grad * out * np.log(base), exponent.shape) if self.needs_grad[1] else None)


class Maximum(Function):
    """Elementwise max; where ``a == b`` the gradient is split evenly (0.5 each), as for ``max``."""
    reads_inputs = False

    def forward(self, a, b):
        out = np.maximum(a, b)
        self.weight_a = (a > b) + 0.5 * (a == b).astype(out.dtype)  # constant: the choice is piecewise fixed
        return out

    def backward(self, grad, a, b, out):
        return (unbroadcast(grad * self.weight_a, a.shape),
                unbroadcast(grad * (1 - self.weight_a), b.shape))


class Where(Function):
    """``where(condition, a, b)``; the condition is a constant boolean array, not an input."""
    reads_inputs = False

    def forward(self, a, b, condition):
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad, a, b, out):
        # np.where rather than grad * mask, so an inf in the unselected branch's gradient cannot become nan
        return (unbroadcast(np.where(self.condition, grad, 0), a.shape),
                unbroadcast(np.where(self.condition, 0, grad), b.shape))


# ---------------------------------------------------------------- elementwise, one input

class Neg(Function):
    reads_inputs = False
    def forward(self, x):
        return -x

    def backward(self, grad, x, out):
        return (-grad,)


class Exp(Function):
    reads_inputs, reads_output = False, True
    def forward(self, x):
        _require_numeric("exp", x)
        return np.exp(x)

    def backward(self, grad, x, out):
        return (grad * out,)                             # d e^x = e^x


class Log(Function):
    def forward(self, x):
        _require_numeric("log", x)
        return np.log(x)

    def backward(self, grad, x, out):
        return (grad / x,)


class Sqrt(Function):
    reads_inputs, reads_output = False, True
    def forward(self, x):
        _require_numeric("sqrt", x)
        return np.sqrt(x)

    def backward(self, grad, x, out):
        return (grad / (out * 2),)


class ReLU(Function):
    """``max(x, 0)``; its gradient at exactly 0 is 0, as in PyTorch."""
    reads_inputs, reads_output = False, True

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, grad, x, out):
        return (grad * (np.asarray(out) > 0),)


class Sigmoid(Function):
    """``1 / (1 + e^-x)``, evaluated as ``e^-|x| / (1 + e^-|x|)`` for negative x so it never overflows."""
    reads_inputs, reads_output = False, True

    def forward(self, x):
        _require_numeric("sigmoid", x)
        small = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + small), small / (1 + small)).astype(small.dtype, copy=False)

    def backward(self, grad, x, out):
        return (grad * out * (1 - out),)                 # s' = s (1 - s)


class Tanh(Function):
    reads_inputs, reads_output = False, True
    def forward(self, x):
        _require_numeric("tanh", x)
        return np.tanh(x)

    def backward(self, grad, x, out):
        return (grad * (1 - out * out),)


class Cast(Function):
    reads_inputs = False
    def forward(self, x, dtype):
        return x.astype(dtype)

    def backward(self, grad, x, out):
        return (grad.astype(x.dtype),)


# ---------------------------------------------------------------- reductions

def _normalize_axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, without the general checks
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(a) % max(ndim, 1))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"repeated axis in {axis}")
    return tuple(normalized)


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    reads_inputs = False
    def forward(self, x, axis=None, keepdims=False):
        self.axes = _normalize_axes(axis, x.ndim)
        self.keepdims = keepdims
        return np.asarray(x.sum(axis=self.axes, keepdims=keepdims))

    def backward(self, grad, x, out, scale=None):
        if not self.keepdims and grad.ndim:  # a 0-d gradient (a full reduction) broadcasts as it is
            grad = grad.reshape(_kept_shape(x.shape, self.axes))
        if isinstance(grad, np.ndarray):  # np.broadcast_to's Python wrapper costs more than this copy
            full = np.empty(x.shape, dtype=grad.dtype)
            if scale is None:
                np.copyto(full, grad)
            else:
                np.multiply(grad, scale, out=full)  # the mean's 1/count, applied while broadcasting
            return (full,)
        return (np.broadcast_to(grad if scale is None else grad * scale, x.shape),)


class Mean(Sum):
    """Mean over ``axis``: the sum divided by ``count``, the number of elements averaged; its gradient
    is the sum's, divided by ``count``. (One node instead of a sum and a division.)"""

    def forward(self, x, axis=None, keepdims=False):
        total = super().forward(x, axis, keepdims)
        count = x.size // max(total.size, 1)
        self.scale = 1 / count if count else np.nan  # an empty x has a nan mean, as in NumPy
        return np.asarray(total * self.scale if total.dtype.kind == "f" else total / count)

    def backward(self, grad, x, out):
        return super().backward(grad, x, out, scale=self.scale)


class Max(Function):
    """Max over ``axis``. Tied maxima share the gradient evenly (each of k ties gets 1/k), so the
    gradient is a valid subgradient and sums to the upstream gradient, like the mean of the ties."""
    reads_inputs = False

    def forward(self, x, axis=None, keepdims=False):
        axes = _normalize_axes(axis, x.ndim)
        kept = x.max(axis=axes, keepdims=True)
        weight = (x == kept).astype(x.dtype if x.dtype.kind == "f" else np.float64)
        weight /= weight.sum(axis=axes, keepdims=True)
        self.weight, self.kept_shape = weight, kept.shape
        return kept if keepdims else kept.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    def backward(self, grad, x, out):
        return (grad.reshape(self.kept_shape) * self.weight,)


# ---------------------------------------------------------------- linear algebra

class Matmul(Function):
    """``a @ b`` with NumPy's rules: 1-D operands are promoted and leading dimensions broadcast."""

    def forward(self, a, b):
        try:
            return np.matmul(a, b)
        except ValueError:  # explain in the course's terms what NumPy refused
            if a.ndim == 0 or b.ndim == 0:
                raise ValueError(f"both operands need at least one dimension, got shapes {a.shape} and {b.shape}") from None
            inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
            if inner_a != inner_b:
                raise ValueError(f"shapes {a.shape} and {b.shape} are not aligned: "
                                 f"{inner_a} (last dim of the left) != {inner_b} (row dim of the right)") from None
            raise

    def backward(self, grad, a, b, out):
        if a.ndim == 2 and b.ndim == 2:
            grad_a = grad @ b.T if self.needs_grad[0] else None
            if not self.needs_grad[1]:
                return grad_a, None
            # a batch of one: the outer product by broadcasting is several times faster than BLAS's rank-1 gemm
            grad_b = a.T * grad if a.shape[0] == 1 else a.T @ grad
            return grad_a, grad_b
        # promote 1-D operands to matrices, as matmul does, then undo it
        a2 = a.reshape(1, a.shape[0]) if a.ndim == 1 else a
        b2 = b.reshape(b.shape[0], 1) if b.ndim == 1 else b
        grad2 = grad
        if a.ndim == 1:
            grad2 = grad2.reshape(grad2.shape[:-1] + (1,) + grad2.shape[-1:])
        if b.ndim == 1:
            grad2 = grad2.reshape(grad2.shape + (1,))
        grad_a = grad_b = None
        if self.needs_grad[0]:
            grad_a = unbroadcast(grad2 @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            grad_b = unbroadcast(a2.swapaxes(-1, -2) @ grad2, b2.shape).reshape(b.shape)
        return grad_a, grad_b


# ---------------------------------------------------------------- shape and movement

class Reshape(Function):
    reads_inputs = False
    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, grad, x, out):
        return (grad.reshape(x.shape),)


class Permute(Function):
    reads_inputs = False
    def forward(self, x, axes):
        self.inverse = tuple(np.argsort(axes))
        return x.transpose(axes)

    def backward(self, grad, x, out):
        return (grad.transpose(self.inverse),)


class Expand(Function):
    """Broadcast to ``shape`` (a read-only view, no copy)."""
    reads_inputs = False

    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, grad, x, out):
        return (unbroadcast(grad, x.shape),)


def _is_basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _scatter_add(full: np.ndarray, index: Any, values: np.ndarray) -> None:
    """``np.add.at(full, index, values)``: repeated positions accumulate."""
    if values.size > 256 and isinstance(index, tuple) and len(index) == full.ndim and all(
            isinstance(part, np.ndarray) and part.dtype.kind in "iu" for part in index):
        # one integer array per axis, as in logits[np.arange(n), labels]: for many entries add.at through
        # flat positions is about twice as fast as through the tuple (for a few, the conversion costs more)
        try:
            positions = np.ravel_multi_index(index, full.shape)
        except (ValueError, TypeError):  # negative entries (or uint64): left to the general form below
            pass
        else:
            np.add.at(full.reshape(-1), positions, values)
            return
    np.add.at(full, index, values)


class GetItem(Function):
    """``x[index]`` with basic or advanced indexing; an index repeated k times receives k gradients."""
    reads_inputs = False

    def forward(self, x, index):
        self.index = index
        return np.asarray(x[index])

    def backward(self, grad, x, out):
        return (_forward_or_record(ScatterAdd, grad, shape=x.shape, index=self.index),)


class ScatterAdd(Function):
    """``zeros(shape)`` with ``values`` added at ``index`` (repeats accumulate): the adjoint of GetItem."""
    reads_inputs = False

    def forward(self, values, shape, index):
        self.index = index
        full = np.zeros(shape, dtype=values.dtype)
        if _is_basic_index(index):
            full[index] = values                       # basic indexing never repeats an element
        else:
            _scatter_add(full, index, values)
        return full

    def backward(self, grad, values, out):
        return (_forward_or_record(GetItem, grad, index=self.index),)


class Concatenate(Function):
    reads_inputs = False
    def forward(self, *arrays, axis=0):
        if not -arrays[0].ndim <= axis < arrays[0].ndim:
            raise ValueError(f"axis {axis} is out of range for tensors with {arrays[0].ndim} dimensions")
        self.axis = axis % arrays[0].ndim
        self.bounds = np.cumsum([0] + [a.shape[self.axis] for a in arrays]).tolist()
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, grad, *inputs_and_out):
        lead = (slice(None),) * self.axis
        return tuple(grad[lead + (slice(start, stop),)] for start, stop in zip(self.bounds, self.bounds[1:]))


# ---------------------------------------------------------------- a fused fast path

class SoftmaxCrossEntropy(Function):
    """Fused mean cross-entropy of ``logits`` (n, m) against integer ``targets`` (n,), or against
    probability rows (n, m). Backward is the hand-derived ``(p - onehot(y)) / n``, not autograd.
    ``row_max`` (n, 1) passes the logits' row maxima when the caller has computed them already."""
    reads_inputs = False
    differentiable_twice = False   # the saved probabilities depend on the logits

    def forward(self, logits, targets, row_max=None):
        shifted = logits - (max_keepdims(logits, axis=1) if row_max is None else row_max)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        log_total = np.log(total)
        n = logits.shape[0]
        exp /= total
        self.probs, self.targets = exp, targets
        if targets.ndim == 1:
            picked = shifted[np.arange(n), targets]
            return np.asarray((log_total.sum() - picked.sum()) / n, dtype=logits.dtype)
        return np.asarray(-(targets * (shifted - log_total)).sum() / n, dtype=logits.dtype)

    def backward(self, grad, logits, out):
        delta = self.probs.copy()                        # a copy: retain_graph may call backward again
        n = delta.shape[0]
        if self.targets.ndim == 1:
            delta[np.arange(n), self.targets] -= 1
        else:
            delta -= self.targets
        delta *= grad / n
        return (delta,)
