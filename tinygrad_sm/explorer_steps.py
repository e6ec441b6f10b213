"""What the explorer page shows at each step, computed from the live graph: values as numbers or a
heat map (``_value``), the names and kinds of tensors, the hand derivations beside autograd where the
graph holds a known pattern (``_patterns``: ``p - delta`` at the logits of a cross-entropy, the last
layer's ``dC/db`` and ``dC/dW``, the softmax Jacobian), and the forward and backward steps in the
engine's order (``_steps``). Kept apart from ``explorer``, which assembles the page; ``explorer``
re-exports these names."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import analytic
from ._names import display_name as _display_name  # noqa: F401
from .autograd import _reachable, no_grad
from .tensor import Tensor

SMALL_VALUES = 24  # a value with at most this many elements is shown as numbers
HEAT_BLOCKS = 24  # a larger one as a heat map of at most this many blocks a side


# ---------------------------------------------------------------- values for the page


def _finite(value: Any) -> float | None:
    """A number for the page's JSON (which has no NaN or infinity): None where it is not finite."""
    value = float(value)
    return value if np.isfinite(value) else None


class Values:
    """Every array the page shows, stored once: small arrays as their numbers in one float64 and one
    float32 buffer (base64 in the page), larger ones as shape, norm, min, max and a heat map of at most
    ``HEAT_BLOCKS`` blocks a side. ``add`` returns the array's reference; equal arrays share one."""

    def __init__(self) -> None:
        self.parts: list[list[np.ndarray]] = [[], []]  # float64, float32
        self.sizes = [0, 0]
        self.items: list[Any] = []
        self.seen: dict[tuple, int] = {}

    def _put(self, values: np.ndarray) -> tuple[int, int]:
        buffer = 1 if values.dtype == np.float32 else 0
        flat = values.astype(np.float32 if buffer else np.float64, copy=False).ravel()
        self.parts[buffer].append(flat)
        offset = self.sizes[buffer]
        self.sizes[buffer] += flat.size
        return buffer, offset

    def add(self, array: Any) -> int:
        array = np.asarray(array)
        key = (array.dtype.str, array.shape, array.tobytes()) if array.size <= 4096 else None
        if key is not None and key in self.seen:
            return self.seen[key]
        kind = array.dtype.kind if array.dtype.kind in "biuf" else "x"
        values = array if kind == "f" else array.astype(np.float64) if kind != "x" else np.zeros(array.shape)
        if array.size <= SMALL_VALUES:
            item: Any = [*self._put(values + 0 if kind == "f" else values), list(array.shape), kind]
        else:
            values = values.astype(np.float64)
            finite = values[np.isfinite(values)]
            grid = values.reshape(1, -1) if values.ndim < 2 else values.reshape(-1, values.shape[-1])
            for axis in (0, 1):  # average blocks of rows, then of columns
                starts = np.unique(
                    np.linspace(0, grid.shape[axis], min(grid.shape[axis], HEAT_BLOCKS) + 1).astype(int)[:-1]
                )
                sizes = np.diff(np.append(starts, grid.shape[axis]))
                grid = np.add.reduceat(grid, starts, axis=axis) / (sizes[:, None] if axis == 0 else sizes[None, :])
            item = {
                "shape": list(array.shape),
                "kind": kind,
                "norm": _finite(np.linalg.norm(finite)) if finite.size else 0.0,
                "min": _finite(finite.min()) if finite.size else 0.0,
                "max": _finite(finite.max()) if finite.size else 0.0,
                "heat": [grid.shape[0], grid.shape[1], *self._put(grid.astype(np.float32))],
            }
        self.items.append(item)
        if key is not None:
            self.seen[key] = len(self.items) - 1
        return len(self.items) - 1

    def data(self) -> dict:
        buffers = [np.concatenate(p) if p else np.zeros(0, t) for p, t in zip(self.parts, (np.float64, np.float32))]
        return {
            "f64": base64.b64encode(buffers[0].astype("<f8").tobytes()).decode("ascii"),
            "f32": base64.b64encode(buffers[1].astype("<f4").tobytes()).decode("ascii"),
            "items": self.items,
        }


def _value(array: Any) -> dict:
    """One array as the page receives it (its entry and buffers), for tests and single values."""
    values = Values()
    ref = values.add(array)
    return {"ref": ref, **values.data()}


def _kind(tensor: Tensor, root: Tensor, param_names: Mapping[int, str]) -> str:
    return (
        "output"
        if tensor is root
        else "parameter"
        if id(tensor) in param_names
        else "intermediate"
        if tensor._node is not None
        else "input"
        if tensor.requires_grad
        else "constant"
    )


def _argument_label(position: int, count: int) -> str:
    return "" if count < 2 else ("lhs", "rhs")[position] if count == 2 else str(position)


# ---------------------------------------------------------------- the known patterns


def _hand(title: str, formula: str, hand: np.ndarray, autograd: np.ndarray) -> dict:
    hand, autograd = np.asarray(hand, dtype=np.float64), np.asarray(autograd, dtype=np.float64)
    scale = max(1.0, float(np.abs(autograd).max(initial=0.0)))
    tolerance = (1e-4 if autograd.dtype == np.float32 else 1e-9) * scale
    return {
        "title": title,
        "formula": formula,
        "hand": hand,
        "autograd": autograd,
        "diff": _finite(np.abs(hand - autograd).max(initial=0.0)),
        "tolerance": max(tolerance, 1e-4 * scale),
    }


def _labels_of_cross_entropy(layout: Any, root: Tensor) -> np.ndarray | None:
    node = root._node
    if node is not None and node.name == "softmaxcrossentropy":
        return np.asarray(getattr(node, "targets", None))
    for i, path in layout.calls.items():
        op = layout.tensors[i]._node
        index = getattr(op, "__dict__", {}).get("index")
        if path and layout.call_name[path[0]] == "cross_entropy" and isinstance(index, tuple) and len(index) == 2:
            return np.asarray(index[1])
    return None


def _patterns(layout: Any, root: Tensor, totals: dict[int, np.ndarray]) -> dict[int, list[dict]]:
    """Hand derivations keyed by the tensor (position in ``layout.tensors``) whose gradient they give."""
    found: dict[int, list[dict]] = {}
    tensors, index = layout.tensors, layout.index
    root_op = root._node.name if root._node is not None else ""
    targets = _labels_of_cross_entropy(layout, root)
    for z in layout.cross_entropy_logits():
        if targets is None or z not in totals or tensors[z].ndim != 2:
            continue
        logits = tensors[z]._data.astype(np.float64)
        probs = analytic.softmax(logits, axis=1)
        delta = analytic.cross_entropy_grad_logits(probs, targets)  # (p - onehot(y)) / n, the mean
        if root_op == "sum":
            delta = delta * logits.shape[0]
        elif root_op not in ("mean", "softmaxcrossentropy"):
            continue
        per = r"\frac{1}{n}" if root_op != "sum" else ""
        found.setdefault(z, []).append(
            _hand(
                "p \u2212 \u03b4 at the logits of the cross-entropy",
                r"\frac{\partial C}{\partial z_{ij}} = "
                + per
                + r"\left(p_{ij} - \delta_{j, y_i}\right),\quad p = \mathrm{softmax}(z)",
                delta,
                totals[z],
            )
        )
        # the last layer z = a W + b (Nielsen's BP3 and BP4 with the softmax output's a - y)
        add = tensors[z]._node
        if add is None or add.name != "add":
            continue
        product, bias = add.parents
        if product._node is None or product._node.name != "matmul":
            product, bias = bias, product
        if product._node is None or product._node.name != "matmul":
            continue
        a_prev, weight = product._node.parents
        b, w = index[id(bias)], index[id(weight)]
        if bias._node is None and bias.requires_grad and b in totals and bias._data.size == delta.shape[1]:
            found.setdefault(b, []).append(
                _hand(
                    "the last layer's bias (Nielsen's BP3)",
                    r"\frac{\partial C}{\partial b_j} = " + per + r"\sum_i \left(a^L_{ij} - y_{ij}\right)",
                    delta.sum(axis=0).reshape(bias.shape),
                    totals[b],
                )
            )
        if weight._node is None and weight.requires_grad and w in totals and a_prev.ndim == 2:
            by_hand = a_prev._data.astype(np.float64).T @ delta  # (in, out): entry [k, j]
            stored = (
                "(out, in), as nn.Linear: entry [j, k]"
                if getattr(product._node, "transpose_b", False)
                else "(in, out): entry [k, j]"
            )
            found.setdefault(w, []).append(
                _hand(
                    f"the last layer's weights (Nielsen's BP4; W is stored {stored})",
                    r"\frac{\partial C}{\partial w_{jk}} = "
                    + per
                    + r"\sum_i a^{L-1}_{ik}\left(a^L_{ij} - y_{ij}\right)",
                    by_hand.T if getattr(product._node, "transpose_b", False) else by_hand,
                    totals[w],
                )
            )
    # softmax feeding a log: the gradient at z through the Jacobian p_i (delta_ij - p_j)
    calls: dict[tuple, set[int]] = {}
    for i, path in layout.calls.items():
        for call in path:
            if layout.call_name[call] == "softmax":
                calls.setdefault(call, set()).add(i)
    for inside in calls.values():
        outputs = [i for i in inside if any(c not in inside for c, _ in layout.consumers[i])]
        inputs = {
            index[id(p)]
            for i in inside
            for p in tensors[i]._node.parents
            if p.requires_grad and index[id(p)] not in inside
        }
        if len(outputs) != 1 or len(inputs) != 1:
            continue
        p, z = outputs[0], inputs.pop()
        after = [c for c, _ in layout.consumers[p]]  # the log, or the pick of p_y and then the log
        after += [d for c in after if tensors[c]._node.name == "getitem" for d, _ in layout.consumers[c]]
        feeds_log = any(tensors[c]._node.name == "log" for c in after)
        if not feeds_log or p not in totals or z not in totals or tensors[p].ndim != 2:
            continue
        probs, upstream = tensors[p]._data.astype(np.float64), totals[p].astype(np.float64)
        jacobians = np.stack([analytic.softmax_jacobian(row) for row in probs])  # (n, m, m), symmetric
        found.setdefault(z, []).append(
            _hand(
                "through the softmax Jacobian (Nielsen's route: softmax, then \u2212log)",
                r"\frac{\partial C}{\partial z_j} = \sum_i \frac{\partial C}{\partial p_i}\, p_i\left(\delta_{ij} - p_j\right)",
                np.einsum("nij,ni->nj", jacobians, upstream),
                totals[z],
            )
        )
    return found


# ---------------------------------------------------------------- the two passes


def _steps(layout: Any, root: Tensor, values: Values) -> tuple[dict, dict[int, np.ndarray]]:
    """The forward steps (tensors in recorded order), the backward steps in the engine's order (each:
    the tensor, its total gradient, and per input the gradient sent and the running sum where the input
    is used more than once) and the leaf steps, arrays as references into ``values``; and the totals."""
    tensors, index = layout.tensors, layout.index
    recorded = sorted((t for t in tensors if t._node is not None), key=lambda t: t._node.stamp)
    forward = [index[id(t)] for t in recorded]
    made, leaves = _reachable([root])
    uses: dict[int, int] = {}
    for t in made:
        for p, needs in zip(t._node.parents, t._node.needs_grad):
            if needs:
                uses[id(p)] = uses.get(id(p), 0) + 1
    totals: dict[int, np.ndarray] = {index[id(root)]: np.ones(root.shape, dtype=root.dtype)}
    backward: list[list] = []
    for tensor in made:  # the engine's order: consumers first, by descending stamp
        i, node = index[id(tensor)], tensor._node
        if i not in totals:
            continue  # no gradient reaches it (the engine skips it too)
        with no_grad():
            input_grads = node.backward(totals[i], *[p._data for p in node.parents], tensor._data)
        sends = []
        for parent, needs, grad in zip(node.parents, node.needs_grad, input_grads):
            j = index[id(parent)]
            if not needs or grad is None:
                sends.append([j, -1, -1])
                continue
            grad = np.array(grad, dtype=parent.dtype)  # a copy: the rule's result may alias its input
            totals[j] = grad.copy() if j not in totals else totals[j] + grad
            running = values.add(totals[j]) if uses.get(id(parent), 0) > 1 else -1
            sends.append([j, values.add(grad), running])
        backward.append([i, values.add(totals[i]), sends])
    leaf_steps = [
        [index[id(leaf)], values.add(totals[index[id(leaf)]])] for leaf in leaves if index[id(leaf)] in totals
    ]
    return {"forward": forward, "backward": backward, "leaf": leaf_steps}, totals
