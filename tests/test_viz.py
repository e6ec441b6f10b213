"""Specification of the graph pictures (``tinygrad_sm.viz``): structure of the DOT source, labels and
escaping, gradient annotations, collapsing of composites and of huge graphs, and the files ``save``
writes. Tests that run the Graphviz ``dot`` program skip where it is missing, except in CI."""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

if not os.environ.get("CI"):  # in CI the graphviz package must be there
    pytest.importorskip("graphviz")

from tinygrad_sm import Tensor, viz
from tinygrad_sm.autograd import name_scope

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="the Graphviz 'dot' program is not installed (apt-get install graphviz)",
)
SVG = "{http://www.w3.org/2000/svg}"
LOGITS = [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]
TARGETS = np.array([0, 2])


def cross_entropy_from_primitives(logits: Tensor, targets: np.ndarray) -> Tensor:
    """The softmax cross-entropy the way ``functional`` records it: a detached max shift r, then
    ``log sum_k exp(z_k - r) - (z_y - r)`` (sub, exp, sum, log; getitem, sub) and the mean."""
    with name_scope("cross_entropy"):
        shift = Tensor(logits.detach().numpy().max(axis=1, keepdims=True), name="max (detached)")
        shifted = logits - shift
        log_normaliser = shifted.exp().sum(axis=1).log()
        return (log_normaliser - shifted[np.arange(logits.shape[0]), targets]).mean()


def softmax_ce(name: str = "logits") -> tuple[Tensor, Tensor]:
    logits = Tensor(LOGITS, requires_grad=True, name=name)
    loss = cross_entropy_from_primitives(logits, TARGETS)
    loss.name = "loss"
    return logits, loss


def expected_logits_gradient() -> np.ndarray:
    logits = np.array(LOGITS)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return (probs - np.eye(3)[TARGETS]) / len(TARGETS)


def plain(label: str) -> str:
    """The text a reader sees in an HTML-like label: rows and line breaks as newlines."""
    text = label.replace("<BR/>", "\n").replace("</TR>", "\n")
    return html.unescape(re.sub(r"<[^>]*>", "", text)).replace("\\\\", "\\").strip()


def parse(graph) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str]]]:
    """Nodes ``{id: (text, attributes)}`` and edges ``[(tail, head, label text)]`` of the DOT body."""
    nodes, edges = {}, []
    for line in graph.body:
        edge = re.match(r"\s*(\w+) -> (\w+)(?: \[(.*)\])?\s*$", line)
        if edge:
            label = re.search(r"label=<(.*)>[ \]]", edge.group(3) + "]") if edge.group(3) else None
            edges.append((edge.group(1), edge.group(2), plain(label.group(1)) if label else ""))
            continue
        node = re.match(r"\s*(\w+) \[label=<(.*)>( .*)\]\s*$", line)
        if node and node.group(1) not in ("graph", "node", "edge"):
            nodes[node.group(1)] = (plain(node.group(2)), node.group(3))
    return nodes, edges


def node_named(nodes: dict, title: str) -> str:
    matches = [key for key, (text, _) in nodes.items() if text.split("\n")[0] == title]
    assert len(matches) == 1, f"expected one node titled {title!r}, found {matches} in {nodes}"
    return matches[0]


def numbers(text: str) -> np.ndarray:
    return np.array([float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)])


def ops_of(nodes: dict) -> list[str]:
    return sorted(text.split("\n")[0] for text, attrs in nodes.values() if "ellipse" in attrs)


def svg_texts(path) -> str:
    root = ET.parse(path).getroot()
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


# ---------------------------------------------------------------- structure


def test_softmax_ce_graph_has_the_expected_ops_and_edges():
    _, loss = softmax_ce()
    nodes, edges = parse(viz.draw_graph(loss))
    assert ops_of(nodes) == sorted(["sub", "exp", "sum", "log", "getitem", "sub", "mean"])
    logits, shift, out = node_named(nodes, "logits"), node_named(nodes, "max (detached)"), node_named(nodes, "loss")
    first_sub = [head for tail, head, label in edges if tail == logits]
    assert len(first_sub) == 1 and nodes[first_sub[0]][0] == "sub"
    assert (logits, first_sub[0], "lhs") in edges and (shift, first_sub[0], "rhs") in edges
    consumers = {}
    for tail, head, _ in edges:
        consumers.setdefault(tail, []).append(head)

    def ops_to_loss(op: str) -> list[str]:  # follow op -> its output -> its one consumer ... -> loss
        names = []
        while True:
            names.append(nodes[op][0].split("\n")[0])
            output = consumers[op][0]
            if output == out:
                return names
            op = consumers[output][0]

    shifted = consumers[first_sub[0]][0]
    # the shifted logits feed the normaliser log Q and the picked z_y - r; both meet in C = log Q - z_y
    assert sorted(ops_to_loss(op) for op in consumers[shifted]) == [
        ["exp", "sum", "log", "sub", "mean"],
        ["getitem", "sub", "mean"],
    ]


def test_tensors_are_boxes_with_name_shape_and_dtype_and_ops_are_ellipses():
    weight = Tensor(np.ones((3, 2), dtype=np.float64), requires_grad=True, name="weight")
    out = (Tensor(np.ones((4, 3)), name="x") @ weight).relu()
    nodes, edges = parse(viz.draw_graph(out))
    text, attrs = nodes[node_named(nodes, "weight")]
    assert "box" in attrs and "(3, 2) float64" in text
    assert "ellipse" in nodes[node_named(nodes, "matmul")][1]
    built = [t.split("\n")[0] for t, a in nodes.values() if "box" in a]
    assert "x @ weight" in built and "relu(x @ weight)" in built  # unnamed results named after the code
    assert {label for _, _, label in edges} == {"", "lhs", "rhs"}


def test_colours_follow_the_legend():
    weight = Tensor([[1.0, 2.0]], requires_grad=True)
    features = Tensor([[3.0], [4.0]], requires_grad=True, name="features")
    loss = (features @ weight * 2.0).sum()
    loss.name = "loss"
    nodes, _ = parse(viz.draw_graph(loss, params={"layer.weight": weight}))
    fill = lambda title: re.search(r'fillcolor="([^"]+)"', nodes[node_named(nodes, title)][1]).group(1)
    assert fill("layer.weight") == viz.COLOURS["parameter"]
    assert fill("features") == viz.COLOURS["leaf"]
    assert fill("2") == viz.COLOURS["constant"]
    assert fill("loss") == viz.COLOURS["output"]
    intermediate = [key for key, (text, _) in nodes.items() if text.startswith("features @ layer.weight")]
    assert intermediate and all(viz.COLOURS["intermediate"] in nodes[key][1] for key in intermediate)
    assert fill("matmul") == viz.COLOURS["op"]
    for legend_colour in viz.COLOURS.values():
        assert legend_colour in viz.__doc__ or legend_colour == viz.COLOURS["summary"]


def test_params_accept_a_module_with_named_parameters():
    class TinyModule:
        def __init__(self):
            self.weight = Tensor([[0.5, -1.0]], requires_grad=True)

        def named_parameters(self):
            yield "layers.0.weight", self.weight

    module = TinyModule()
    loss = (Tensor([[1.0], [2.0]]) @ module.weight).sum()
    nodes, _ = parse(viz.draw_graph(loss, params=module))
    assert viz.COLOURS["parameter"] in nodes[node_named(nodes, "layers.0.weight")][1]


def test_a_list_of_roots_draws_both_outputs_sharing_their_inputs():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    first, second = (x * 2.0).sum(), (x * 3.0).sum()
    first.name, second.name = "first", "second"
    nodes, _ = parse(viz.draw_graph([first, second]))
    node_named(nodes, "first"), node_named(nodes, "second"), node_named(nodes, "x")


def test_rankdir_and_title_reach_the_graph_attributes():
    _, loss = softmax_ce()
    graph = viz.draw_graph(loss, rankdir="LR", title="my title")
    assert "rankdir=LR" in graph.source and "my title" in graph.source
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(loss, rankdir="sideways")


# ---------------------------------------------------------------- composites


def test_composite_primitives_are_drawn_inside_nested_labelled_clusters():
    from tinygrad_sm.functional import cross_entropy

    logits = Tensor(LOGITS, requires_grad=True, name="logits")
    soft_targets = np.eye(3)[TARGETS]  # soft targets: cross_entropy calls log_softmax, a nested composite
    source = viz.draw_graph(cross_entropy(logits, soft_targets)).source
    outer = source.index("label=<<I>cross_entropy</I>>")
    inner = source.index("label=<<I>log_softmax</I>>")
    assert source.count("subgraph cluster_") == 2 and outer < inner
    cluster_body = source[inner : source.index("}", inner)]
    assert "r = max z (detached)" in cluster_body and "exp" in cluster_body  # the shift belongs to the composite
    assert "<B>logits</B>" not in cluster_body  # the input stays outside


def test_group_composites_false_draws_no_clusters():
    _, loss = softmax_ce()
    assert "subgraph" not in viz.draw_graph(loss, group_composites=False).source


def test_composites_not_in_expand_become_one_op_node():
    _, loss = softmax_ce()
    nodes, edges = parse(viz.draw_graph(loss, expand=set()))
    assert ops_of(nodes) == ["cross_entropy"]
    composite, logits = node_named(nodes, "cross_entropy"), node_named(nodes, "logits")
    assert nodes[composite][0] == "cross_entropy\ncomposite, 7 ops" and "peripheries=2" in nodes[composite][1]
    assert (logits, composite, "") in edges and (composite, node_named(nodes, "loss"), "") in edges
    from tinygrad_sm.functional import cross_entropy

    soft_loss = cross_entropy(Tensor(LOGITS, requires_grad=True), np.eye(3)[TARGETS])
    nodes, _ = parse(viz.draw_graph(soft_loss, expand={"cross_entropy"}))  # -(t * log_softmax(z)).sum(1).mean()
    assert ops_of(nodes) == ["log_softmax", "mean", "mul", "neg", "sum"]


def test_two_calls_of_one_composite_get_two_clusters():
    logits = Tensor(LOGITS, requires_grad=True, name="logits")
    loss = cross_entropy_from_primitives(logits, TARGETS) + cross_entropy_from_primitives(logits * 2.0, TARGETS)
    source = viz.draw_graph(loss).source
    assert source.count("label=<<I>cross_entropy</I>>") == 2
    nodes, _ = parse(viz.draw_graph(loss, expand=set()))
    assert ops_of(nodes) == ["add", "cross_entropy", "cross_entropy", "mul"]


def test_the_functional_cross_entropy_is_grouped_and_has_its_primitives():
    functional = pytest.importorskip("tinygrad_sm.functional")
    logits = Tensor(LOGITS, requires_grad=True, name="logits")
    loss = functional.cross_entropy(logits, TARGETS)
    nodes, edges = parse(viz.draw_graph(loss))
    names = set(ops_of(nodes))
    assert {"exp", "sum", "log"} <= names
    assert "label=<<I>cross_entropy</I>>" in viz.draw_graph(loss).source
    assert any(tail == node_named(nodes, "logits") for tail, _, _ in edges)
    nodes, _ = parse(viz.draw_graph(loss, show_backward=True))
    shown = numbers(nodes[node_named(nodes, "logits")][0].split("(p \u2212 onehot(y)) / n =")[1])
    loss.backward()
    np.testing.assert_allclose(shown, logits.grad.detach().numpy().ravel(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(logits.grad.detach().numpy(), expected_logits_gradient(), rtol=1e-5)


# ---------------------------------------------------------------- values and gradients


def test_show_values_rounds_small_tensors_and_summarises_large_ones():
    small = Tensor([3.14159265, -2.7182818], requires_grad=True, name="small")
    large = Tensor(np.arange(25.0).reshape(5, 5), requires_grad=True, name="large")
    loss = small.sum() + large.sum()
    nodes, _ = parse(viz.draw_graph(loss, show_values=True))
    assert "[3.142, -2.718]" in nodes[node_named(nodes, "small")][0]
    large_text = nodes[node_named(nodes, "large")][0]
    assert "mean 12" in large_text and "max 24" in large_text and "13, 14" not in large_text


def test_show_grads_shows_the_leaves_grad_values():
    logits, loss = softmax_ce()
    weight = Tensor(np.full((2, 3), 0.5), requires_grad=True, name="weight")
    loss = loss + (weight * logits).sum()
    loss.backward()
    nodes, _ = parse(viz.draw_graph(loss, show_grads=True))
    for leaf in (logits, weight):
        text = nodes[node_named(nodes, leaf.name)][0]
        shown = numbers(text.split(".grad = ")[1])
        np.testing.assert_allclose(shown, leaf.grad.detach().numpy().ravel(), rtol=1e-3, atol=1e-4)


def test_an_uncomputed_gradient_is_an_em_dash_and_a_zero_gradient_is_zero():
    used = Tensor([1.0, 2.0], requires_grad=True, name="used")
    zeroed = Tensor([3.0, 4.0], requires_grad=True, name="zeroed")
    loss = (used * 1.0 + zeroed * 0.0).sum()
    graph = viz.draw_graph(loss, show_grads=True)
    nodes, _ = parse(graph)
    assert nodes[node_named(nodes, "used")][0].endswith(".grad = \u2014")
    assert "no backward yet" in graph.source
    loss.backward()
    used.grad = None  # as after zero_grad(): not computed, unlike zeroed's gradient of zeros
    graph = viz.draw_graph(loss, show_grads=True)
    nodes, _ = parse(graph)
    assert nodes[node_named(nodes, "used")][0].endswith(".grad = \u2014")
    assert nodes[node_named(nodes, "zeroed")][0].endswith(".grad = [0, 0]")
    assert "no backward yet" not in graph.source


def test_show_backward_reverses_the_edges_and_labels_the_gradient_into_the_logits():
    logits, loss = softmax_ce()
    graph = viz.draw_graph(loss, show_backward=True)
    nodes, edges = parse(graph)
    logits_id = node_named(nodes, "logits")
    assert all(tail != logits_id for tail, _, _ in edges)  # every edge now points towards the inputs
    into_logits = [label for _, head, label in edges if head == logits_id]
    assert len(into_logits) == 1 and into_logits[0].startswith("lhs: ")
    expected = expected_logits_gradient()
    np.testing.assert_allclose(numbers(into_logits[0][5:]), expected.ravel(), rtol=1e-3, atol=1e-4)
    text = nodes[logits_id][0]
    assert "(p \u2212 onehot(y)) / n" in text and "(p \u2212 onehot(y)) / n" in graph.source.split("label=")[-1]
    np.testing.assert_allclose(numbers(text.split("/ n =")[1]), expected.ravel(), rtol=1e-3, atol=1e-4)
    loss.backward()
    np.testing.assert_allclose(logits.grad.detach().numpy(), expected, rtol=1e-5)  # the picture agrees with backward


def test_show_backward_splits_the_flow_at_a_reused_tensor_and_sums_it():
    a = Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    c = b + b
    c.name = "c"
    nodes, edges = parse(viz.draw_graph(c, show_backward=True))
    a_id, b_id = node_named(nodes, "a"), node_named(nodes, "b")
    assert sorted(label for _, head, label in edges if head == b_id) == ["lhs: 1", "rhs: 1"]
    assert sorted(label for _, head, label in edges if head == a_id) == ["lhs: 2", "rhs: 2"]
    assert nodes[a_id][0].endswith("\u2202c/\u2202a = 4") and nodes[b_id][0].endswith("\u2202c/\u2202b = 2")


def test_show_backward_leaves_grad_alone_and_works_after_backward():
    logits, loss = softmax_ce()
    before = viz.draw_graph(loss, show_backward=True).source
    assert logits.grad is None
    loss.backward(retain_graph=True)
    assert viz.draw_graph(loss, show_backward=True).source == before
    loss.backward()  # releases the graph: each op is rebuilt from its recorded inputs for the picture
    assert viz.draw_graph(loss, show_backward=True).source == before
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        loss.backward()  # the picture did not keep the graph alive: a second backward still refuses


# ---------------------------------------------------------------- escaping

HOSTILE = 'he said "hi" {x} <b>bold</b> & \\N \\" back\\ ]; node [x=1] \\'


def test_a_hostile_name_cannot_change_the_dot_structure():
    x = Tensor([1.0], requires_grad=True, name=HOSTILE)
    graph = viz.draw_graph((x * 2.0).sum(), title=HOSTILE)
    nodes, edges = parse(graph)
    assert len(nodes) == 6 and len(edges) == 5  # x, 2, mul, its output, sum, the root
    assert nodes[node_named(nodes, HOSTILE)][0].startswith(HOSTILE)


@needs_dot
def test_a_hostile_name_renders_literally_in_svg(tmp_path):
    x = Tensor([1.0], requires_grad=True, name=HOSTILE)
    y = Tensor([2.0], requires_grad=True, name="two\nlines\x01")
    path = viz.save(viz.draw_graph((x * y).sum(), title=HOSTILE), tmp_path / "hostile.svg")
    texts = svg_texts(path).split("\n")
    assert texts.count(HOSTILE) == 2  # the node and the caption
    assert "two" in texts and "lines\ufffd" in texts


# ---------------------------------------------------------------- rendering and files


@needs_dot
def test_svg_output_is_well_formed_and_shows_op_and_tensor_labels(tmp_path):
    _, loss = softmax_ce()
    path = viz.save(viz.draw_graph(loss, show_values=True), tmp_path / "ce.svg")
    text = svg_texts(path)
    for label in ("exp", "log", "getitem", "logits", "max (detached)", "loss", "(2, 3) float32", "cross_entropy"):
        assert label in text


@needs_dot
def test_png_output_has_the_png_signature_and_real_content(tmp_path):
    _, loss = softmax_ce()
    data = viz.save(viz.draw_graph(loss), tmp_path / "ce.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1024


@needs_dot
@pytest.mark.parametrize(
    "name, start",
    [
        ("g.svg", b"<?xml"),
        ("g.png", b"\x89PNG"),
        ("g.pdf", b"%PDF"),
        ("g.dot", b"digraph"),
        ("g.gv", b"digraph"),
        ("g", b"<?xml"),
    ],
)
def test_save_writes_exactly_the_requested_file(tmp_path, name, start):
    _, loss = softmax_ce()
    written = viz.save(viz.draw_graph(loss), tmp_path / "sub" / name)
    assert written == tmp_path / "sub" / name
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == [name]
    assert written.read_bytes().startswith(start)


def test_save_rejects_a_suffix_it_cannot_write(tmp_path):
    _, loss = softmax_ce()
    with pytest.raises(ValueError, match=r"\.svg"):
        viz.save(viz.draw_graph(loss), tmp_path / "graph.jpeg")


def test_missing_dot_raises_a_clear_error_and_writes_the_dot_source(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    _, loss = softmax_ce()
    with pytest.raises(viz.GraphvizNotFoundError) as caught:
        viz.save(viz.draw_graph(loss), tmp_path / "loss.svg")
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message and "conda" in message
    assert str(tmp_path / "loss.dot") in message
    assert (tmp_path / "loss.dot").read_text().startswith("digraph") and not (tmp_path / "loss.svg").exists()


def test_a_missing_graphviz_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    _, loss = softmax_ce()
    with pytest.raises(ImportError, match="pip install graphviz"):
        viz.draw_graph(loss)


# ---------------------------------------------------------------- large graphs


def ten_thousand_op_chain() -> Tensor:
    value = Tensor([1.0, 2.0], requires_grad=True, name="x")
    for _ in range(5000):
        value = value * 1.0001 + 0.5
    return value


def test_a_large_graph_is_cut_to_max_nodes_with_a_summary_node():
    nodes, edges = parse(viz.draw_graph(ten_thousand_op_chain(), max_nodes=50))
    assert len(nodes) == 50
    summary = nodes["summary"][0]
    counts = dict(re.findall(r"(\w+)\u00d7(\d+)", summary))
    kept_ops = ops_of(nodes)
    assert int(counts["add"]) + kept_ops.count("add") == 5000 and int(counts["mul"]) + kept_ops.count("mul") == 5000
    assert any(tail == "summary" for tail, _, _ in edges)


@needs_dot
def test_a_ten_thousand_op_graph_renders_under_the_node_limit_in_seconds(tmp_path):
    root = ten_thousand_op_chain()
    start = time.perf_counter()
    graph = viz.draw_graph(root, show_values=True)
    viz.save(graph, tmp_path / "chain.svg")
    elapsed = time.perf_counter() - start
    nodes, _ = parse(graph)
    assert len(nodes) <= 200 and "more nodes" in nodes["summary"][0]
    assert elapsed < 10, f"drawing and rendering took {elapsed:.1f} s"


# ---------------------------------------------------------------- the command-line examples


@needs_dot
@pytest.mark.parametrize("kind", ["softmax-ce", "mlp"])
def test_graph_command_writes_the_example_picture(tmp_path, kind):
    pytest.importorskip("tinygrad_sm.functional")
    if kind == "mlp":
        pytest.importorskip("tinygrad_sm.nn")
    out = tmp_path / f"{kind}.svg"
    assert viz.graph_command(kind, str(out)) == str(out)
    text = svg_texts(out)
    assert "loss" in text and "\u2202loss/\u2202" in text
    if kind == "softmax-ce":
        assert "(p \u2212 onehot(y)) / n" in text
    else:
        assert "weight" in text


def test_graph_command_rejects_an_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match="softmax-ce"):
        viz.graph_command("resnet", str(tmp_path / "x.svg"))


def test_a_linear_layer_product_is_named_with_its_transpose():
    # nn.Linear records x @ W.T as ONE matmul node (transpose_b): its name must say .T, not x @ W
    from tinygrad_sm import nn

    layer = nn.Linear(3, 2)
    out = layer(Tensor(np.ones((4, 3), np.float32), name="x"))
    nodes, _ = parse(viz.draw_graph(out, params=layer))
    built = [t.split("\n")[0] for t, a in nodes.values() if "box" in a]
    assert "x @ weight.T" in built
