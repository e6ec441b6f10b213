"""The graph machinery: the op node, the grad-mode switches and reverse-mode differentiation.

Every primitive in ``ops.py`` subclasses [`Primitive`][tinygrad_sm.autograd.Primitive]. Calling
``SomeOp.apply(*tensors)`` runs its ``forward`` on the tensors' arrays and, when recording, makes the op
instance the output's node: it remembers the parent tensors (in argument order) and a stamp of the
logical clock. ``backward`` walks those nodes once, in reverse topological order, calling each node's
vector-Jacobian product exactly once.

What a node saves stays read-only while its graph lives ([`_saved`][tinygrad_sm._saved]), and
``detect_anomaly`` checks results for nan/inf ([`anomaly`][tinygrad_sm.anomaly]); both are re-exported here.
"""

from __future__ import annotations

import itertools
import operator
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

# (the saved-array guard and anomaly detection live in their own modules; their names are re-exported here)
from ._axes import AxisError
from ._saved import (  # noqa: F401
    SavedArray,
    _drain_pending,
    _freeze,
    _frozen_counts,
    _frozen_lock,
    _pending_thaw,
    _thaw,
    _thaw_later,
    _thaw_locked,
    frozen_count,
    ops_saving,
)
from .anomaly import AnomalyError, _check_finite, detect_anomaly  # noqa: F401

if TYPE_CHECKING:
    from .tensor import Tensor
else:
    Tensor = None  # set by tensor.py once the class exists (the modules import each other)


class _Mode(threading.local):
    """Per-thread switches: ``no_grad`` in one thread never turns recording off in another."""

    grad_enabled = True
    anomaly = False  # check backward results for nan/inf and remember where ops were created
    anomaly_forward = False  # also check forward results
    scope: tuple[str, ...] = ()  # names of the composites (softmax, cross_entropy) being evaluated
    tracer: Any = None  # the recorder of tinygrad_sm.compile while it traces a call (its trace module): the one hook


_mode = _Mode()


def is_grad_enabled() -> bool:
    return _mode.grad_enabled


class _GradModeContext:
    """Base for ``no_grad``/``enable_grad``: a context manager that also works as a decorator."""

    enabled: bool

    def __enter__(self) -> None:
        self._previous = _mode.grad_enabled
        _mode.grad_enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        _mode.grad_enabled = self._previous

    def __call__(self, func: Callable) -> Callable:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Within this block (or decorated function) no graph is recorded."""

    enabled = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` block."""

    enabled = True


class name_scope:
    """Tag the nodes recorded inside with ``name`` (nested scopes stack), so pictures can group the
    primitives of a composite such as ``cross_entropy`` into one labelled box."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self._previous = _mode.scope
        _mode.scope = self._previous + (self.name,)

    def __exit__(self, *exc: object) -> None:
        _mode.scope = self._previous


# One logical clock orders everything: it ticks for every recorded op (its ``stamp``, which is also a
# topological order: an op is always recorded after the ops that made its inputs) and for every in-place
# write through the Tensor API (the written tensor's ``_version``). A node is stale exactly when one of its
# tensors was written after the node's stamp; while no write happened after it, one comparison says so.
_clock = itertools.count(1)
_last_write = [0]


def bump_version(tensor: Tensor) -> None:
    tensor._version = _last_write[0] = next(_clock)


class Primitive:
    """One primitive op and, once recorded, one node of the graph.

    Subclasses define ``forward(self, *arrays, **params) -> ndarray`` and
    ``backward(self, grad, *inputs, out) -> tuple`` with one gradient (or None) per input.
    ``backward`` receives arrays normally and Tensors under ``create_graph=True``, so it must be
    written with operations both understand (operators, methods, NumPy functions that Tensor
    dispatches); what ``forward`` stores on ``self`` is treated as a constant.
    """

    __slots__ = ("__dict__", "forward_kwargs", "needs_grad", "parents", "released", "scope", "stamp", "trace")
    parents: tuple[Tensor, ...]  # set by ``apply`` when the op is recorded
    needs_grad: tuple[bool, ...]
    stamp: int
    released: bool
    trace: list[traceback.FrameSummary] | None
    scope: tuple[str, ...]
    forward_kwargs: dict[str, Any]  # the keyword arguments of forward, kept after release (see _revive)
    math: tuple[str, str] = ("", "")  # (forward, vector-Jacobian product) in LaTeX; g is the output's gradient
    differentiable_twice = True  # False: backward uses saved arrays that depend on the inputs
    frozen: tuple = ()  # the arrays this node holds read-only
    reads_inputs = True  # backward reads the input arrays: keep them read-only meanwhile
    reads_output = False  # backward reads the output array: likewise
    # a custom Function's node (custom_function.CustomNode) has several outputs (weak references): its
    # backward is called once, with the gradients of all of them
    outputs: tuple | None = None
    output_arrays: tuple[int, ...] = ()  # ids of those outputs' arrays, to recognise an output's older state

    @property
    def name(self) -> str:
        return type(self).__name__.lower()

    def forward(self, *arrays: Any, **params: Any) -> np.ndarray:  # Any: each op names its own arrays
        raise NotImplementedError

    def backward(self, grad: Any, *inputs: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *parents: Tensor, **params: Any) -> Tensor:
        op = cls()
        arrays = [p._data for p in parents]
        try:
            out_data = op.forward(*arrays, **params)
        except (ValueError, TypeError, IndexError) as error:  # name the op and the shapes, whatever NumPy said
            shapes = ", ".join(str(p.shape) for p in parents)
            kind = next(k for k in (AxisError, IndexError, ValueError, TypeError) if isinstance(error, k))
            raise kind(f"{op.name} (input shapes {shapes}): {error}") from None
        if type(out_data) is not np.ndarray:  # NumPy turns 0-d results into scalars; keep arrays
            out_data = np.asarray(out_data)
        mode = _mode
        if mode.anomaly_forward:
            _check_finite(op, out_data, "forward", parents)
        out = Tensor._wrap(out_data)
        if mode.grad_enabled:
            needs_grad = tuple([p.requires_grad for p in parents])
            if True in needs_grad:
                op.parents, op.needs_grad, op.stamp, op.scope = parents, needs_grad, next(_clock), mode.scope
                op.forward_kwargs = params  # lets the explorer rebuild what release() drops (tinygrad_sm._revive)
                op.released = False
                if cls.reads_inputs:
                    op.frozen = _freeze(arrays + [out_data] if cls.reads_output else arrays)
                elif cls.reads_output:
                    op.frozen = _freeze([out_data])
                op.trace = traceback.extract_stack()[:-2] if mode.anomaly else None
                out.requires_grad = True
                out._node = op
        if mode.tracer is not None:
            mode.tracer.on_apply(op, parents, params, out)
        return out

    def release(self) -> None:
        """Drop what forward stored for backward; a later backward through this node is an error, unless
        the node saved nothing (no input, output or array of its own: ``Add``, ``Sum``...), which PyTorch
        also lets a second backward pass through."""
        if self.frozen:
            _thaw(self.frozen)
            self.frozen = ()
        else:
            for value in self.__dict__.values():
                if type(value) is np.ndarray:
                    break
            else:
                return  # nothing saved, nothing to free: a second backward through this node is fine
        self.__dict__.clear()
        self.released = True

    def __del__(self) -> None:
        if self.frozen:  # a graph dropped without backward gives its arrays back too
            _thaw_later(self.frozen)

    def describe(self) -> str:
        shapes = ", ".join(str(p.shape) for p in self.parents)
        return f"'{self.name}' (input shapes {shapes})"


class GradExtras:
    """What a few tensors carry besides their value: ``retain_grad()`` and ``register_hook`` hooks."""

    __slots__ = ("hooks", "origin", "retain")

    def __init__(self) -> None:
        self.retain = False
        self.hooks: list[Callable[[Any], Any]] = []
        self.origin: Tensor | None = None  # the tensor this one shares its array with (.data, detach())


def extras_of(tensor: Tensor) -> GradExtras:
    if tensor._extras is None:
        tensor._extras = GradExtras()
    extras: GradExtras = tensor._extras
    return extras


def _run_hooks(tensor: Tensor, grad: Any, create_graph: bool) -> Any:
    """Apply ``tensor``'s hooks to its gradient (each sees a Tensor; a returned Tensor replaces it)."""
    extras = tensor._extras
    assert extras is not None  # the caller checked
    for hook in list(extras.hooks):
        result = hook(grad if isinstance(grad, Tensor) else Tensor._wrap(grad))
        if result is not None:
            result = result if isinstance(result, Tensor) else Tensor._wrap(np.asarray(result))
            if result.shape != tensor.shape:
                raise RuntimeError(
                    f"a hook on a tensor of shape {tensor.shape} returned a gradient of shape {result.shape}"
                )
            grad = result if create_graph else result._data
    return grad


def parents_as_of(node: Primitive) -> tuple:
    """``node.parents`` as they were when the node was recorded: a parent rebound by an in-place op
    since then (``c += 1`` on an intermediate) is replaced by its earlier state (``_previous``)."""
    parents = node.parents
    stamp = node.stamp
    for parent in parents:
        if parent._version > stamp and parent._previous is not None:
            break
    else:
        return parents
    resolved = []
    for parent in parents:
        while parent._version > stamp and parent._previous is not None:
            parent = parent._previous
        resolved.append(parent)
    return tuple(resolved)


def _reachable(roots: Iterable[Tensor]) -> tuple[list[Tensor], list[Tensor]]:
    """The tensors that need a gradient reachable from ``roots``: those made by a recorded op, consumers
    first (by descending stamp, see ``_clock``), and the leaves. Iterative, so a chain of 100,000 ops
    does not hit Python's recursion limit."""
    made, leaves = [], []
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        node = tensor._node
        if node is None:
            leaves.append(tensor)
        else:
            made.append(tensor)
            for parent in node.parents if node.stamp >= _last_write[0] else parents_as_of(node):
                if parent.requires_grad:
                    stack.append(parent)
    made.sort(key=_stamp_of, reverse=True)
    return made, leaves


_stamp_of = operator.attrgetter("_node.stamp")


def _check_versions(tensor: Tensor, node: Primitive, parents: Sequence[Tensor]) -> None:
    if node.released:
        raise RuntimeError(
            f"Trying to backward through the graph a second time: the buffers of op {node.describe()} "
            "were freed by an earlier backward. Pass retain_graph=True to the first backward call."
        )
    if node.outputs is not None:  # a custom Function: its saved tensors are checked by ctx.saved_tensors
        return
    # as PyTorch's version counters: only a value the op saved for backward matters (an op that does not
    # read its inputs, such as add, computes the same gradient whatever was written into them since)
    for position, parent in enumerate(parents if node.reads_inputs else ()):
        if parent._version > node.stamp:
            label = f" '{parent.name}'" if parent.name else ""
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: a tensor{label} of shape {parent.shape}, input {position} of op {node.describe()}, "
                "was modified in place after the op saved it for backward; the gradient would be wrong. "
                "Recompute the forward pass after the in-place update, or write the update out of place."
            )
    if tensor._version > node.stamp and node.reads_output:
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"the output of op {node.describe()}, which the op saved for backward, was modified in place after "
            "it was created; recompute the forward pass."
        )


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list | None:
    """Reverse-mode sweep from ``roots`` seeded with ``root_grads``.

    With ``inputs=None`` gradients accumulate into the ``.grad`` of the leaves reached; otherwise the
    gradients with respect to ``inputs`` are returned (None where unreachable) and ``.grad`` is untouched.
    Gradients are arrays, or Tensors recording their own graph when ``create_graph`` is set.
    """
    if _mode.tracer is not None and not _mode.tracer.refused:  # compile records this sweep (the same steps, written
        # down); once the trace is refused (a custom Function, say) the call just runs eagerly
        recorded: list | None = _mode.tracer.run_backward(roots, root_grads, retain_graph, create_graph, inputs)
        return recorded
    made, leaves = _reachable(roots)
    wanted = None if inputs is None else {id(t): i for i, t in enumerate(inputs)}
    results: list[Any] = [] if inputs is None else [None] * len(inputs)  # filled only when wanted
    grads: dict[int, Any] = {}
    owned: set[int] = set()  # ids of gradient buffers this sweep allocated, safe to add into in place
    for root, grad in zip(roots, root_grads):
        _accumulate(grads, owned, id(root), grad, create_graph)
    anomaly = _mode.anomaly
    previous_mode = _mode.grad_enabled
    _mode.grad_enabled = create_graph
    try:
        for tensor in made:
            grad = grads.pop(id(tensor), None)
            if grad is None:
                continue
            if tensor._extras is not None:  # hooks, retain_grad: a few tensors only
                grad = _run_hooks(tensor, grad, create_graph)
                if tensor._extras.retain and wanted is None:
                    _accumulate_leaf(tensor, grad, create_graph)
            if wanted is not None and id(tensor) in wanted:
                results[wanted[id(tensor)]] = grad
            node = tensor._node
            assert node is not None  # ``made`` holds non-leaves only
            if node.outputs is not None:
                grad = _gather_outputs(node, tensor, grad, grads, create_graph, wanted, results)
            parents = node.parents
            if node.released or node.stamp < _last_write[0]:
                parents = parents_as_of(node)
                _check_versions(tensor, node, parents)
            if create_graph:
                if not node.differentiable_twice:
                    raise RuntimeError(
                        f"op {node.describe()} has no double backward; use the composed "
                        "version of this function with create_graph=True"
                    )
                input_grads = node.backward(grad, *parents, tensor)
            else:
                input_grads = node.backward(grad, *[p._data for p in parents], tensor._data)
            if anomaly:
                _check_finite(node, tuple(input_grads), "backward", parents)
            for parent, needs, parent_grad in zip(parents, node.needs_grad, input_grads):
                if needs and parent_grad is not None:
                    if not create_graph and type(parent_grad) is not np.ndarray:
                        parent_grad = np.asarray(parent_grad)  # 0-d arithmetic gives NumPy scalars
                    if parent_grad.shape != parent._data.shape:
                        raise RuntimeError(
                            f"internal error: backward of op {node.describe()} returned a "
                            f"gradient of shape {parent_grad.shape} for an input of shape {parent.shape}"
                        )
                    key = id(parent)
                    if key in grads:
                        _accumulate(grads, owned, key, parent_grad, create_graph)
                    else:
                        grads[key] = parent_grad  # the first gradient is stored without a copy
            if not retain_graph:
                node.release()
    finally:
        _mode.grad_enabled = previous_mode
    for leaf in leaves:  # every contribution has arrived once all the ops ran
        grad = grads.pop(id(leaf), None)
        if grad is None:
            continue
        if leaf._extras is not None:
            grad = _run_hooks(leaf, grad, create_graph)
        if wanted is None:
            _accumulate_leaf(leaf, grad, create_graph)
        elif id(leaf) in wanted:
            results[wanted[id(leaf)]] = grad
    if inputs is not None:
        return [None if g is None else (g if isinstance(g, Tensor) else Tensor._wrap(g)) for g in results]
    return None


def _gather_outputs(
    node: Primitive, tensor: Tensor, grad: Any, grads: dict, create_graph: bool, wanted: Any, results: list
) -> tuple:
    """The gradients of all outputs of a several-output node, in order (None where none arrived). Every
    consumer of any output was recorded after the node, so all of them have run by now: the other outputs'
    gradients are complete, and are taken here (their hooks run, ``retain_grad`` and ``inputs=`` served)."""
    gathered = []
    assert node.outputs is not None
    for index, reference in enumerate(node.outputs):
        output = None if reference is None else reference()
        if output is tensor or (
            (output is None or output._node is not node) and node.output_arrays[index] == id(tensor._data)
        ):  # (or an older state of an output that an in-place op rebound since)
            gathered.append(grad)
            continue
        if output is None or output._node is not node:
            gathered.append(None)
            continue
        other = grads.pop(id(output), None)
        if other is not None and output._extras is not None:
            other = _run_hooks(output, other, create_graph)
            if output._extras.retain and wanted is None:
                _accumulate_leaf(output, other, create_graph)
        if other is not None and wanted is not None and id(output) in wanted:
            results[wanted[id(output)]] = other
        gathered.append(other)
    return tuple(gathered)


def _accumulate(grads: dict, owned: set, key: int, grad: Any, create_graph: bool) -> None:
    previous = grads.get(key)
    if previous is None:
        grads[key] = grad  # the first gradient is stored without a copy
    elif create_graph:
        grads[key] = previous + grad
    elif key in owned:
        np.add(previous, grad, out=previous)
    else:
        grads[key] = np.asarray(previous + grad)  # a fresh buffer: later contributions are added in place
        owned.add(key)


def _accumulate_leaf(leaf: Tensor, grad: Any, create_graph: bool) -> None:
    if not isinstance(grad, Tensor):
        if grad.dtype != leaf.dtype:  # a float32 parameter keeps a float32 gradient, as in PyTorch
            grad = grad.astype(leaf.dtype)
        grad = Tensor._wrap(grad)
    if leaf._grad is None:
        leaf._grad = grad
    elif create_graph:
        leaf._grad = leaf._grad + grad
    else:  # out of place across backward calls: .grad may share its array with another leaf
        leaf._grad = Tensor._wrap(leaf._grad._data + grad._data)


def backward(tensor: Tensor, gradient: Any = None, retain_graph: bool = False, create_graph: bool = False) -> None:
    """Accumulate d(tensor)/d(leaf) into every reachable leaf's ``.grad`` (see ``Tensor.backward``)."""
    if not tensor.requires_grad:
        raise RuntimeError(
            f"backward() called on a tensor of shape {tensor.shape} that does not require grad: "
            "no input of the computation had requires_grad=True (or it ran under no_grad)"
        )
    seed = _seed_gradient(tensor, gradient, create_graph)
    run_backward([tensor], [seed], retain_graph or create_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` (weighted by ``grad_outputs``) with respect to ``inputs``, as a tuple of
    Tensors; ``.grad`` is left alone. ``retain_graph`` defaults to ``create_graph``, as in PyTorch."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for position, tensor in enumerate(inputs):
        if not tensor.requires_grad:
            raise RuntimeError(f"input {position} (shape {tensor.shape}) does not require grad")
    for output in outputs:
        if not output.requires_grad:
            raise RuntimeError(f"an output of shape {output.shape} does not require grad")
    seeds = [_seed_gradient(out, g, create_graph) for out, g in zip(outputs, grad_outputs)]
    retain = create_graph if retain_graph is None else retain_graph
    results = run_backward(outputs, seeds, retain, create_graph, inputs=inputs)
    assert results is not None  # with ``inputs`` given, run_backward returns their gradients
    for position, result in enumerate(results):
        if result is None and not allow_unused:
            raise RuntimeError(
                f"input {position} (shape {inputs[position].shape}) is not reachable from the "
                "outputs; pass allow_unused=True to get None for it"
            )
    return tuple(results)


def _seed_gradient(tensor: Tensor, gradient: Any, create_graph: bool) -> Any:
    if gradient is None:
        if tensor._data.size != 1:
            raise RuntimeError(
                f"backward() without a gradient needs a scalar output, got shape {tensor.shape}; "
                "pass gradient= with the same shape (e.g. ones) or reduce with .sum() first"
            )
        # (np.array is 4x cheaper than np.ones, a Python-level function, for the usual 0-d loss)
        seed = np.array(1, dtype=tensor.dtype) if tensor.ndim == 0 else np.ones(tensor.shape, dtype=tensor.dtype)
    else:
        seed = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=tensor.dtype)
        if seed.shape != tensor.shape:
            raise ValueError(f"gradient has shape {seed.shape} but the output has shape {tensor.shape}")
        if create_graph and isinstance(gradient, Tensor):
            return gradient
    return Tensor._wrap(seed) if create_graph else seed


def __getattr__(name: str) -> Any:
    """PyTorch's user-facing names, defined above the Tensor floor (loaded on first use):
    ``Function`` (a custom op with a hand-written backward), ``once_differentiable``, ``FunctionCtx``,
    ``Variable`` (the deprecated alias), ``gradcheck`` and ``gradgradcheck``."""
    if name in ("Function", "FunctionCtx", "once_differentiable"):
        from . import custom_function

        return getattr(custom_function, name)
    if name in ("gradcheck", "gradgradcheck"):
        import importlib  # (the package's own ``gradcheck`` attribute is the function, not the module)

        return getattr(importlib.import_module(__name__.rsplit(".", 1)[0] + ".gradcheck"), name)
    if name == "Variable":
        from .introspection import Variable

        return Variable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
