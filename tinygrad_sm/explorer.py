"""The backprop explorer: ``explore(loss)`` writes one self-contained HTML page that steps through the
forward pass op by op and the backward pass node by node, in the order the engine runs it.

Each backward step shows the gradient arriving at a node, the op's local rule (its ``math``, the same
LaTeX as the derivative table), the gradient sent to each input and, at a tensor used several times,
the contributions adding up. Where the graph holds a known pattern, the hand derivation stands beside
autograd with the difference: ``p - delta`` at the logits of a cross-entropy, the last layer's
``dC/db`` and ``dC/dW``, and the softmax Jacobian where softmax feeds a ``log``.

The page needs nothing from a network: script, style, KaTeX and its fonts, and the picture (Graphviz's
SVG, or for a large graph the page's own layout) are inline, a Content-Security-Policy forbids any
request and runs only the page's two scripts, by hash. The data is one JSON block (``_escape``), every
array stored once in binary buffers (``explorer_steps.Values``). The values come from a sweep of the
explorer's own over the graph (``node.backward`` for each node, as ``backward()`` calls it); after
``loss.backward()`` the released ops are rebuilt for the sweep (``_revive``), so explore before or
after it. ``derived=`` puts the learner's own gradients beside autograd's, with the diagnosis of
``derivation_rules``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import explorer_layout, viz
from ._atomic import write_bytes_atomic
from ._escape import script_json, tex_text, xml_text
from ._names import op_title, tensor_names
from ._revive import revived
from .explorer_files import explore_command, loss_from_file  # noqa: F401  (the command line's)
from .explorer_steps import (  # noqa: F401  (re-exported: the values and steps live in explorer_steps)
    HEAT_BLOCKS,
    SMALL_VALUES,
    Values,
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


def _render(source: str) -> str:
    """The SVG (without the XML prologue) of one DOT graph."""
    dot = shutil.which("dot")
    if dot is None:
        raise viz.GraphvizNotFoundError(
            "the explorer draws its graph with the Graphviz 'dot' program, which is "
            "not installed: apt-get install graphviz (Debian/Ubuntu) or brew install graphviz"
        )
    done = subprocess.run([dot, "-Tsvg"], input=source.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz could not draw the graph: {done.stderr.decode('utf-8', 'replace').strip()}")
    svg = done.stdout.decode("utf-8")
    return svg[svg.index("<svg") :]


@functools.lru_cache(maxsize=1)
def _katex_css() -> str:
    """KaTeX's style sheet with its woff2 fonts inlined as data URLs (the woff/ttf fallbacks dropped)."""
    css = (ASSETS / "katex" / "katex.min.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        data = base64.b64encode((ASSETS / "katex" / "fonts" / match.group(1)).read_bytes()).decode("ascii")
        return f'url(data:font/woff2;base64,{data}) format("woff2")'

    css = re.sub(r'url\(fonts/([\w-]+\.woff2)\) format\("woff2"\)', inline, css)
    return re.sub(r',url\(fonts/[\w-]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', "", css)


@functools.lru_cache(maxsize=4)
def _rule(node: Any) -> list[str]:
    """The (forward, VJP) LaTeX of a node's op. A learner's custom ``autograd.Function`` has no formula
    of ours: its rule is the learner's own ``backward``, whose source the page shows beneath."""
    if any(type(node).math):
        return list(type(node).math)
    name = tex_text(node.name)
    return [name + r"(x)\ \text{(your forward)}", r"\text{your backward (its source below)}"]


def _script(name: str) -> tuple[str, str]:
    """A script of the page, made safe to inline (nothing inside a <script> may close it), and the
    'sha256-...' source that lets exactly this text run under the page's Content-Security-Policy."""
    text = (ASSETS / name).read_text(encoding="utf-8").replace("</", "<\\/")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; font-src data:; img-src data:; base-uri 'none'; form-action 'none'">
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
<script type="application/json" id="explorer-data">{data}</script>
<script>{katex_js}</script>
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


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and type(shell.get_ipython()).__name__ == "ZMQInteractiveShell"  # type: ignore[attr-defined]
    except Exception:  # an IPython without a running shell
        return False


def default_path() -> Path:
    """Where ``explore(loss)`` writes the page when no path is given outside a notebook:
    ``$TINYGRAD_SM_EXPLORER`` if set, else ``tinygrad_sm-explorer/explorer.html`` in the system's
    temporary folder (not a folder named ``tinygrad_sm``: a script run from there would import it as
    the package)."""
    chosen = os.environ.get("TINYGRAD_SM_EXPLORER")
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / "tinygrad_sm-explorer" / "explorer.html"


def _leaf_of(key: Any, layout: Any, names: list[str]) -> int:
    if isinstance(key, Tensor):
        if id(key) not in layout.index:
            raise ValueError(f"derived: the tensor of shape {key.shape} named {key.name!r} is not in the graph")
        return layout.index[id(key)]
    found = [i for i, name in enumerate(names) if name == str(key) and layout.tensors[i]._node is None]
    found += [i for i, name in enumerate(names) if name == str(key) and layout.tensors[i]._node is not None]
    if not found:
        leaves = [names[i] for i, t in enumerate(layout.tensors) if t._node is None and t.requires_grad]
        raise ValueError(f"derived: no tensor of the graph is named {key!r}; the leaves that require grad: {leaves}")
    return found[0]


def _derived(derived: Any, layout: Any, names: list[str], totals: dict, values: Values) -> dict[str, dict]:
    """The learner's gradient at each named leaf beside autograd's, with ``derivation_rules``' diagnosis."""
    from .derivation import TOLERANCES
    from .derivation_rules import diagnose, within

    pairs = derived.items() if hasattr(derived, "items") else derived
    constants = [t for t in layout.tensors if t._node is None and not t.requires_grad and t._data.ndim >= 1]
    batch = int(constants[0].shape[0]) if constants else None  # as check_derivation: the data's first axis
    out: dict[str, dict] = {}
    for key, yours in pairs:
        i = _leaf_of(key, layout, names)
        if i not in totals:
            raise ValueError(f"derived: no gradient of the output reaches {names[i]!r} (it does not require grad)")
        mine = np.asarray(yours.numpy() if isinstance(yours, Tensor) else yours)
        autograd = totals[i].astype(np.float64)
        rtol, atol = TOLERANCES.get(np.dtype(layout.tensors[i].dtype), TOLERANCES[np.dtype(np.float64)])
        entry: dict[str, Any] = {"yours": -1, "ok": False, "message": ""}
        if mine.dtype.kind not in "biuf":
            entry["message"] = f"yours is not an array of numbers ({type(yours).__name__}, dtype {mine.dtype})"
        else:
            mine = mine.astype(np.float64)
            entry["yours"] = values.add(mine)
            entry["ok"] = within(mine, autograd, rtol, atol)
            if not entry["ok"]:
                found = diagnose(
                    f"d{names[i]}",
                    [mine],
                    [autograd],
                    [np.full(autograd.shape, np.nan)],
                    ["the explored point"],
                    batch_size=batch,
                    rtol=rtol,
                    atol=atol,
                )
                entry["message"] = re.sub(r", finite differences n/a \([^)]*\)", "", found.message)
                entry["mistakes"] = found.mistakes
        out[str(i)] = entry
    return out


def explore(
    root: Tensor,
    path: str | os.PathLike | None = None,
    params: Mapping[str, Tensor] | Any = None,
    title: str | None = None,
    expand: Any = None,
    derived: Mapping[Any, Any] | None = None,
) -> Explorer:
    """Write the explorer page for the graph that computed ``root`` (usually the scalar loss).

    ``path``: where to write the HTML file. Without one, a notebook keeps the page in memory (the
    returned object displays inline); elsewhere it is written to [`default_path`][tinygrad_sm.explorer.default_path]
    and the path printed. ``params``: a mapping ``{path: Tensor}`` or a Module, to name the parameters.
    ``expand``: as in [`draw_graph`][tinygrad_sm.viz.draw_graph]; the default draws every composite's
    primitives, except in graphs of more than 400 recorded ops, which open with every composite
    collapsed (a click opens one). ``derived``: your own gradients, ``{"W": dW, "b": db}`` (keys: tensor
    names, leaves first, or the tensors), shown beside autograd's at each leaf with the diagnosis of
    [`check_derivation`][tinygrad_sm.derivation.check_derivation] where they differ.

    Works before and after ``loss.backward()`` (see "After backward" in the explorer's docs).
    """
    start = time.perf_counter()
    if not isinstance(root, Tensor):
        raise TypeError(f"explore needs the Tensor whose graph to show (the loss), got {type(root).__name__}")
    if not root.requires_grad or root._node is None:
        raise ValueError(
            "explore needs a result computed from tensors that require grad (the loss), "
            f"got a tensor of shape {root.shape} with no recorded graph"
        )
    with revived([root], "explore the graph"):
        page, steps, collapsed = _page(root, params, title, expand, derived)
    result = Explorer(page, None, steps, 0.0, collapsed)
    if path is None and not _in_notebook():
        path = default_path()
        print(f"explorer: wrote {path} (open it in a browser; pass path= to choose where)")
    if path is not None:
        result.save(path)
    result.seconds = time.perf_counter() - start
    return result


def _page(root: Tensor, params: Any, title: str | None, expand: Any, derived: Any) -> tuple[str, int, bool]:
    param_names: dict[int, str] = {}
    if params is not None:
        pairs = params.named_parameters() if hasattr(params, "named_parameters") else params.items()
        param_names = {id(tensor): str(name) for name, tensor in pairs}
    if expand is None:
        recorded = sum(1 for t in viz._collect([root]) if t._node is not None)
        expand = set() if recorded > COLLAPSE_ABOVE else None
    expand = {expand} if isinstance(expand, str) else None if expand is None else set(expand)
    layout = viz._Layout([root], param_names, expand)
    names = tensor_names(layout, param_names)
    values = Values()
    steps, totals = _steps(layout, root, values)
    hands = {
        str(i): [{**h, "hand": values.add(h["hand"]), "autograd": values.add(h["autograd"])} for h in found]
        for i, found in _patterns(layout, root, totals).items()
    }
    if len(explorer_layout.drawn_nodes(layout)) <= explorer_layout.DOT_LIMIT:
        graph = viz.draw_graph(root, params=params, expand=expand, max_nodes=2 * len(layout.tensors) + 2)
        svg = _render(graph.source)
    else:  # dot would take minutes: the page lays the graph out itself
        svg = ""
    tensors = layout.tensors
    nodes = [t._node for t in tensors]
    data = {
        "root": layout.index[id(root)],
        "ops": {n.name: _rule(n) for n in nodes if n is not None},
        "sources": {n.name: n.backward_source for n in nodes if getattr(n, "backward_source", "")},
        "tensors": {
            "name": names,
            "tex": [tex_text(name) for name in names],
            "shape": [list(t.shape) for t in tensors],
            "dtype": [str(t.dtype) for t in tensors],
            "kind": [_kind(t, root, param_names) for t in tensors],
            "node": layout.tensor_node,
            "opnode": [layout.op_node.get(i, "") for i in range(len(tensors))],
            "op": [n.name if n is not None else "" for n in nodes],
            "title": [op_title(n) if n is not None else "" for n in nodes],
            "detail": [viz._op_detail(n) if n is not None else "" for n in nodes],
            "inputs": [[layout.index[id(p)] for p in n.parents] if n is not None else [] for n in nodes],
            "value": [values.add(t._data) for t in tensors],
        },
        "steps": steps,
        "hands": hands,
        "derived": _derived(derived, layout, names, totals, values) if derived else {},
        "composite": layout.composite,
        "layered": not svg,
        "values": values.data(),
    }
    (katex_js, katex_hash), (js, js_hash) = _script("katex/katex.min.js"), _script("explorer.js")
    title = title or f"backprop explorer: {names[layout.index[id(root)]]}"
    page = PAGE.format(
        hashes=f"{katex_hash} {js_hash}",
        title=xml_text(title),
        katex_css=_katex_css(),
        css=(ASSETS / "explorer.css").read_text(encoding="utf-8"),
        svg=svg,
        data=script_json(data),
        katex_js=katex_js,
        js=js,
    )
    count = len(steps["forward"]) + len(steps["backward"]) + len(steps["leaf"])
    return page, count, bool(layout.composite)


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
    if kind.endswith(".py"):
        return loss_from_file(kind)
    raise ValueError(
        f"unknown example {kind!r}: choose {', '.join(EXAMPLES)} or a Python file (.py) that defines loss()"
    )
