"""Looking at the graph as PyTorch shows it: ``grad_fn`` nodes with ``name()`` and ``next_functions``
(``AccumulateGrad`` for leaves, with ``.variable``), ``Size`` (what ``t.size()`` returns), and the legacy
spellings older tutorials still use: ``Variable(t)`` and the typed constructors (``FloatTensor``...).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .autograd import Primitive
from .tensor import Tensor
from .tensor_repr import _backward_name

__all__ = ["AccumulateGrad", "DoubleTensor", "FloatTensor", "GradFn", "LongTensor", "Size", "Variable"]


class Size(tuple):
    """A tensor's shape as ``t.size()`` returns it: a tuple of ints (PyTorch's ``torch.Size``)."""

    def numel(self) -> int:
        count = 1
        for side in self:
            count *= int(side)
        return count

    def __repr__(self) -> str:
        return f"tinygrad_sm.Size([{', '.join(str(int(side)) for side in self)}])"

    def __getitem__(self, index: Any) -> Any:
        value = tuple.__getitem__(self, index)
        return Size(value) if isinstance(index, slice) else value


class GradFn:
    """The node that made a tensor (``t.grad_fn``), as PyTorch shows it. ``name()`` is
    ``'<Op>Backward0'`` for the engine's primitives (``MulBackward0``, ``ReluBackward0``) and ``'<Class>Backward'`` for a
    custom Function; ``next_functions`` holds one ``(node, 0)`` pair per input: the node that made it, an
    ``AccumulateGrad`` for a leaf that requires grad, or ``(None, 0)``. Other attributes (a custom
    Function's ``ctx`` attributes, ``parents``...) are the node's own."""

    __slots__ = ("_node",)

    def __new__(cls, node: Primitive) -> GradFn:
        # an instance of a subclass named as the node: type(t.grad_fn).__name__ == 'MulBackward0', as PyTorch
        if cls is GradFn:
            name = _backward_name(node)
            cls = _NAMED.get(name) or _NAMED.setdefault(name, type(name, (GradFn,), {"__slots__": ()}))
        return object.__new__(cls)

    def __init__(self, node: Primitive) -> None:
        self._node = node

    def name(self) -> str:
        return _backward_name(self._node)  # (one spelling for the repr and grad_fn.name())

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        pairs: list[tuple[Any, int]] = []
        for parent in getattr(self._node, "parents", ()):
            pairs.append(_edge(parent))
        return tuple(pairs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._node, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradFn) and other._node is self._node

    def __hash__(self) -> int:
        return id(self._node)

    def __call__(self, *grads: Any) -> Any:
        raise RuntimeError("calling a grad_fn node directly is not supported; use tinygrad_sm.autograd.grad")

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


_NAMED: dict[str, type] = {}  # node name -> its GradFn subclass


def _edge(parent: Tensor) -> tuple[Any, int]:
    if parent._node is not None:
        node = parent._node
        index = 0
        if node.outputs is not None:
            for position, reference in enumerate(node.outputs):
                if reference is not None and reference() is parent:
                    index = position
        return GradFn(node), index
    if parent.requires_grad:
        return AccumulateGrad(parent), 0
    return None, 0


class AccumulateGrad:
    """The sink of a leaf that requires grad in ``next_functions``; ``variable`` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    next_functions: tuple = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad object>"


def grad_fn_of(tensor: Tensor) -> GradFn | None:
    return None if tensor._node is None else GradFn(tensor._node)


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """Deprecated alias kept for old tutorials: returns ``data`` as a Tensor (the same object when it is
    one), with ``requires_grad`` set when asked, as PyTorch does since 0.4."""
    warnings.warn(
        "Variable is deprecated: Tensors do autograd themselves; use the tensor directly "
        "(tg.tensor(data, requires_grad=True))",
        DeprecationWarning,
        stacklevel=2,
    )
    if volatile:
        raise ValueError("Variable(volatile=True) was removed in PyTorch 0.4; use `with tg.no_grad():`")
    tensor = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


class _LegacyTensorType(type):
    """The type of ``FloatTensor``, ``LongTensor``...: calling one builds a tensor of its dtype; as PyTorch,
    ``isinstance(t, tg.FloatTensor)`` asks for that dtype and ``t.type(tg.FloatTensor)`` casts to it."""

    legacy_dtype: np.dtype

    def __call__(cls, *args: Any) -> Tensor:  # type: ignore[override]
        """``FloatTensor(sizes...)`` (uninitialised: zeros here) or ``FloatTensor(data)`` (legacy)."""
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            value = args[0]
            return Tensor(value._data if isinstance(value, Tensor) else value, dtype=cls.legacy_dtype)
        if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            raise TypeError(f"{cls.__name__}() takes sizes (ints) or one sequence of values, got {args!r}")
        return Tensor(np.zeros(tuple(int(a) for a in args), dtype=cls.legacy_dtype))

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.legacy_dtype


def _typed(name: str, dtype: Any) -> Any:
    return _LegacyTensorType(name, (), {"legacy_dtype": np.dtype(dtype), "__module__": __name__})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
BoolTensor = _typed("BoolTensor", np.bool_)
