"""The explorer page in Chromium: hostile names shown exactly and never run, the toolbar always in
view, edge labels apart and inside the picture, every node of the shipped examples named, and the
learner's derivation beside autograd's."""

import re

import numpy as np
import pytest
from browser import browser_page
from hostile_names import HOSTILE
from test_explorer import needs_dot, page_data

from tinygrad_sm import Tensor, explorer_layout
from tinygrad_sm import functional as F
from tinygrad_sm.explorer import example_loss, explore

EXAMPLES = ["softmax-ce", "mlp", "cnn"]


def hostile_graph():
    """Every hostile name on a leaf and on an intermediate (a tanh of it), all summed into the loss."""
    total = None
    for k, name in enumerate(HOSTILE):
        leaf = Tensor(np.full(2, 0.1 * (k + 1)), requires_grad=True, name=name)
        made = leaf.tanh()
        made.name = name + " (tanh)"
        total = made if total is None else total + made
    loss = total.sum()
    loss.name = HOSTILE[2]
    return loss


def typeset(text):
    """What KaTeX's typesetting of \\text{...} leaves the same: quotes made typographic, spaces joined."""
    text = text.replace("\u2019", "'").replace("\u2018", "`")
    return " ".join(re.split(r"[\s\u00a0\u2028\u2029]+", text))


def open_page(page, record, path):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    return dialogs


@needs_dot
@pytest.mark.parametrize("drawn_by", ["graphviz", "page"])
def test_hostile_names_are_shown_exactly_and_nothing_they_hold_runs(drawn_by, tmp_path, monkeypatch):
    if drawn_by == "page":  # the large-graph path: the page lays the picture out itself
        monkeypatch.setattr(explorer_layout, "DOT_LIMIT", 0)
    loss = hostile_graph()
    path = explore(loss, tmp_path / "hostile.html").path
    data = page_data(path.read_text())
    assert data["layered"] == (drawn_by == "page")
    names = data["tensors"]["name"]
    with browser_page() as (page, record):
        dialogs = open_page(page, record, path)
        steps = len(data["steps"]["forward"]) + len(data["steps"]["backward"]) + len(data["steps"]["leaf"])
        forward = data["steps"]["forward"]
        for step in range(steps):
            if step:
                page.keyboard.press("ArrowRight")
            shown = page.get_attribute("#panel h2", "data-name")
            tensor = forward[step] if step < len(forward) else None
            if tensor is not None:
                assert shown == names[tensor]  # the name, exactly as written
                # in the formula, through KaTeX's \text{...}: the name's characters, none lost
                katex = page.locator("#panel .formula .katex-html").first.text_content()
                assert typeset(katex).startswith(typeset(names[tensor])), (katex, names[tensor])
            highlighted = page.locator("#graph svg g.node.current text").first.text_content()
            expected = names[tensor] if tensor is not None else shown
            assert highlighted == (expected if len(expected) <= 60 else expected[:59] + "\u2026")
        for node in page.locator("#graph svg g.node").all():  # clicking a node runs nothing either
            node.click(force=True)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.url == path.as_uri()
    assert dialogs == [] and record["errors"] == [], (dialogs, record["errors"])
    assert all(url.startswith("file:") for url in record["requests"]), record["requests"]


@needs_dot
def test_a_megabyte_name_is_written_once_and_shown_whole(tmp_path):
    name = "n" * 1_000_000
    leaf = Tensor(np.ones(2), requires_grad=True, name=name)
    path = explore((leaf * 2).sum(), tmp_path / "big.html").path
    assert path.read_text().count(name) == 1  # in the data once; the picture and formulas cut it
    with browser_page() as (page, record):
        open_page(page, record, path)
        page.keyboard.press("End")
        assert page.get_attribute("#panel h2", "data-name") == name
    assert record["errors"] == []


@needs_dot
@pytest.mark.parametrize("kind", EXAMPLES)
def test_toolbar_stays_in_view_after_every_step(kind, tmp_path):
    loss, params = example_loss(kind)
    path = explore(loss, tmp_path / f"{kind}.html", params=params).path
    data = page_data(path.read_text())
    steps = len(data["steps"]["forward"]) + len(data["steps"]["backward"]) + len(data["steps"]["leaf"])
    with browser_page(width=900, height=420) as (page, record):  # a small window: the picture must scroll
        open_page(page, record, path)
        for step in range(steps):
            if step:
                page.keyboard.press("ArrowRight")
            box = page.evaluate(
                "(() => { const r = document.querySelector('#next').getBoundingClientRect();"
                " const h = document.querySelector('header').getBoundingClientRect();"
                " return [r.top, r.bottom, h.top, window.innerHeight, document.scrollingElement.scrollTop]; })()"
            )
            top, bottom, header_top, height, scrolled = box
            assert header_top >= 0 and top >= 0 and bottom <= height and scrolled == 0, (step, box)
    assert record["errors"] == []


def overlap(a, b, slack=0.5):
    return (
        a["x"] + slack < b["x"] + b["width"]
        and b["x"] + slack < a["x"] + a["width"]
        and a["y"] + slack < b["y"] + b["height"]
        and b["y"] + slack < a["y"] + a["height"]
    )


@needs_dot
@pytest.mark.parametrize("kind", EXAMPLES)
def test_edge_labels_never_overlap_and_stay_inside_the_picture(kind, tmp_path):
    loss, params = example_loss(kind)
    path = explore(loss, tmp_path / f"{kind}.html", params=params).path
    with browser_page() as (page, record):
        open_page(page, record, path)
        for key in ("End", "Home", "End"):  # all labels shown, hidden, and shown again
            page.keyboard.press(key)
        boxes = page.evaluate(
            "Array.from(document.querySelectorAll('#graph svg g.edge text'))"
            ".filter((t) => t.style.display !== 'none')"
            ".map((t) => { const b = t.getBoundingClientRect(); return {x: b.x, y: b.y, width: b.width, height: b.height, text: t.textContent}; })"
        )
        picture = page.evaluate(
            "(() => { const b = document.querySelector('#graph svg').getBoundingClientRect();"
            " return {x: b.x, y: b.y, width: b.width, height: b.height}; })()"
        )
    grads = [b for b in boxes if "\u2016" in b["text"] or re.match(r"^[-\d\[]", b["text"])]
    assert len(grads) >= 3, boxes  # the gradient labels are there
    for k, a in enumerate(boxes):
        assert picture["x"] <= a["x"] and a["x"] + a["width"] <= picture["x"] + picture["width"] + 0.5, a
        assert picture["y"] <= a["y"] and a["y"] + a["height"] <= picture["y"] + picture["height"] + 0.5, a
        for b in boxes[k + 1 :]:
            assert not overlap(a, b), (a, b)
    assert record["errors"] == []


@needs_dot
@pytest.mark.parametrize("kind", EXAMPLES)
def test_every_node_of_the_examples_is_named_after_the_derivation_or_the_code(kind):
    loss, params = example_loss(kind)
    data = page_data(explore(loss, params=params).html)
    names = data["tensors"]["name"]
    assert not [name for name in names if re.fullmatch(r"t\d+", name)], names
    if kind == "cnn":
        assert "unfold(x (images))" in names
        assert "transpose" in data["tensors"]["title"]  # the kernels as columns: K reshaped, then .T


def test_w_transpose_is_shown_as_a_transpose_of_w():
    W = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    x = Tensor(np.ones((4, 2)), name="x")
    data = page_data(explore((x @ W.T).tanh().sum()).html)
    names, titles = data["tensors"]["name"], data["tensors"]["title"]
    assert "W.T" in names and titles[names.index("W.T")] == "transpose"
    assert "x @ W.T" in names and "tanh(x @ W.T)" in names


@needs_dot
def test_browser_shows_the_learners_gradient_and_the_diagnosis_at_the_leaf(tmp_path):
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 3)), name="x")
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="W")
    loss = F.cross_entropy(x @ W, np.array([0, 1, 1, 0]))
    (expected,) = __import__("tinygrad_sm").autograd.grad(loss, [W], retain_graph=True)
    path = explore(loss, tmp_path / "d.html", derived={"W": -expected._data}).path
    with browser_page() as (page, record):
        open_page(page, record, path)
        page.keyboard.press("End")  # the leaf W
        yours = page.get_attribute("#panel [data-role=derived]", "data-values")
        verdict = page.locator("#panel [data-role=derived-verdict]").text_content()
    assert np.allclose([float(v) for v in __import__("json").loads(yours)], -expected._data.ravel())
    assert "sign error" in verdict
    assert record["errors"] == []


def many_heads(count):
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 8)), name="x")
    total = None
    for head in range(count):
        W = Tensor(rng.standard_normal((8, 3)) * 0.3, requires_grad=True, name=f"W{head}")
        loss = F.cross_entropy((x @ W).tanh(), np.array([0, 1, 2, 1]))
        total = loss if total is None else total + loss
    return total


@needs_dot
def test_a_large_graph_is_laid_out_by_the_page_in_tiles_and_steps_with_the_engine(tmp_path):
    loss = many_heads(120)  # about 1,200 ops: composites collapsed, about 1,000 drawn nodes
    path = explore(loss, tmp_path / "large.html").path
    data = page_data(path.read_text())
    assert data["layered"] and "<svg" not in path.read_text().split('id="explorer-data"')[0]
    names = data["tensors"]["name"]
    order = data["steps"]["forward"] + [s[0] for s in data["steps"]["backward"]] + [s[0] for s in data["steps"]["leaf"]]
    with browser_page() as (page, record):
        open_page(page, record, path)
        assert page.locator("#graph .layered-picture > svg").count() > 1  # tiles
        for step in range(40):
            if step:
                page.keyboard.press("ArrowRight")
            current = page.locator("#graph g.node.current")
            assert current.count() == 1
            if not names[order[step]].startswith("t"):
                shown = current.locator("text").first.text_content()
                assert shown in (names[order[step]], "cross_entropy"), (step, shown)
        page.keyboard.press("End")
        assert page.get_attribute("body", "data-step") == str(len(order) - 1)
        assert page.locator("#graph text.edge-grad").count() > 100
        page.locator("#graph g.node.composite").first.click()
        assert page.locator("#inner.open #inner-svg g.node").count() >= 8  # the ops inside and their tensors
    assert record["errors"] == []
