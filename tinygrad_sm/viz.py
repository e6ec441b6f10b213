"""Pictures of the recorded graph: ``draw_graph(loss)`` gives a ``graphviz.Digraph``, ``save`` writes it.

Tensors are boxes with rounded corners showing a name (the parameter path from ``params``, the
tensor's ``name=``, or an auto label such as ``t3``), its shape and dtype. Primitive ops are
ellipses; a collapsed composite (``cross_entropy`` drawn as one op) is a double ellipse. Edges run
in the forward direction, from the inputs to the output; an edge into an op with two inputs is
labelled ``lhs``/``rhs``, with more inputs by the argument position ``0, 1, 2 ...``.

Colour legend (the fill of each node):

    green   #c8e6c9  parameter: a leaf named by params (0.weight)
    blue    #cfe3f7  any other leaf that requires grad (an input you differentiate)
    grey    #e8e8e8  constant: a leaf without grad (data, Python numbers, a detached shift)
    white   #ffffff  intermediate result
    orange  #ffd8a8  the output being drawn (the root, usually the loss)
    yellow  #fff4c2  primitive op
    lilac   #ead7f3  collapsed composite op (not in expand)

Dashed rounded boxes group the primitives recorded inside one call of a composite (its
``name_scope``). With ``show_backward=True`` the edges are red and point from the output towards
the inputs, each labelled with the gradient flowing along it; dashed grey edges carry no gradient.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import write_bytes_atomic
from ._names import op_title, tensor_names
from ._revive import revived
from ._viz_text import EMPTY_NAME, MAX_LABEL_CHARS, MAX_TOOLTIP_CHARS, _cut, _dot_stderr, _tooltip  # noqa: F401
from .tensor import Tensor
from .viz_layout import (  # noqa: F401  (re-exported: the labels and layout live in viz_layout)
    SMALL,
    _collect,
    _common_prefix,
    _esc,
    _format_array,
    _Layout,
    _number,
    _op_detail,
    _scope_calls,
    _small,
    _table,
)

COLOURS = {
    "parameter": "#c8e6c9",
    "leaf": "#cfe3f7",
    "constant": "#e8e8e8",
    "intermediate": "#ffffff",
    "output": "#ffd8a8",
    "op": "#fff4c2",
    "composite": "#ead7f3",
    "summary": "#f2f2f2",
}
BACKWARD_COLOUR = "#c0392b"
NOT_COMPUTED = "\u2014"  # a gradient no backward has computed, unlike a gradient of zero
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
CE_FORMULA = "(p \u2212 onehot(y)) / n"


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz ``dot`` program is not installed (the DOT source was written instead)."""


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "drawing graphs needs the 'graphviz' Python package: pip install graphviz "
            "(or pip install 'tinygrad_sm[viz]'), and the Graphviz 'dot' program to render"
        ) from None
    return graphviz


# ---------------------------------------------------------------- drawing


def draw_graph(
    root: Tensor | Sequence[Tensor],
    params: Mapping[str, Tensor] | Any = None,
    show_values: bool = False,
    show_grads: bool = False,
    show_backward: bool = False,
    rankdir: str = "TB",
    max_nodes: int = 200,
    group_composites: bool = True,
    expand: Iterable[str] | None = None,
    title: str | None = None,
) -> Any:
    """The graph that computed ``root`` (a Tensor or a list of them) as a ``graphviz.Digraph``.

    ``params``: a mapping ``{path: Tensor}`` or a Module (anything with ``named_parameters()``), to
    label parameters by attribute path. ``show_values``: values of tensors with at most 12 elements
    (4 significant digits), shape and summary for larger ones. ``show_grads``: the ``.grad`` of the
    leaves that require grad, ``—`` where no backward has computed one. ``show_backward``: reverse
    the edges and label each with the gradient flowing along it, recomputed by a sweep of its own
    (also after ``backward()``: each released op is rebuilt from its recorded inputs for the drawing).
    ``max_nodes``: larger graphs keep the nodes nearest the root and one summary node for the rest.
    ``group_composites``: draw the primitives of each composite call (``name_scope``) inside a
    labelled box. ``expand``: None (default) shows every composite's primitives; a set of names
    shows those and draws every other composite as a single op node.
    """
    roots = [root] if isinstance(root, Tensor) else list(root)
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError("draw_graph needs a Tensor or a non-empty list of Tensors")
    # after backward() the ops are rebuilt from their recorded inputs for the drawing (see _revive)
    with revived(roots, "draw the backward pass") if show_backward else contextlib.nullcontext():
        return _draw(
            roots, params, show_values, show_grads, show_backward, rankdir, max_nodes, group_composites, expand, title
        )


def _draw(
    roots: list[Tensor],
    params: Any,
    show_values: bool,
    show_grads: bool,
    show_backward: bool,
    rankdir: str,
    max_nodes: int,
    group_composites: bool,
    expand: Any,
    title: str | None,
) -> Any:
    gv = _graphviz()
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(f"rankdir must be one of 'TB', 'LR', 'BT', 'RL', got {rankdir!r}")
    if max_nodes < 2:
        raise ValueError(f"max_nodes must be at least 2, got {max_nodes}")
    if params is not None:
        pairs = params.named_parameters() if hasattr(params, "named_parameters") else params.items()
        params = {id(tensor): str(path) for path, tensor in pairs}
    layout = _Layout(
        roots,
        params or {},  # type: ignore[arg-type]  # params is {id: path} by now
        {expand} if isinstance(expand, str) else None if expand is None else set(expand),
    )
    tensors, order = layout.tensors, layout.nearest()
    names = tensor_names(layout, params or {})  # the user's names, or built from op and operands (x @ W)
    kept = set(order if len(order) <= max_nodes else order[: max_nodes - 1])
    totals = layout.gradients() if show_backward else {}
    logits = layout.cross_entropy_logits() if show_backward else set()
    of = _cut((params or {}).get(id(roots[0])) or roots[0].name or layout.tensor_node[layout.index[id(roots[0])]])

    def tensor_label(i: int) -> tuple[str, str]:
        tensor = tensors[i]
        given = (params or {}).get(id(tensor)) or tensor.name
        by_value = given is None and tensor._node is None and not tensor.requires_grad and tensor._data.size == 1
        name = _cut(names[i])
        rows = [f"<B>{_esc(name)}</B>", _small(f"{tensor.shape} {tensor.dtype}")]
        if show_values and tensor._data.size > 0 and not by_value:
            rows.append(_small(_format_array(tensor._data), mono=True))
        if show_grads and tensor._node is None and tensor.requires_grad:
            grad = NOT_COMPUTED if tensor.grad is None else _format_array(tensor.grad._data, True)
            rows.append(_small(f".grad = {grad}", mono=True))
        # the total where flows end (leaves) or are summed (several consumers); the edges show the rest
        if i in totals and (tensor._node is None or len(layout.consumers[i]) > 1 or i in logits):
            formula = f" = {CE_FORMULA}" if i in logits else ""
            whose = of if len(roots) == 1 else "outputs"
            text = _format_array(totals[i], True)
            breaks = "\n" if len(text) > 12 else " "
            wrt = f"({name})" if any(c in name for c in " +-*/") else name  # ∂loss/∂(z - r), not ∂loss/∂z - r
            rows.append(_small(f"\u2202{whose}/\u2202{wrt}{formula} ={breaks}{text}", mono=True))
        kind = (
            "output"
            if id(tensor) in layout.root_ids
            else "parameter"
            if id(tensor) in (params or {})
            else "intermediate"
            if tensor._node is not None
            else "leaf"
            if tensor.requires_grad
            else "constant"
        )
        return _table(rows), COLOURS[kind]

    graph = gv.Digraph(
        "autograd",
        graph_attr={
            "rankdir": rankdir,
            "fontname": "Helvetica",
            "fontsize": "12",
            "labelloc": "t",
            "newrank": "true",
            "nodesep": "0.45" if show_backward else "0.3",
            "ranksep": "0.4",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "margin": "0.1,0.04", "penwidth": "0.8"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7", "color": "#555555"},
    )
    clusters: dict[tuple, Any] = {(): graph}  # one Digraph per composite call, nested deepest first
    for name in order:
        if name not in kept:
            continue
        path = layout.cluster[name] if group_composites else ()
        for depth in range(1, len(path) + 1):
            if path[:depth] not in clusters:
                clusters[path[:depth]] = gv.Digraph(
                    f"cluster_{len(clusters)}",
                    graph_attr={
                        "label": f"<<I>{_esc(_cut(layout.call_name[path[depth - 1]]))}</I>>",
                        "style": "rounded,dashed",
                        **({"tooltip": tip} if (tip := _tooltip(layout.call_name[path[depth - 1]])) else {}),
                        "color": "#8c8c8c",
                        "fontcolor": "#555555",
                        "fontsize": "11",
                        "margin": "18",
                    },
                )
        if name.startswith("t"):
            label, fill = tensor_label(int(name[1:]))
            attrs = {"shape": "box", "style": "rounded,filled", "fillcolor": fill}
            tensor = tensors[int(name[1:])]
            if tip := _tooltip((params or {}).get(id(tensor)) or tensor.name or ""):
                attrs["tooltip"] = tip
        elif name.startswith("op"):
            node, detail = tensors[int(name[2:])]._node, _op_detail(tensors[int(name[2:])]._node)
            label = _table([f"<B>{_esc(op_title(node))}</B>"] + ([_small(detail)] if detail else []))
            attrs = {"shape": "ellipse", "style": "filled", "fillcolor": COLOURS["op"]}
        else:
            inside = sum(1 for op in layout.op_node.values() if op == name)
            label = _table([f"<B>{_esc(_cut(layout.composite[name]))}</B>", _small(f"composite, {inside} ops")])
            attrs = {"shape": "ellipse", "style": "filled", "peripheries": "2", "fillcolor": COLOURS["composite"]}
            if tip := _tooltip(layout.composite[name]):
                attrs["tooltip"] = tip
        clusters[path].node(name, label=label, **attrs)
    for path in sorted(clusters, key=len, reverse=True):
        if path:
            clusters[path[:-1]].subgraph(clusters[path])

    left_out = [name for name in order if name not in kept]
    if left_out:
        ops = Counter(layout.composite.get(n) or tensors[int(n[2:])]._node.name for n in left_out if n[0] != "t")
        listed = ", ".join(f"{op}\u00d7{n}" for op, n in ops.most_common(6)) + (", \u2026" if len(ops) > 6 else "")
        graph.node(
            "summary",
            label=_table(
                [f"<B>\u2026 {len(left_out)} more nodes</B>", _small(f"(ops: {listed})" if ops else "(tensors)")]
            ),
            shape="note",
            style="filled,dashed",
            fillcolor=COLOURS["summary"],
        )
    into_summary: set[str] = set()
    cache: dict[int, Any] = {}
    for (tail, head, label), uses in layout.edges.items():
        if head not in kept or (tail not in kept and head in into_summary):
            continue
        if tail not in kept:  # one dashed edge from the summary to each kept node it feeds
            into_summary.add(head)
            graph.edge(*((head, "summary") if show_backward else ("summary", head)), style="dashed")
        elif not show_backward:
            graph.edge(tail, head, label=f"<{_esc(label)}>" if label else None)
        elif (flow := layout.flow(uses, totals, cache)) is None:  # a constant: no gradient flows there
            graph.edge(head, tail, style="dashed", color="#aaaaaa", label=f"<{_esc(label)}>" if label else None)
        else:
            text = (f"{label}: " if label else "") + _format_array(flow, True)
            graph.edge(
                head, tail, color=BACKWARD_COLOUR, fontcolor=BACKWARD_COLOUR, label=_table([_small(text, mono=True)])
            )  # no fill: a filled label box hid the lines

    notes = []
    leaf_grads = [t.grad for t in tensors if t._node is None and t.requires_grad]
    if show_grads and leaf_grads and all(g is None for g in leaf_grads):
        notes.append(f"no backward yet: gradients not computed ({NOT_COMPUTED})")
    if show_backward:
        notes.append("backward: arrows run from the output to the inputs, labelled with the gradient along them")
    if logits:
        notes.append(f"\u2202loss/\u2202logits = {CE_FORMULA}, p = softmax(logits), n = batch size")
    if left_out:
        notes.append(f"showing the {len(kept)} nodes nearest the output of {len(order)}")
    if title or notes:
        graph.attr(
            label=_table(
                ([f"<B>{_esc(_cut(title, 4 * MAX_LABEL_CHARS))}</B>"] if title else []) + [_small(n) for n in notes]
            )
        )
    return graph


# ---------------------------------------------------------------- writing files


def save(graph: Any, path: str | os.PathLike) -> Path:
    """Write ``graph`` to exactly ``path``; the format follows the suffix: ``.svg`` (also used when
    there is no suffix), ``.png``, ``.pdf``, or ``.dot``/``.gv`` for the DOT source alone.

    Raises [`GraphvizNotFoundError`][tinygrad_sm.viz.GraphvizNotFoundError] when the Graphviz ``dot``
    program is missing, after writing the DOT source next to ``path`` (``loss.svg`` -> ``loss.dot``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix and suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: use one of {', '.join(FORMATS)}")
    fmt = FORMATS.get(suffix, "svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = graph.source.encode("utf-8")
    if fmt == "dot":
        write_bytes_atomic(path, source)
        return path
    gv = _graphviz()
    try:
        data = graph.pipe(format=fmt)
    except gv.ExecutableNotFound:
        dot_path = path.with_suffix(".dot")
        write_bytes_atomic(dot_path, source)
        raise GraphvizNotFoundError(
            f"cannot render {path}: the Graphviz 'dot' program is not installed (or not on PATH); the "
            "Python package alone cannot render. Install Graphviz: apt-get install graphviz (Debian/Ubuntu), "
            "brew install graphviz (macOS), conda install -c conda-forge graphviz, or winget install graphviz "
            f"(Windows). The DOT source was written to {dot_path}; render it later with "
            f"`dot -T{fmt} {dot_path} -o {path}`."
        ) from None
    except gv.CalledProcessError as error:
        stderr = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz could not render {path}: {stderr or error}") from None
    except OSError as error:  # dot stopped reading its input (BrokenPipeError): ask it why
        raise RuntimeError(
            f"Graphviz could not render {path}: dot stopped reading the graph ({error}); "
            f"it said: {_dot_stderr(source, fmt)}"
        ) from None
    write_bytes_atomic(path, data)
    return path


# ---------------------------------------------------------------- the examples behind the command line


def example_graph(kind: str, rankdir: str = "TB", backward: bool = True) -> Any:
    """The pictures of ``python -m tinygrad_sm graph``: ``'softmax-ce'`` (2 examples, 3 classes),
    ``'mlp'`` (a 4-3-3 network with ReLU on a batch of 2) or ``'cnn'`` (the explorer's convolution
    example), with the gradients when ``backward``."""
    if kind not in ("softmax-ce", "mlp", "cnn"):
        raise ValueError(f"unknown graph {kind!r}: choose 'softmax-ce', 'mlp' or 'cnn'")
    from . import functional as F

    if kind == "cnn":
        from .explorer import example_loss  # (explorer reads this module: imported on first use)

        cnn_loss, cnn_params = example_loss("cnn")
        cnn_loss.name = "loss"
        return draw_graph(
            cnn_loss,
            params=cnn_params,
            show_values=not backward,
            show_backward=backward,
            rankdir=rankdir,
            title="one convolution, ReLU and a linear layer" + (": backward" if backward else ""),
        )

    generator = np.random.default_rng(4)  # a seed where ReLU passes some entries and blocks others
    if kind == "softmax-ce":
        logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True, name="logits")
        loss = F.cross_entropy(logits, np.array([0, 2]))
        params: Any = None
        title = "softmax + cross-entropy: " + ("backward" if backward else "forward")
    else:
        from . import nn

        params = nn.MLP([4, 3, 3], generator=generator)  # seeded, so the picture is reproducible
        inputs = Tensor(generator.standard_normal((2, 4)).astype(np.float32), name="x")
        logits = params(inputs)
        logits.name = "logits"
        loss = F.cross_entropy(logits, np.array([1, 0]))
        title = "two-layer MLP loss" + (": backward" if backward else "") + " (cross_entropy collapsed)"
    loss.name = "loss"
    # values in the forward picture, gradients in the backward one: both at once crowd the boxes
    return draw_graph(
        loss,
        params=params,
        show_values=not backward,
        show_backward=backward,
        rankdir=rankdir,
        title=title,
        expand=set() if kind == "mlp" else None,
    )


def graph_command(kind: str, out: str, rankdir: str = "TB", backward: bool = True) -> str:
    """Draw the ``kind`` example to ``out``, its backward pass (gradients on the edges) or, with
    ``backward=False``, its forward pass (values in the boxes); returns the written path."""
    return str(save(example_graph(kind, rankdir=rankdir, backward=backward), out))


def explore(root: Tensor, path: str | os.PathLike | None = None, **options: Any) -> Any:
    """The step-by-step backprop explorer page; see [`explorer.explore`][tinygrad_sm.explorer.explore]."""
    from .explorer import explore as write_page  # (explorer reads this module: imported on first use)

    return write_page(root, path, **options)
