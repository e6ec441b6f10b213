"""What the explorer page shows at each step, computed from the live graph: values as numbers or a
heat map (``_value``), the names and kinds of tensors, the hand derivations beside autograd where the
graph holds a known pattern (``_patterns``: ``p - delta`` at the logits of a cross-entropy, the last
layer's ``dC/db`` and ``dC/dW``, the softmax Jacobian), and the forward and backward steps in the
engine's order (``_steps``). Kept apart from ``explorer``, which assembles the page; ``explorer``
re-exports these names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import analytic, viz
from .autograd import _reachable, no_grad
from .tensor import Tensor

SMALL_VALUES = 24  # a value with at most this many elements is shown as numbers
HEAT_BLOCKS = 24  # a larger one as a heat map of at most this many blocks a side


# ---------------------------------------------------------------- values for the page


def _value(array: Any) -> dict:
    """Shape, norm and either the numbers (small) or a heat map (large) of one array."""
    array = np.asarray(array)
    values = array.astype(np.float64) + 0.0 if array.dtype.kind in "biuf" else np.zeros(array.shape)
    finite = values[np.isfinite(values)]
    out: dict[str, Any] = {
        "shape": list(array.shape),
        "dtype": str(array.dtype),
        "norm": float(np.linalg.norm(finite)) if finite.size else 0.0,
        "min": float(finite.min()) if finite.size else 0.0,
        "max": float(finite.max()) if finite.size else 0.0,
    }
    if array.size <= SMALL_VALUES:
        out["values"] = values.ravel().tolist()
        out["text"] = viz._format_array(array)
        out["short"] = out["text"] if array.size <= 3 else f"\u2016\u00b7\u2016 {out['norm']:.3g}"
        return out
    out["text"] = f"shape {tuple(array.shape)}, norm {out['norm']:.4g}"
    out["short"] = f"\u2016\u00b7\u2016 {out['norm']:.3g}"
    grid = values.reshape(1, -1) if values.ndim < 2 else values.reshape(-1, values.shape[-1])
    for axis in (0, 1):  # average blocks of rows, then of columns
        starts = np.unique(np.linspace(0, grid.shape[axis], min(grid.shape[axis], HEAT_BLOCKS) + 1).astype(int)[:-1])
        sizes = np.diff(np.append(starts, grid.shape[axis]))
        grid = np.add.reduceat(grid, starts, axis=axis) / (sizes[:, None] if axis == 0 else sizes[None, :])
    out["heat"] = {"r": grid.shape[0], "c": grid.shape[1], "v": [round(v, 6) for v in grid.ravel().tolist()]}
    return out


def _display_name(tensor: Tensor, i: int, param_names: Mapping[int, str]) -> str:
    name = param_names.get(id(tensor)) or tensor.name
    if name:
        return str(name)
    if tensor._node is None and not tensor.requires_grad and tensor._data.size == 1:
        return viz._number(tensor._data.item())
    return f"t{i}"


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
        "hand": _value(hand),
        "autograd": _value(autograd),
        "diff": float(np.abs(hand - autograd).max(initial=0.0)),
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


def _steps(layout: Any, root: Tensor, names: list[str]) -> tuple[list[dict], dict[int, np.ndarray]]:
    tensors, index = layout.tensors, layout.index
    edge_of: dict[tuple[int, int, int], str] = {}
    for (tail, head, _), uses in layout.edges.items():
        for use in uses:
            edge_of[use] = f"{tail}->{head}"
    steps: list[dict] = []
    recorded = sorted((t for t in tensors if t._node is not None), key=lambda t: t._node.stamp)
    for n, tensor in enumerate(recorded):
        i, node = index[id(tensor)], tensor._node
        count = len(node.parents)
        steps.append(
            {
                "phase": "forward",
                "n": n,
                "tensor": i,
                "op": node.name,
                "detail": viz._op_detail(node),
                "math": type(node).math[0],
                "inputs": [index[id(p)] for p in node.parents],
                "labels": [_argument_label(k, count) for k in range(count)],
                "node": layout.op_node[i],
                "out": layout.tensor_node[i],
            }
        )

    made, leaves = _reachable([root])
    for tensor in made:
        if tensor._node.released:
            raise RuntimeError(
                f"cannot explore the backward pass: an earlier backward() released the graph (op "
                f"{tensor._node.describe()}). Explore before calling backward(), or call "
                "loss.backward(retain_graph=True) first."
            )
    expected = Counter(id(p) for t in made for p, needs in zip(t._node.parents, t._node.needs_grad) if needs)
    totals: dict[int, np.ndarray] = {index[id(root)]: np.ones(root.shape, dtype=root.dtype)}
    arrived: dict[int, list[dict]] = {}
    backward: list[dict] = []
    for tensor in made:  # the engine's order: consumers first, by descending stamp
        i, node = index[id(tensor)], tensor._node
        if i not in totals:
            continue  # no gradient reaches it (the engine skips it too)
        with no_grad():
            input_grads = node.backward(totals[i], *[p._data for p in node.parents], tensor._data)
        sends = []
        for position, (parent, needs, grad) in enumerate(zip(node.parents, node.needs_grad, input_grads)):
            j = index[id(parent)]
            label = _argument_label(position, len(node.parents))
            if not needs or grad is None:
                sends.append({"tensor": j, "label": label, "grad": None})
                continue
            grad = np.array(grad, dtype=parent.dtype)  # a copy: the rule's result may alias its input
            totals[j] = grad.copy() if j not in totals else totals[j] + grad
            arrived.setdefault(j, []).append({"from": i, "op": node.name, "label": label, "value": _value(grad)})
            shown = _value(grad)
            sends.append(
                {
                    "tensor": j,
                    "label": label,
                    "grad": shown,
                    "short": shown["short"],
                    "edge": edge_of.get((j, i, position), ""),
                    "count": len(arrived[j]),
                    "of": expected[id(parent)],
                    "running": _value(totals[j]) if expected[id(parent)] > 1 else None,
                }
            )
        backward.append(
            {
                "phase": "backward",
                "tensor": i,
                "op": node.name,
                "detail": viz._op_detail(node),
                "math": type(node).math[0],
                "rule": type(node).math[1],
                "sends": sends,
                "node": layout.op_node[i],
                "out": layout.tensor_node[i],
            }
        )
    leaf_steps = [
        {
            "phase": "leaf",
            "tensor": index[id(leaf)],
            "node": layout.tensor_node[index[id(leaf)]],
            "out": layout.tensor_node[index[id(leaf)]],
        }
        for leaf in leaves
        if index[id(leaf)] in totals
    ]
    hands = _patterns(layout, root, totals)
    for n, step in enumerate(backward + leaf_steps):
        i = step["tensor"]
        step["n"] = n if step["phase"] == "backward" else n - len(backward)
        step["grad"] = _value(totals[i])
        step["arrived"] = arrived.get(i, [])
        step["hand"] = hands.get(i, [])
    return steps + backward + leaf_steps, totals
