"""The backprop explorer: ``explore(loss)`` writes one self-contained HTML page that steps through the
forward pass op by op and the backward pass node by node, in the order the engine runs it.

Each backward step shows the gradient arriving at a node, the op's local rule (its ``math``, the same
LaTeX as the derivative table), the gradient sent to each input and, at a tensor used several times,
the contributions adding up. Where the graph holds a known pattern, the hand derivation stands beside
autograd with the difference: ``p - delta`` at the logits of a cross-entropy, the last layer's
``dC/db`` and ``dC/dW``, and the softmax Jacobian where softmax feeds a ``log``.

The page needs nothing from a network: script, style, KaTeX and its fonts, and the Graphviz SVG are
inlined (and a Content-Security-Policy forbids any request). The values come from a sweep of the
explorer's own over the live graph (``node.backward`` for each node, as ``backward()`` calls it), so
explore before ``loss.backward()``, or after ``loss.backward(retain_graph=True)``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import explorer_layout, viz
from ._atomic import write_bytes_atomic
from .explorer_steps import (  # noqa: F401  (re-exported: the values and steps live in explorer_steps)
    HEAT_BLOCKS,
    SMALL_VALUES,
    _argument_label,
    _display_name,
    _hand,
    _kind,
    _labels_of_cross_entropy,
    _patterns,
    _steps,
    _value,
)
from .tensor import Tensor

ASSETS = Path(__file__).with_name("explorer_assets")
COLLAPSE_ABOVE = 400  # a graph with more recorded ops opens with every composite collapsed


# ---------------------------------------------------------------- pictures


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _inner_sources(layout: Any, names: list[str]) -> dict[str, str]:
    """DOT for the inside of each collapsed composite, with the main picture's node names."""
    sources = {}
    members: dict[str, list[int]] = {}
    for i, op in layout.op_node.items():  # one pass, not one per composite (a 10,000-op graph has 1,000)
        members.setdefault(op, []).append(i)
    for composite in layout.composite:
        lines = [
            f"digraph {_dot_string(composite)} {{",
            "graph [fontname=Helvetica ranksep=0.3 nodesep=0.3]",
            'node [fontname=Helvetica fontsize=10 margin="0.08,0.03"] edge [arrowsize=0.6 color="#555555"]',
        ]
        inside = members.get(composite, [])
        if len(inside) > explorer_layout.DOT_LIMIT:  # dot would take minutes; the page says so instead
            continue
        declared: set[str] = set()
        for i in inside:
            node = layout.tensors[i]._node
            lines.append(f'op{i} [label={_dot_string(node.name)} shape=ellipse style=filled fillcolor="#fff4c2"]')
            for j in [index for index in (layout.index[id(p)] for p in node.parents)] + [i]:
                if f"t{j}" not in declared:
                    declared.add(f"t{j}")
                    tensor = layout.tensors[j]
                    fill = "#ffffff" if layout.op_node.get(j) == composite else "#e8e8e8"
                    lines.append(
                        f"t{j} [label={_dot_string(names[j] + chr(10) + str(tensor.shape))} shape=box "
                        f'style="rounded,filled" fillcolor="{fill}"]'
                    )
            lines += [f"t{layout.index[id(p)]} -> op{i}" for p in node.parents] + [f"op{i} -> t{i}"]
        sources[composite] = "\n".join(lines + ["}"])
    return sources


def _render(sources: list[str]) -> list[str]:
    """Several DOT graphs through one ``dot`` process; one SVG (without the XML prologue) each."""
    dot = shutil.which("dot")
    if not sources:
        return []
    if dot is None:
        raise viz.GraphvizNotFoundError(
            "the explorer draws its graph with the Graphviz 'dot' program, which is "
            "not installed: apt-get install graphviz (Debian/Ubuntu) or brew install graphviz"
        )
    done = subprocess.run([dot, "-Tsvg"], input="\n".join(sources).encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz could not draw the graph: {done.stderr.decode('utf-8', 'replace').strip()}")
    svgs = [part[part.index("<svg") :] for part in done.stdout.decode("utf-8").split("<?xml") if "<svg" in part]
    if len(svgs) != len(sources):
        raise RuntimeError(f"Graphviz drew {len(svgs)} pictures for {len(sources)} graphs")
    return svgs


def _katex_css() -> str:
    """KaTeX's style sheet with its woff2 fonts inlined as data URLs (the woff/ttf fallbacks dropped)."""
    css = (ASSETS / "katex" / "katex.min.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        data = base64.b64encode((ASSETS / "katex" / "fonts" / match.group(1)).read_bytes()).decode("ascii")
        return f'url(data:font/woff2;base64,{data}) format("woff2")'

    css = re.sub(r'url\(fonts/([\w-]+\.woff2)\) format\("woff2"\)', inline, css)
    return re.sub(r',url\(fonts/[\w-]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', "", css)


def _script(text: str) -> str:
    return text.replace("</", "<\\/")  # nothing inside a <script> may close it


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; font-src data:; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{katex_css}</style>
<style>{css}</style>
</head><body>
<header><h1>{title}</h1>
<button id="to-forward" title="first forward step (Home)">forward</button>
<button id="to-backward" title="first backward step">backward</button>
<button id="prev" title="previous step (left arrow)">&larr; prev</button>
<button id="next" title="next step (right arrow)">next &rarr;</button>
<span id="position"></span>
<button id="zoom-out" title="smaller picture">&minus;</button><button id="zoom-in" title="larger picture">+</button>
<span id="help">arrow keys step; Home/End jump; click a double ellipse to open a collapsed composite</span></header>
<main><div id="graph">{svg}
<div id="inner"><div class="bar"><button id="inner-close">close</button><b id="inner-title"></b></div><div id="inner-svg"></div></div>
</div><div id="panel"></div></main>
<script>{katex_js}</script>
<script>window.EXPLORER_DATA = {data};</script>
<script>{js}</script>
</body></html>
"""


class Explorer:
    """The explorer page: ``html`` (the whole file), ``path`` (where it was written, or None),
    ``steps`` (how many) and ``seconds`` (generation time). Displays inline in Jupyter."""

    def __init__(self, page: str, path: Path | None, steps: int, seconds: float, collapsed: bool) -> None:
        self.html, self.path, self.steps, self.seconds, self.collapsed = page, path, steps, seconds, collapsed

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (atomically) and return it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, self.html.encode("utf-8"))
        self.path = target
        return target

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:640px;'
            'border:1px solid #ddd" sandbox="allow-scripts"></iframe>'
        )

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Explorer({self.steps} steps{where}, generated in {self.seconds:.2f} s)"


def explore(
    root: Tensor,
    path: str | os.PathLike | None = None,
    params: Mapping[str, Tensor] | Any = None,
    title: str | None = None,
    expand: Any = None,
) -> Explorer:
    """Write the explorer page for the graph that computed ``root`` (usually the scalar loss).

    ``path``: where to write the HTML file (None: keep it in memory; the returned object displays
    inline in Jupyter either way). ``params``: a mapping ``{path: Tensor}`` or a Module, to name the
    parameters. ``expand``: as in [`draw_graph`][tinygrad_sm.viz.draw_graph]; the default draws every
    composite's primitives, except in graphs of more than 400 recorded ops, which open with every
    composite collapsed (a click opens one). ``root`` must require grad and its graph must be alive.
    """
    start = time.perf_counter()
    if not isinstance(root, Tensor):
        raise TypeError(f"explore needs the Tensor whose graph to show (the loss), got {type(root).__name__}")
    if not root.requires_grad or root._node is None:
        raise ValueError(
            "explore needs a result computed from tensors that require grad (the loss), "
            f"got a tensor of shape {root.shape} with no recorded graph"
        )
    param_names: dict[int, str] = {}
    if params is not None:
        pairs = params.named_parameters() if hasattr(params, "named_parameters") else params.items()
        param_names = {id(tensor): str(name) for name, tensor in pairs}
    if expand is None:
        recorded = sum(1 for t in viz._collect([root]) if t._node is not None)
        expand = set() if recorded > COLLAPSE_ABOVE else None
    expand = {expand} if isinstance(expand, str) else None if expand is None else set(expand)
    layout = viz._Layout([root], param_names, expand)
    names = [_display_name(t, i, param_names) for i, t in enumerate(layout.tensors)]
    steps, _ = _steps(layout, root, names)
    inner = _inner_sources(layout, names)
    if len(explorer_layout.drawn_nodes(layout)) <= explorer_layout.DOT_LIMIT:
        graph = viz.draw_graph(root, params=params, expand=expand, max_nodes=2 * len(layout.tensors) + 2)
        svgs = _render([graph.source] + list(inner.values()))
    else:  # dot would take minutes: a plain layered drawing, and dot only for the small insides
        svgs = [explorer_layout.layered_svg(layout, names)] + _render(list(inner.values()))
    data = {
        "root": names[layout.index[id(root)]],
        "tensors": [
            {
                "name": names[i],
                "node": layout.tensor_node[i],
                "shape": list(t.shape),
                "dtype": str(t.dtype),
                "kind": _kind(t, root, param_names),
                "value": _value(t._data),
            }
            for i, t in enumerate(layout.tensors)
        ],
        "steps": steps,
        "counts": dict(Counter(s["phase"] for s in steps)),
        "composite": layout.composite,
        "inner": dict(zip(inner, svgs[1:])),
    }
    title = title or f"backprop explorer: {names[layout.index[id(root)]]}"
    page = PAGE.format(
        title=html.escape(title),
        katex_css=_katex_css(),
        css=(ASSETS / "explorer.css").read_text(encoding="utf-8"),
        svg=svgs[0],
        katex_js=_script((ASSETS / "katex" / "katex.min.js").read_text(encoding="utf-8")),
        data=_script(json.dumps(data, separators=(",", ":"))),
        js=_script((ASSETS / "explorer.js").read_text(encoding="utf-8")),
    )
    result = Explorer(page, None, len(steps), 0.0, bool(layout.composite))
    if path is not None:
        result.save(path)
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------- the examples behind the command line

EXAMPLES = ("softmax-ce", "mlp", "cnn")


def example_loss(kind: str) -> tuple[Tensor, Any]:
    """``(loss, params)`` of a command-line example: ``'softmax-ce'`` (2 examples, 3 classes), ``'mlp'``
    (a 4-3-3 ReLU network, batch 2), ``'cnn'`` (one 3x3 convolution, ReLU and a linear layer), or a
    Python file defining ``loss()`` (or one function without arguments) that returns the loss."""
    from . import functional as F
    from . import nn

    generator = np.random.default_rng(4)  # a seed where ReLU passes some entries and blocks others
    if kind == "softmax-ce":
        logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True, name="z (logits)")
        return F.cross_entropy(logits, np.array([0, 2])), None
    if kind == "mlp":
        model = nn.MLP([4, 3, 3], generator=generator)
        inputs = Tensor(generator.standard_normal((2, 4)).astype(np.float32), name="x")
        logits = model(inputs)
        logits.name = "z (logits)"
        return F.cross_entropy(logits, np.array([1, 0])), model
    if kind == "cnn":
        if not hasattr(F, "conv2d"):
            raise ValueError("the 'cnn' example needs tinygrad_sm.functional.conv2d, which this version does not have")
        images = Tensor(generator.standard_normal((2, 1, 5, 5)).astype(np.float32), name="x (images)")
        kernels = Tensor(
            (0.5 * generator.standard_normal((2, 1, 3, 3))).astype(np.float32), requires_grad=True, name="K"
        )
        features = F.conv2d(images, kernels).relu().reshape(2, -1)
        features.name = "a (features)"
        head = nn.Linear(features.shape[1], 3, init="he", generator=generator)
        logits = head(features)
        logits.name = "z (logits)"
        return F.cross_entropy(logits, np.array([2, 0])), {"K": kernels, **dict(head.named_parameters())}
    return _loss_from_file(kind)


def _loss_from_file(source: str) -> tuple[Tensor, Any]:
    import importlib.util
    import inspect

    path = Path(source)
    if path.suffix != ".py":
        raise ValueError(
            f"unknown example {source!r}: choose {', '.join(EXAMPLES)} or a Python file (.py) that defines loss()"
        )
    if not path.is_file():
        raise FileNotFoundError(f"no such Python file: {source}")
    spec = importlib.util.spec_from_file_location(f"_explored_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]  # an existing .py file has a spec
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    functions = [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
        and not any(p.default is p.empty for p in inspect.signature(value).parameters.values())
    ]
    chosen = (
        getattr(module, "loss", None)
        if callable(getattr(module, "loss", None))
        else functions[0]
        if len(functions) == 1
        else None
    )
    if chosen is None:
        raise ValueError(
            f"{source} must define loss() (or exactly one public function without arguments) returning the loss Tensor"
        )
    loss = chosen()
    params = None
    if isinstance(loss, tuple) and len(loss) == 2:  # loss() may return (loss, model) to name the parameters
        loss, params = loss
    if not isinstance(loss, Tensor):
        raise ValueError(f"{source}: {chosen.__name__}() returned {type(loss).__name__}, not a Tensor")
    return loss, params


def explore_command(kind: str, out: str) -> str:
    """Write the explorer page of ``kind`` (an example name or a Python file) to ``out``; returns the path."""
    if not out.lower().endswith((".html", ".htm")):
        raise ValueError(f"--out must name an .html file, got {out!r}")
    loss, params = example_loss(kind)
    return str(explore(loss, out, params=params).path)
