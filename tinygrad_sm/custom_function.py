"""A learner's own op with a hand-written backward, as PyTorch writes it: ``tinygrad_sm.autograd.Function``.

```python
class LegendrePolynomial3(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):                      # runs under no_grad, on Tensors
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):           # gets and returns Tensors
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)

y = LegendrePolynomial3.apply(x)              # one node, y.grad_fn.name() == 'LegendrePolynomial3Backward'
```

``apply`` runs ``forward`` under ``no_grad`` and records one node of the graph (a
[`CustomNode`][tinygrad_sm.custom_function.CustomNode], which is also the ``ctx``) whose rule is the
user's ``backward``. The engine's own ops are [`Primitive`][tinygrad_sm.autograd.Primitive]s; the two
protocols share the graph but not their names. ``backward`` receives Tensors; under
``create_graph=True`` grad mode is on while it runs, so a backward written with Tensor ops is itself
differentiable (``gradgradcheck`` works), unless it is decorated with ``once_differentiable``.

PyTorch 2's style works too: a ``forward`` without ``ctx`` plus ``setup_context(ctx, inputs, output)``.
"""

from __future__ import annotations

import functools
import inspect
import traceback
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd as _autograd
from .autograd import Primitive, _clock, _mode, bump_version, is_grad_enabled, no_grad
from .ops._helpers import unbroadcast
from .tensor import Tensor

__all__ = ["CustomNode", "Function", "FunctionCtx", "once_differentiable"]


class CustomNode(Primitive):
    """One call of a custom ``Function``: the ``ctx`` its ``forward``/``backward`` see and, once recorded,
    the node of the graph every output points to (``outputs``: weak references, in order).

    What pictures and the explorer can read: ``function`` (the user's class), ``name`` (its name),
    ``doc`` (its docstring) and ``backward_source`` (the source of its ``backward``, when available).
    """

    differentiable_twice = True  # the user's backward is run with grad mode on under create_graph
    reads_inputs = False  # what backward needs is what the user saved (checked by version, below)

    def __init__(self, function: type[Function]) -> None:
        self.function = function
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._to_save: tuple[Tensor | None, ...] = ()
        self._non_differentiable: set[int] = set()
        self._dirty: set[int] = set()
        self.outputs: tuple | None = None  # set when recorded (the engine gathers their gradients)
        self._output_meta: list[tuple[tuple[int, ...], np.dtype] | None] = []  # None: not a Tensor output
        self._tensor_positions: frozenset[int] = frozenset()
        self._saved_versions: list[int] = []
        self._recorded_call: tuple[tuple, dict] | None = None  # set when recorded (the explorer re-runs it)

    # ------------------------------------------------------------ what PyTorch's ctx offers
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` for ``backward`` (read back as ``ctx.saved_tensors``); changing one of them in
        place before backward makes ``saved_tensors`` raise, as in PyTorch."""
        for position, value in enumerate(tensors):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"save_for_backward can only save tensors (or None), but argument {position} is of type "
                    f"{type(value).__name__}; keep other values as attributes of ctx (ctx.value = ...)"
                )
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if "_to_save" not in self.__dict__:
            raise RuntimeError(
                f"Trying to backward through the graph of {self.name} a second time (or to read its saved "
                "tensors after they were freed): pass retain_graph=True to the first backward call"
            )
        versions = self.__dict__.get("_saved_versions")
        if versions is not None:
            for position, (tensor, version) in enumerate(zip(self._to_save, versions)):
                if tensor is not None and tensor._version != version:
                    raise RuntimeError(
                        f"one of the tensors needed for gradient computation has been modified by an in-place "
                        f"operation: saved tensor {position} of {self.name}Backward (shape {tensor.shape}, dtype "
                        f"{tensor.dtype}) was changed after save_for_backward; recompute the forward pass after "
                        "the in-place update, or save a clone()"
                    )
        return tuple(self._to_save)

    saved_variables = saved_tensors  # (PyTorch's old spelling)

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """These outputs get no gradient (``requires_grad=False``); backward still receives a gradient
        for each of them: zeros, or None after ``set_materialize_grads(False)``."""
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """These inputs were modified in place by ``forward`` and are returned as outputs: the input
        tensor object becomes the output (its history moves onto this node), as in PyTorch."""
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """``True`` (default): an output that got no gradient passes zeros to ``backward``; ``False``: None."""
        self.materialize_grads = bool(value)

    # ------------------------------------------------------------ what the engine and the faces read
    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""

    @property
    def backward_source(self) -> str:
        try:
            return inspect.getsource(self.function.backward)
        except (OSError, TypeError):
            return ""

    def describe(self) -> str:
        shapes = ", ".join(str(p.shape) for p in self.parents)
        return f"'{self.name}' (custom Function, input shapes {shapes})"

    def release(self) -> None:
        if self.frozen:
            _autograd._thaw(self.frozen)
            self.frozen = ()
        if self._to_save:  # (a Function that saved nothing can be backpropagated through again, as in PyTorch)
            self.__dict__.pop("_to_save", None)
            self.__dict__.pop("_saved_versions", None)
            self.released = True

    def rebuild(self) -> bool:
        """After ``release()``: run the learner's ``forward`` again on the recorded call and keep what it
        saves, if it gives back the recorded outputs bit for bit (False, and nothing kept, if it does not,
        or if forward writes into its inputs: running it again would write again)."""
        call = self._recorded_call
        if call is None or self._dirty:
            return False
        args, kwargs = call
        again = CustomNode(self.function)
        again.needs_input_grad = self.needs_input_grad
        with no_grad():
            if _overrides_setup_context(self.function):
                output = self.function.forward(*args, **kwargs)
                self.function.setup_context(again, args, output)
            else:
                output = self.function.forward(again, *args, **kwargs)
        outputs = output if isinstance(output, tuple) else (output,)
        recorded = [ref() if ref is not None else None for ref in (self.outputs or ())]
        for value, before in zip(outputs, recorded):
            if before is None:
                continue
            if not isinstance(value, Tensor) or not np.array_equal(value._data, before._data, equal_nan=True):
                return False
        self._to_save = again._to_save
        self._saved_versions = [t._version if t is not None else 0 for t in again._to_save]
        self.released = False
        return True

    def backward(self, grads: tuple, *inputs: Any) -> tuple:  # type: ignore[override]
        """Call the user's ``backward`` once with one gradient per output (Tensors), and return one
        gradient per Tensor input, checked and summed to the input's shape."""
        if self.released:
            self.saved_tensors  # noqa: B018  (raises the second-backward message)
        if not isinstance(grads, tuple):  # called as a primitive's backward is (the pictures' own sweeps): one
            out = inputs[-1] if inputs else None  # output's gradient; the rule is linear in the gradients
            out_id = id(out._data if isinstance(out, Tensor) else out)
            index = next((k for k, key in enumerate(self.output_arrays) if key == out_id), 0)
            grads = tuple(grads if k == index else None for k in range(len(self._output_meta)))
        # the engine passes Tensors exactly under create_graph (and arrays otherwise, as the pictures' sweeps do)
        create_graph = any(isinstance(g, Tensor) for g in grads) if any(g is not None for g in grads) else False
        grad_outputs = []
        for grad, meta in zip(grads, self._output_meta):
            if grad is None and self.materialize_grads and meta is not None:  # (a non-Tensor output gets None)
                grad = np.zeros(*meta)
            if grad is not None and not isinstance(grad, Tensor):
                grad = Tensor._wrap(np.asarray(grad))
            grad_outputs.append(grad)
        if create_graph:
            result = self.function.backward(self, *grad_outputs)
        else:
            with no_grad():
                result = self.function.backward(self, *grad_outputs)
        result = result if isinstance(result, tuple) else (result,)
        expected = len(self.needs_input_grad)
        if len(result) < expected or any(g is not None for g in result[expected:]):
            raise RuntimeError(
                f"function {self.name}Backward returned an incorrect number of gradients (expected "
                f"{expected}, one per argument of forward, got {len(result)})"
            )
        input_grads: list[Any] = []
        tensor_positions = self._tensor_positions
        for position, value in enumerate(result[:expected]):
            if position not in tensor_positions:
                if value is not None:
                    raise RuntimeError(
                        f"function {self.name}Backward returned a gradient different from None at position "
                        f"{position}, but the corresponding argument of forward was not a Tensor"
                    )
                continue
            parent = self.parents[len(input_grads)]
            input_grads.append(None if value is None else self._checked(value, parent, position, create_graph))
        return tuple(input_grads)

    def _checked(self, value: Any, parent: Tensor, position: int, create_graph: bool) -> Any:
        tensor = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))
        if tensor.shape != parent.shape:
            try:
                if np.broadcast_shapes(tensor.shape, parent.shape) != tensor.shape:
                    raise ValueError
            except ValueError:
                raise RuntimeError(
                    f"function {self.name}Backward returned an invalid gradient at index {position}: got shape "
                    f"{tensor.shape} but expected shape {parent.shape} (or one it broadcasts to)"
                ) from None
            tensor = (
                unbroadcast(tensor, parent.shape)
                if create_graph
                else Tensor._wrap(np.asarray(unbroadcast(tensor._data, parent.shape)))
            )
        if tensor.dtype != parent.dtype:
            if tensor.dtype.kind not in "fiub":
                raise RuntimeError(
                    f"function {self.name}Backward returned a gradient of dtype {tensor.dtype} at index {position}"
                )
            tensor = tensor.astype(parent.dtype) if create_graph else Tensor._wrap(tensor._data.astype(parent.dtype))
        return tensor if create_graph else tensor._data


FunctionCtx = CustomNode  # the type of ``ctx`` (PyTorch's name)


def _overrides_setup_context(cls: type) -> bool:
    return getattr(cls, "setup_context", None) is not Function.setup_context


class Function:
    """Base class of a user's op with a hand-written backward (PyTorch's ``torch.autograd.Function``).

    Subclasses define ``@staticmethod forward(ctx, *args, **kwargs)`` and ``@staticmethod
    backward(ctx, *grad_outputs)`` returning one gradient per argument of ``forward`` (None for
    non-Tensor arguments and inputs that need none), and are called through ``Cls.apply(*args)``. Or
    ``forward(*args)`` without ctx plus ``setup_context(ctx, inputs, output)``, as PyTorch 2.

    Deliberate difference: ``tinygrad_sm.compile`` does not replay a custom Function; a traced call that
    uses one runs eagerly, with a warning naming the class.
    """

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a custom Function must define a static forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a custom Function must define a static backward(ctx, *grad_outputs)")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        raise NotImplementedError("setup_context is not defined")

    vjp = backward  # (PyTorch's alias)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            f"{type(self).__name__} is a custom autograd Function: call it as {type(self).__name__}.apply(...), "
            "not by making an instance"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        if _mode.tracer is not None:  # tinygrad_sm.compile cannot replay the user's rule: this call runs eagerly
            _mode.tracer.refuse(f"a custom autograd.Function ({cls.__name__}), which compile does not replay")
        ctx = CustomNode(cls)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        # (for mark_dirty: an input's state before forward writes into it, and whether a graph saved its array)
        before = {id(a): (a._version, _autograd.frozen_count(a._data) > 0) for a in args if isinstance(a, Tensor)}
        with no_grad():
            if _overrides_setup_context(cls):
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        outputs = output if isinstance(output, tuple) else (output,)
        recording = is_grad_enabled() and any(ctx.needs_input_grad)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        parents = [args[i] for i in positions]
        results = []
        for value in outputs:
            if isinstance(value, Tensor) and id(value) not in ctx._dirty:
                if any(value is a for a in parents) or value._node is not None:  # an input returned: a new tensor
                    value = Tensor._wrap(value._data)
            results.append(value)
        if recording:
            _record(ctx, cls, parents, positions, outputs, results, before)
            ctx._recorded_call = (args, kwargs)  # what the explorer re-runs to show this node after backward()
        if ctx._to_save:
            ctx._saved_versions = [t._version if t is not None else 0 for t in ctx._to_save]
        if recording and ctx._to_save:
            ctx.frozen = _autograd._freeze([t._data for t in ctx._to_save if t is not None])
        return tuple(results) if isinstance(output, tuple) else results[0]


def _record(
    ctx: CustomNode, cls: type, parents: list, positions: list, outputs: tuple, results: list, before: dict
) -> None:
    """Make ``ctx`` the node of every differentiable output (and of every dirty input, rebound in place)."""
    for index, value in enumerate(outputs):
        if isinstance(value, Tensor) and id(value) in ctx._dirty:
            if value._node is None and value.requires_grad:
                raise RuntimeError(
                    f"{cls.__name__}: a leaf tensor that requires grad (shape {value.shape}) was modified in place "
                    "by forward (mark_dirty); in-place changes of such a leaf are refused"
                )
            old = Tensor._wrap(value._data)  # the input as it was: earlier ops keep seeing this state
            version, saved = before.get(id(value), (value._version, True))
            old.requires_grad, old._node, old._previous, old.name = (
                value.requires_grad,
                value._node,
                value._previous,
                value.name,
            )
            # an array no graph saved: the ops recorded before see the state they made (the write was forward's
            # own, declared by mark_dirty); one a graph saved keeps the bumped version, so that graph refuses
            old._version = value._version if saved else version
            parents[:] = [old if p is value else p for p in parents]
            bump_version(value)
            value._previous = old
            results[index] = value
    ctx.parents = tuple(parents)
    ctx.needs_grad = tuple(p.requires_grad for p in parents)
    ctx._tensor_positions = frozenset(positions)
    ctx.stamp = next(_clock)
    ctx.scope = _mode.scope
    ctx.released = False
    ctx.trace = traceback.extract_stack()[:-3] if _mode.anomaly else None
    refs: list[weakref.ref | None] = []
    meta: list[tuple[tuple[int, ...], np.dtype] | None] = []
    for value in results:
        if not isinstance(value, Tensor):
            refs.append(None)
            meta.append(None)
            continue
        meta.append((value.shape, value.dtype))
        marked = id(value) in ctx._non_differentiable or id(outputs[len(refs)]) in ctx._non_differentiable
        if marked or value.dtype.kind != "f":  # (integer outputs carry no gradient, as in PyTorch)
            refs.append(None)
        else:
            value.requires_grad = True
            value._node = ctx
            refs.append(weakref.ref(value))
    ctx._output_meta = meta
    ctx.outputs = tuple(refs)
    ctx.output_arrays = tuple(id(v._data) if isinstance(v, Tensor) else 0 for v in results)


def once_differentiable(backward: Callable) -> Callable:
    """Decorate a custom Function's ``backward`` that is written with NumPy or otherwise not
    differentiable: it runs without recording, and differentiating its result again (a second
    derivative through ``create_graph=True``) raises instead of giving a silently wrong answer."""

    @functools.wraps(backward)
    def wrapper(ctx: CustomNode, *grad_outputs: Any) -> Any:
        recording = is_grad_enabled()
        with no_grad():
            result = backward(ctx, *grad_outputs)
        if not recording:
            return result
        single = not isinstance(result, tuple)
        wrapped = tuple(_delayed_error(ctx, value) for value in ((result,) if single else result))
        return wrapped[0] if single else wrapped

    wrapper.once_differentiable = True  # type: ignore[attr-defined]
    return wrapper


class OnceDifferentiableError(Primitive):
    """The node of a gradient computed by a ``once_differentiable`` backward: differentiating it raises."""

    reads_inputs = False
    function_name = ""

    def backward(self, grad: Any, *inputs: Any) -> tuple:
        raise RuntimeError(
            f"trying to differentiate twice a function that was marked with @once_differentiable "
            f"({self.function_name}); write its backward with Tensor ops to get second derivatives"
        )


def _delayed_error(ctx: CustomNode, value: Any) -> Any:
    if value is None:
        return None
    tensor = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))
    sources = tuple(p for p in ctx.parents if p.requires_grad)
    if not sources or tensor.dtype.kind != "f":
        return tensor
    node = OnceDifferentiableError()
    node.function_name = ctx.name
    node.parents, node.needs_grad = sources, (True,) * len(sources)
    node.stamp, node.scope, node.released, node.trace = next(_clock), _mode.scope, False, None
    out = Tensor._wrap(tensor._data)
    out.requires_grad, out._node = True, node
    return out
