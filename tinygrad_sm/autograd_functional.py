"""Functions of functions, as ``torch.autograd.functional``: ``vjp``, ``jvp``, ``jacobian``, ``hessian``,
``hvp`` and ``vhp``, for functions of one tensor or of a tuple of tensors.

Everything is built on reverse mode (``tinygrad_sm.grad``), the only mode the engine has:

* ``vjp(f, x, v)`` is one backward pass: ``vᵀ J``.
* ``jvp(f, x, v)`` (``J v``, forward mode's product) uses the *double-VJP* construction: with a dummy
  cotangent ``u`` that requires grad, ``w(u) = J(x)ᵀ u`` is linear in ``u``, so the gradient of
  ``<w(u), v>`` with respect to ``u`` is ``J v``. It costs two reverse passes (the second through the
  graph of the first) instead of one forward-mode pass, and needs every op on the path to be
  differentiable twice; PyTorch's own ``torch.autograd.functional.jvp`` does the same.
* ``jacobian`` takes one VJP per output element (reverse mode: cheap for few outputs, many inputs).
* ``hessian(f, x)`` is the Jacobian of the gradient (``create_graph`` on the first pass); ``vhp`` is
  ``vᵀ H`` by a double backward; ``hvp`` is ``H v``, equal to ``vhp`` because ``H`` is symmetric for
  the twice-differentiable functions these are meant for (PyTorch computes it by double-VJP too).

With ``create_graph=True`` the results are part of a graph and can be differentiated again; otherwise
they are detached. ``strict=True`` raises when an output does not depend on an input (instead of
returning zeros for it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autograd import enable_grad, grad
from .tensor import Tensor

Inputs = Tensor | Sequence[Tensor]


def _as_tuple(value: Any, what: str) -> tuple[bool, tuple[Tensor, ...]]:
    """``(was_tuple, tensors)``; plain arrays and numbers become tensors."""
    if isinstance(value, (tuple, list)):
        return True, tuple(v if isinstance(v, Tensor) else Tensor(np.asarray(v)) for v in value)
    if value is None:
        return False, ()
    return False, (value if isinstance(value, Tensor) else Tensor(np.asarray(value)),)


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Fresh leaves that require grad (views of the caller's tensors), or, with ``create_graph``, the
    caller's tensors themselves when they require grad, so the result stays differentiable in them."""
    prepared = []
    for position, x in enumerate(inputs):
        if x.dtype.kind != "f":
            raise TypeError(f"input {position} must be floating point to be differentiated, got dtype {x.dtype}")
        if create_graph and x.requires_grad:
            prepared.append(x * 1)  # a non-leaf alias: gradients flow to it and through it to x
        else:
            prepared.append(Tensor._wrap(x._data).requires_grad_(True))
    return tuple(prepared)


def _call(func: Callable[..., Any], inputs: tuple[Tensor, ...]) -> tuple[bool, tuple[Tensor, ...]]:
    with enable_grad():
        outputs = func(*inputs)
    was_tuple, outputs = _as_tuple(outputs, "output")
    for position, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"output {position} of the function must be a Tensor, got {type(out).__name__}")
    return was_tuple, outputs


def _vectors(v: Any, like: tuple[Tensor, ...], what: str, role: str) -> tuple[Tensor, ...]:
    """The vectors ``v`` as a tuple checked against the shapes of ``like``; omitted, ones, allowed only
    when ``like`` is one single-element tensor (``role`` names it in the message)."""
    _, vectors = _as_tuple(v, "v")
    if not vectors:
        if len(like) != 1 or like[0]._data.size != 1:
            raise ValueError(f"{what}: v may be omitted only when the function {role} a single-element tensor")
        return (Tensor._wrap(np.ones(like[0].shape, dtype=like[0].dtype)),)
    if len(vectors) != len(like):
        raise ValueError(f"{what}: got {len(vectors)} vectors for {len(like)} tensors")
    for position, (vector, tensor) in enumerate(zip(vectors, like)):
        if vector.shape != tensor.shape:
            raise ValueError(f"{what}: vector {position} has shape {vector.shape}, its tensor has shape {tensor.shape}")
    return vectors


def _grads(
    outputs: Sequence[Tensor],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Any],
    create_graph: bool,
    strict: bool,
    what: str,
) -> tuple[Tensor, ...]:
    """``sum_k grad_outputs[k]ᵀ d outputs[k] / d inputs``, zeros (or an error, strict) where unreachable."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        found = grad(
            [o for o, _ in pairs],
            list(inputs),
            grad_outputs=[g for _, g in pairs],
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
        )
    else:
        found = (None,) * len(inputs)
    results = []
    for position, (g, x) in enumerate(zip(found, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{what}: the output does not depend on input {position} (strict=True)")
            g = Tensor._wrap(np.zeros(x.shape, dtype=x.dtype))
        results.append(g if create_graph else g.detach())
    return tuple(results)


def _finish(values: tuple[Tensor, ...], was_tuple: bool, create_graph: bool) -> Any:
    values = tuple(v if create_graph else v.detach() for v in values)
    return values if was_tuple else values[0]


def vjp(
    func: Callable[..., Any], inputs: Inputs, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ J)``: one reverse pass. ``v`` has the outputs' shapes; it may be omitted for
    a single-element output."""
    inputs_tuple, inputs = _as_tuple(inputs, "input")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs)
    vectors = _vectors(v, outputs, "vjp", "returns")
    products = _grads(outputs, inputs, vectors, create_graph, strict, "vjp")
    return _finish(outputs, outputs_tuple, create_graph), _finish(products, inputs_tuple, create_graph)


def jvp(
    func: Callable[..., Any], inputs: Inputs, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), J v)`` by the double-VJP construction (see the module docstring): two reverse
    passes. ``v`` has the inputs' shapes; it may be omitted for a single-element input."""
    _, inputs = _as_tuple(inputs, "input")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs)
    vectors = _vectors(v, inputs, "jvp", "takes")
    # the dummy cotangents: J(x)^T u is linear in u, so d<J^T u, v>/du = J v (u's value is irrelevant)
    dummies = tuple(Tensor._wrap(np.zeros(o.shape, dtype=o.dtype)).requires_grad_(True) for o in outputs)
    transposed = _grads(outputs, inputs, dummies, True, strict, "jvp")
    reached = [(t, vec) for t, vec in zip(transposed, vectors) if t.requires_grad]
    if reached:
        found = grad(
            [t for t, _ in reached],
            list(dummies),
            grad_outputs=[vec for _, vec in reached],
            create_graph=create_graph,
            allow_unused=True,
        )
    else:
        found = (None,) * len(dummies)
    products = tuple(Tensor._wrap(np.zeros(o.shape, dtype=o.dtype)) if p is None else p for p, o in zip(found, outputs))
    return _finish(outputs, outputs_tuple, create_graph), _finish(products, outputs_tuple, create_graph)


def jacobian(func: Callable[..., Any], inputs: Inputs, create_graph: bool = False, strict: bool = False) -> Any:
    """``J[i][j] = d outputs[i] / d inputs[j]``, each of shape ``outputs[i].shape + inputs[j].shape``,
    one VJP per output element. Nested as PyTorch: a Tensor for one input and one output, a tuple over
    inputs (or outputs), a tuple of tuples for both."""
    inputs_tuple, inputs = _as_tuple(inputs, "input")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs)
    blocks = []
    for out in outputs:
        rows: list[list[Tensor]] = [[] for _ in inputs]
        for i in range(out._data.size):
            unit = np.zeros(out._data.size, dtype=out.dtype)
            unit[i] = 1
            seeds = [
                Tensor._wrap(unit.reshape(out.shape)) if o is out else Tensor._wrap(np.zeros(o.shape, o.dtype))
                for o in outputs
            ]
            for position, g in enumerate(_grads(outputs, inputs, seeds, create_graph, strict, "jacobian")):
                rows[position].append(g)
        per_input = []
        for position, x in enumerate(inputs):
            if rows[position]:
                per_input.append(_stack_rows(rows[position], out.shape + x.shape, create_graph))
            else:
                per_input.append(Tensor._wrap(np.zeros(out.shape + x.shape, dtype=x.dtype)))
        blocks.append(tuple(per_input) if inputs_tuple else per_input[0])
    return tuple(blocks) if outputs_tuple else blocks[0]


def _stack_rows(rows: list[Tensor], shape: tuple[int, ...], create_graph: bool) -> Tensor:
    if create_graph:
        from .tensor import stack

        return stack(rows, axis=0).reshape(shape)
    return Tensor._wrap(np.stack([r._data for r in rows]).reshape(shape))


def hessian(func: Callable[..., Tensor], inputs: Inputs, create_graph: bool = False, strict: bool = False) -> Any:
    """The Hessian of a function with a single-element output: the Jacobian of its gradient. For a
    tuple of inputs, ``H[i][j]`` has shape ``inputs[i].shape + inputs[j].shape``."""
    inputs_tuple, inputs = _as_tuple(inputs, "input")

    def gradient(*xs: Tensor) -> tuple[Tensor, ...]:
        _, outputs = _call(func, xs)
        if len(outputs) != 1 or outputs[0]._data.size != 1:
            raise ValueError("hessian: the function must return a single-element tensor")
        seed = Tensor._wrap(np.ones(outputs[0].shape, dtype=outputs[0].dtype))
        return _grads(outputs, xs, [seed], True, strict, "hessian")

    full = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return full if inputs_tuple else full[0][0]


def vhp(
    func: Callable[..., Tensor], inputs: Inputs, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), vᵀ H)`` by a double backward (for a single-element output)."""
    inputs_tuple, inputs = _as_tuple(inputs, "input")
    inputs = _prepare(inputs, create_graph)
    _, outputs = _call(func, inputs)
    if len(outputs) != 1 or outputs[0]._data.size != 1:
        raise ValueError("vhp: the function must return a single-element tensor")
    vectors = _vectors(v, inputs, "vhp", "takes")
    seed = Tensor._wrap(np.ones(outputs[0].shape, dtype=outputs[0].dtype))
    gradients = _grads(outputs, inputs, [seed], True, strict, "vhp")
    products = _grads(gradients, inputs, vectors, create_graph, strict, "vhp")
    return _finish(outputs, False, create_graph), _finish(products, inputs_tuple, create_graph)


def hvp(
    func: Callable[..., Tensor], inputs: Inputs, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """``(func(inputs), H v)``. ``H`` is symmetric for twice continuously differentiable functions, so
    ``H v = (vᵀ H)ᵀ`` and this is ``vhp``'s double backward (the test checks it against ``hessian @ v``)."""
    return vhp(func, inputs, v, create_graph, strict)
