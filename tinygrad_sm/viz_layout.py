"""How ``viz`` reads the recorded graph and words its labels: the tensors behind the roots in order
(``_collect``), the composite calls around each op (``_scope_calls``), which node is drawn for each
tensor and op and the gradient along each edge (``_Layout``), and the text inside the boxes
(``_esc``, ``_format_array``, ``_op_detail``, ``_table``, ``_small``). Kept apart from ``viz`` so the
drawing code (``draw_graph``, ``save``) stays one screenful per part; ``viz`` re-exports these names."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._escape import dot_html
from .autograd import grad as _grad
from .autograd import no_grad
from .tensor import Tensor

SMALL = 12  # tensors with at most this many elements show their values


# ---------------------------------------------------------------- text for labels


_esc = dot_html  # the one helper for text inside an HTML-like label


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _format_array(array: np.ndarray, as_gradient: bool = False) -> str:
    """Small arrays in full, to 4 significant digits; larger ones as shape and a summary."""
    array = np.asarray(array)
    if array.dtype.kind == "f":
        array = array + 0.0  # -0.0 (from relu, say) reads as 0
    if array.size <= SMALL:
        if array.ndim == 0:
            return _number(array.item())
        return np.array2string(array, separator=", ", max_line_width=44, formatter={"float_kind": lambda v: f"{v:.4g}"})
    if as_gradient:
        return f"{array.shape}, norm {float(np.linalg.norm(array.astype(np.float64))):.4g}"
    values = array.astype(np.float64)
    return (
        f"{array.shape}, mean {values.mean():.4g}, std {values.std():.4g}\n"
        f"min {values.min():.4g}, max {values.max():.4g}"
    )


def _table(rows: list[str], background: str = "") -> str:
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    # an opaque label with some padding stays legible over lines and apart from its neighbours
    fill = f' BGCOLOR="{background}" CELLPADDING="3"' if background else ' CELLPADDING="1"'
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0"{fill}>{cells}</TABLE>>'


def _small(text: str, mono: bool = False) -> str:
    face = ' FACE="Courier"' if mono else ""
    return f'<FONT POINT-SIZE="9"{face}>{_esc(text)}</FONT>'


def _op_detail(node: Any) -> str:
    """A few words about an op's parameters (axes of a sum, index of a getitem), when still saved."""
    saved = getattr(node, "__dict__", {})
    index = saved.get("index")
    if (
        isinstance(index, tuple)
        and len(index) == 2
        and all(isinstance(p, np.ndarray) and p.ndim == 1 for p in index)
        and np.array_equal(index[0], np.arange(len(index[0])))
    ):  # x[arange(n), labels]: one entry per row
        return "pick z_y (labels)" if set(node.scope) & {"cross_entropy", "nll_loss"} else "one entry per row"
    if "window" in saved:  # unfold / fold: the window's size, stride, padding, dilation
        return "window " + saved["window"]
    if "axes" in saved:
        return "axis " + ", ".join(map(str, saved["axes"]))
    if "index" in saved:
        parts = saved["index"] if isinstance(saved["index"], tuple) else (saved["index"],)
        words = [
            np.array2string(p, separator=" ")
            if isinstance(p, np.ndarray) and p.size <= 6
            else f"{p.dtype}{list(p.shape)}"
            if isinstance(p, np.ndarray)
            else f"{p.start or ''}:{p.stop or ''}"
            if isinstance(p, slice)
            else str(p)
            for p in parts
        ]
        return "[" + ", ".join(words) + "]"
    return ""


# ---------------------------------------------------------------- reading the recorded graph


def _collect(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor the roots were computed from, constants included, each after its inputs.
    Iterative depth-first search, so a chain of any length works."""
    order: list[Tensor] = []
    expanded: set[int] = set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
        elif id(tensor) not in expanded:
            expanded.add(id(tensor))
            stack.append((tensor, True))
            if tensor._node is not None:
                stack.extend((p, False) for p in reversed(tensor._node.parents) if id(p) not in expanded)
    return order


def _scope_calls(tensors: list[Tensor], index: dict[int, int]) -> dict[int, tuple]:
    """For each op (keyed by its output's position) one key per enclosing composite call, outermost
    first. Two calls of one composite are told apart by connectivity: ops recorded under the same
    scope that feed one another belong to one call."""
    leader: dict[tuple, tuple] = {}

    def find(key: tuple) -> tuple:
        while leader.get(key, key) != key:
            leader[key] = leader.get(leader[key], leader[key])  # path halving
            key = leader[key]
        return key

    for i, tensor in enumerate(tensors):
        scope = tensor._node.scope if tensor._node is not None else ()
        for parent in tensor._node.parents if scope else ():
            other = parent._node.scope if parent._node is not None else ()
            depth = 0
            while depth < min(len(scope), len(other)) and scope[depth] == other[depth]:
                depth += 1
                a, b = find((scope[:depth], i)), find((scope[:depth], index[id(parent)]))
                if a != b:
                    leader[a] = b
    return {
        i: tuple(find((t._node.scope[:d], i)) for d in range(1, len(t._node.scope) + 1))
        for i, t in enumerate(tensors)
        if t._node is not None and t._node.scope
    }


def _common_prefix(paths: list[tuple]) -> tuple:
    prefix = paths[0] if paths else ()
    for path in paths[1:]:
        while path[: len(prefix)] != prefix:
            prefix = prefix[:-1]
    return prefix


class _Layout:
    """Which node is drawn for each tensor and op (a collapsed composite stands for everything
    inside it), the composite calls around each drawn node, and the edges between drawn nodes."""

    def __init__(self, roots: list[Tensor], param_names: dict[int, str], expand: set[str] | None):
        self.roots, self.param_names, self.expand = roots, param_names, expand
        self.tensors = tensors = _collect(roots)
        self.index = index = {id(t): i for i, t in enumerate(tensors)}
        self.root_ids = {id(r) for r in roots}
        self.consumers: list[list[tuple[int, int]]] = [[] for _ in tensors]
        for i, tensor in enumerate(tensors):
            for position, parent in enumerate(tensor._node.parents if tensor._node is not None else ()):
                self.consumers[index[id(parent)]].append((i, position))
        self.calls = _scope_calls(tensors, index)
        self.call_name = {call: call[0][-1] for path in self.calls.values() for call in path}
        self.cluster: dict[str, tuple] = {}  # drawn node -> the composite calls around it
        self.composite: dict[str, str] = {}  # drawn node of a collapsed call -> its name
        self.op_node = {
            i: self._place(f"op{i}", self.calls.get(i, ())) for i, t in enumerate(tensors) if t._node is not None
        }
        self.tensor_node = [self._place(f"t{i}", self._home(i)) for i in range(len(tensors))]
        # (tail, head, argument label) -> the primitive uses it stands for: (tensor, op, position or -1)
        self.edges: dict[tuple[str, str, str], list[tuple[int, int, int]]] = {}
        for i, op in self.op_node.items():
            if op != self.tensor_node[i]:
                self.edges.setdefault((op, self.tensor_node[i], ""), []).append((i, i, -1))
            parents = tensors[i]._node.parents
            for position, parent in enumerate(parents):
                j = index[id(parent)]
                if self.tensor_node[j] != op:
                    label = (
                        ""
                        if op in self.composite or len(parents) < 2
                        else ("lhs", "rhs")[position]
                        if len(parents) == 2
                        else str(position)
                    )
                    self.edges.setdefault((self.tensor_node[j], op, label), []).append((j, i, position))

    def _home(self, i: int) -> tuple:
        """A tensor sits in the innermost call holding its producer and all its consumers; inputs
        that require grad stay outside every call, constants made inside a call go in it."""
        tensor = self.tensors[i]
        if tensor._node is None and (tensor.requires_grad or id(tensor) in self.param_names):
            return ()
        paths = [self.calls.get(j, ()) for j, _ in self.consumers[i]]
        paths += [self.calls.get(i, ())] if tensor._node is not None else []
        return _common_prefix(paths + ([()] if id(tensor) in self.root_ids else []))

    def _place(self, name: str, path: tuple) -> str:
        for depth, call in enumerate(path):
            if self.expand is not None and self.call_name[call] not in self.expand:
                name = f"c{call[1]}_{depth + 1}"
                self.composite[name], self.cluster[name] = self.call_name[call], path[:depth]
                return name
        self.cluster[name] = path
        return name

    def nearest(self) -> list[str]:
        """The drawn nodes breadth-first from the roots, against the edge direction."""
        inputs_of: dict[str, list[str]] = {}
        for tail, head, _ in self.edges:
            inputs_of.setdefault(head, []).append(tail)
        order, seen = [], set()
        queue = deque(self.tensor_node[self.index[id(r)]] for r in self.roots)
        while queue:
            name = queue.popleft()
            if name not in seen:
                seen.add(name)
                order.append(name)
                queue.extend(tail for tail in inputs_of.get(name, ()) if tail not in seen)
        return order

    def gradients(self) -> dict[int, np.ndarray]:
        """The gradient of the roots arriving at every tensor that requires grad, by a sweep of its own."""
        outputs = [r for r in self.roots if r.requires_grad]
        if not outputs:
            raise ValueError("show_backward needs an output that requires grad; none of the roots does")
        wanted = [t for t in self.tensors if t.requires_grad]
        seeds = [None if r._data.size == 1 else np.ones(r.shape, dtype=r.dtype) for r in outputs]
        found = _grad(outputs, wanted, grad_outputs=seeds, retain_graph=True, allow_unused=True)
        return {self.index[id(t)]: np.array(g._data) for t, g in zip(wanted, found) if g is not None}

    def flow(self, uses: list[tuple[int, int, int]], totals: dict[int, np.ndarray], cache: dict) -> Any:
        """The gradient along one drawn edge: the total arriving at an op's output, or at a tensor
        used once; for a tensor used several times the op's own vector-Jacobian product (the rule
        backward calls), summed over the primitive uses the edge stands for. None: no gradient."""
        flow = None
        part: Any  # one use's gradient, None where none flows
        for j, i, position in uses:
            node, upstream = self.tensors[i]._node, totals.get(i)
            if upstream is None or (position >= 0 and not node.needs_grad[position]):
                continue
            if position < 0:
                part = upstream
            elif len(self.consumers[j]) == 1 and id(self.tensors[j]) not in self.root_ids:
                part = totals.get(j)
            else:
                if i not in cache:
                    with no_grad():
                        cache[i] = node.backward(upstream, *[p._data for p in node.parents], self.tensors[i]._data)
                part = cache[i][position]
            if part is not None:
                flow = np.asarray(part) if flow is None else flow + part
        return flow

    def cross_entropy_logits(self) -> set[int]:
        """The logits, when a root is the output of ``cross_entropy`` (the composite or the fused op)."""
        found: set[int] = set()
        for root in self.roots:
            node = root._node
            if node is not None and node.name == "softmaxcrossentropy":
                found.add(self.index[id(node.parents[0])])
            elif node is not None and node.scope and node.scope[0] == "cross_entropy":
                call = self.calls[self.index[id(root)]][0]
                inside = {i for i, path in self.calls.items() if path[0] == call}
                found.update(
                    self.index[id(p)]
                    for i in inside
                    for p in self.tensors[i]._node.parents
                    if p.requires_grad and self.index[id(p)] not in inside
                )
        return found
