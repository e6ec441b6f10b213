"""The backward sweep under a trace: ``autograd.run_backward``'s steps for ``.backward()``, each one
also written down (the seed, every node's vector-Jacobian product, the additions where a tensor was
used twice, the accumulation into ``.grad``). A mixin of ``trace.Tracer``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import autograd
from ..tensor import Tensor
from .ir import Line, Refused, Var, _plain_math


class BackwardRecorder:
    """The part of ``Tracer`` that records ``run_backward`` (the engine hands the whole sweep over)."""

    if TYPE_CHECKING:  # what the mixin uses of ``Tracer`` (defined there)
        vars: dict[int, Var]
        lines: list[Line]
        templated: dict[int, tuple]
        ops: dict[int, str]
        refused: str | None
        cleared: set[int]
        grad_none_guard: set[int]
        _bind: Callable[[Any, Var], Var]
        emit: Callable[..., None]
        const: Callable[..., str]
        refuse: Callable[[str], None]
        holder: Callable[[Tensor], str]
        grad_var: Callable[[Tensor], Var]
        tensor_var: Callable[[Tensor, str], Var | str]
        _emit_template: Callable[[list, dict, str, str], None]

    def run_backward(self, roots: list, root_grads: list, retain_graph: bool, create_graph: bool, inputs: Any) -> None:
        """``autograd.run_backward`` for ``.backward()``, step by step, each step also written down."""
        if create_graph:
            raise RuntimeError(
                "tinygrad_sm.compile: create_graph=True inside a compiled function is not supported; "
                "call the function without compile for higher-order gradients"
            )
        if inputs is not None:
            raise RuntimeError(
                "tinygrad_sm.compile: tinygrad_sm.grad(...) inside a compiled function is not "
                "supported; use loss.backward() and read .grad"
            )
        made, leaves = autograd._reachable(roots)
        grads: dict[int, tuple[Any, Any]] = {}
        owned: set[int] = set()
        for root, seed in zip(roots, root_grads):
            var = self.vars.get(id(seed))
            if var is None:
                var = self._bind(seed, Var("grad", grad_of=self.vars.get(id(root._data))))
                maker = (
                    f"_np.array(1, dtype={self.const(seed.dtype, 'dtype')})"
                    if seed.ndim == 0
                    else f"_np.ones({seed.shape!r}, dtype={self.const(seed.dtype, 'dtype')})"
                )
                if not (seed == 1).all():
                    self.refuse("backward(gradient=...) with an array the trace cannot place")
                self.emit("{} = " + maker, [var], "the seed: d loss / d loss = 1", kind="backward")
            self._accumulate(grads, owned, id(root), var, seed)
        for tensor in made:
            entry = grads.pop(id(tensor), None)
            if entry is None:
                continue
            grad_var, grad = entry
            node = tensor._node
            assert node is not None  # ``made`` holds non-leaves only
            if tensor._extras is not None:
                self.refuse("a hook or retain_grad() on a tensor inside the compiled function")
            if node.released or node.stamp < autograd._last_write[0]:
                parents = autograd.parents_as_of(node)
                autograd._check_versions(tensor, node, parents)
                if any(a is not b for a, b in zip(parents, node.parents)):
                    self.refuse(f"an input of op '{node.name}' was changed in place after it was used (x += ...)")
            input_grads = node.backward(grad, *[p._data for p in node.parents], tensor._data)
            self._record_backward(node, tensor, grad_var, input_grads, grad)
            for _position, (parent, needs, parent_grad) in enumerate(zip(node.parents, node.needs_grad, input_grads)):
                if needs and parent_grad is not None:
                    var = self.vars.get(id(parent_grad))
                    if type(parent_grad) is not np.ndarray:
                        parent_grad = np.asarray(parent_grad)
                        if var is not None:
                            new = self._bind(parent_grad, Var("grad", grad_of=self.vars.get(id(parent._data))))
                            self.emit("{} = _asarray({})", [new, var], kind="backward")
                            var = new
                    if parent_grad.shape != parent._data.shape:
                        raise RuntimeError(
                            f"internal error: backward of op {node.describe()} returned a "
                            f"gradient of shape {parent_grad.shape} for an input of shape {parent.shape}"
                        )
                    self._accumulate(grads, owned, id(parent), var, parent_grad)
            if not retain_graph:
                node.release()
        for leaf in leaves:
            entry = grads.pop(id(leaf), None)
            if entry is None:
                continue
            var, grad = entry
            if leaf._extras is not None:
                self.refuse("a hook or retain_grad() on a leaf tensor")
            if var is None:
                self.refuse("a gradient the trace lost")
                var = Var("grad")
            if grad.dtype != leaf.dtype:
                grad = grad.astype(leaf.dtype)
                new = self._bind(grad, Var("grad", grad_of=var.grad_of))
                self.emit("{} = {}.astype(" + self.const(leaf.dtype, "dtype") + ")", [new, var], kind="backward")
                var = new
            if leaf.grad is None:
                if id(leaf) not in self.cleared:  # None because it started so: a replay must start so too
                    self.holder(leaf)
                    self.grad_none_guard.add(id(leaf))
                leaf.grad = Tensor._wrap(grad)
            else:
                try:
                    previous = self.grad_var(leaf)
                except Refused as error:
                    self.refuse(str(error))
                    previous = None
                leaf.grad = Tensor._wrap(leaf.grad._data + grad)  # (as autograd._accumulate_leaf)
                if previous is not None:
                    new = self._bind(leaf.grad._data, Var("grad", grad_of=var.grad_of))
                    self.emit("{} = {} + {}", [new, previous, var], "accumulate into .grad", kind="backward")
            self.vars.setdefault(id(leaf.grad._data), var)  # the gradient's Tensor wraps the same array
        return None

    def _accumulate(self, grads: dict, owned: set, key: int, var: Any, grad: Any) -> None:
        previous = grads.get(key)
        if previous is None:
            grads[key] = (var, grad)
        elif self.refused or previous[0] is None or var is None:  # eager only: nothing more is written down
            if key in owned:
                np.add(previous[1], grad, out=previous[1])
            else:
                grads[key] = (None, np.asarray(previous[1] + grad))
                owned.add(key)
        elif key in owned:
            np.add(previous[1], grad, out=previous[1])
            self.emit(
                "_np.add({}, {}, out={})",
                [previous[0], var, previous[0]],
                "a second use: gradients add",
                kind="backward",
            )
        else:
            total = np.asarray(previous[1] + grad)
            new = self._bind(total, Var("grad", grad_of=previous[0].grad_of))
            self.emit(
                "{} = _asarray({} + {})", [new, previous[0], var], "a tensor used twice: gradients add", kind="backward"
            )
            grads[key] = (new, total)
            owned.add(key)

    def _record_backward(
        self, node: autograd.Primitive, tensor: Tensor, grad_var: Var, input_grads: tuple, grad: Any = None
    ) -> None:
        if self.refused:
            return
        if id(node) in self.templated:
            values, shapes, template = self.templated[id(node)]
            values = dict(values)
            values["g"] = grad_var
            values["dtype"] = self.const(np.asarray(grad).dtype, "dtype") if grad is not None else "None"
            shapes = dict(shapes, g=np.shape(grad))
            targets = ["ga", "gb"] if len(node.parents) == 2 else ["gx"]
            for role, parent, parent_grad in zip(targets, node.parents, input_grads):
                if parent_grad is not None:
                    values[role] = self._bind(parent_grad, Var("grad", grad_of=self.vars.get(id(parent._data))))
            self.lines.append(Line("", [], f"{node.name} backward: {_plain_math(type(node).math[1])}", "backward"))
            self._emit_template(template[1](node, shapes), values, "", "backward")
            return
        name = self.ops.get(id(node))
        if name is None:
            return self.refuse(f"backward through op '{node.name}' recorded before the compiled call began")
        try:
            ins = [self.tensor_var(p, f"input of op '{node.name}'") for p in node.parents]
            out = self.tensor_var(tensor, f"output of op '{node.name}'")
        except Refused as error:
            return self.refuse(str(error))
        targets, outs = [], []
        for parent, parent_grad in zip(node.parents, input_grads):
            if parent_grad is None:
                targets.append("_")
            else:
                var = self._bind(parent_grad, Var("grad", grad_of=self.vars.get(id(parent._data))))
                targets.append("{}")
                outs.append(var)
        lhs = ", ".join(targets) + ("," if len(targets) == 1 else "")
        placeholders = ", ".join("{}" if isinstance(v, Var) else v for v in ins + [out])
        used = [v for v in ins + [out] if isinstance(v, Var)]
        self.emit(
            f"{lhs} = {name}.backward({{}}, {placeholders})",
            outs + [grad_var] + used,
            f"{node.name} backward: {_plain_math(type(node).math[1])}",
            kind="backward",
        )
