"""Names that used to break the pictures: empty scope names, names of 16,000 and 1,000,000 characters;
and a failure of ``dot`` reported with what dot said."""

from __future__ import annotations

import os
import shutil
import stat
import xml.etree.ElementTree as ET

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


def svg_texts(path) -> list[str]:
    return ["".join(t.itertext()) for t in ET.parse(path).getroot().iter(f"{SVG}text")]


def svg_tooltips(path) -> list[str]:
    root = ET.parse(path).getroot()
    return [a.get("{http://www.w3.org/1999/xlink}title") for a in root.iter(f"{SVG}a")]


def scoped_graph(tensor_name: str, scope_name: str):
    x = Tensor([1.0, 2.0], requires_grad=True, name=tensor_name)
    with name_scope(scope_name):
        loss = (x * 2.0).sum()
    return loss


@needs_dot
def test_an_empty_scope_name_renders_and_is_shown_as_empty(tmp_path):
    path = viz.save(viz.draw_graph(scoped_graph("x", "")), tmp_path / "empty.svg")
    assert viz.EMPTY_NAME in svg_texts(path)


@needs_dot
def test_an_empty_tensor_name_renders_and_is_shown_as_empty(tmp_path):
    path = viz.save(viz.draw_graph(scoped_graph("", "scope")), tmp_path / "empty.svg")
    assert viz.EMPTY_NAME in svg_texts(path)


@needs_dot
@pytest.mark.parametrize("length", [16_385, 1_000_000])
def test_very_long_names_are_cut_with_the_full_name_in_the_tooltip(tmp_path, length):
    name = "w" * (length - 1) + "!"
    graph = viz.draw_graph(scoped_graph(name, "s" * length), title="t" * length)
    path = viz.save(graph, tmp_path / "long.svg")
    texts = svg_texts(path)
    cut = "w" * (viz.MAX_LABEL_CHARS - 1) + "\u2026"
    assert cut in texts and "s" * (viz.MAX_LABEL_CHARS - 1) + "\u2026" in texts
    assert max(len(t) for t in texts) <= 4 * viz.MAX_LABEL_CHARS
    tooltips = [t for t in svg_tooltips(path) if t and t.startswith("www")]
    assert tooltips, "the cut name should be in a tooltip"
    if length <= viz.MAX_TOOLTIP_CHARS:
        assert name in tooltips
    else:
        assert any(t.endswith(f"\u2026 ({length} characters)") for t in tooltips)


def test_a_name_at_the_limit_is_not_cut():
    name = "n" * viz.MAX_LABEL_CHARS
    source = viz.draw_graph(scoped_graph(name, "scope")).source
    assert name in source and "\u2026" not in source and "tooltip" not in source


@pytest.mark.skipif(os.name != "posix", reason="a fake dot is a shell script")
def test_a_failing_dot_is_reported_with_what_it_said(tmp_path, monkeypatch):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake_dot = fake_bin / "dot"
    # exits at once without reading the graph: large input then meets a broken pipe
    fake_dot.write_text("#!/bin/sh\necho 'dot: out of coffee' >&2\nexit 3\n")
    fake_dot.chmod(fake_dot.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(fake_bin))
    for size in (10, 2_000_000):  # a small graph (dot's exit status) and a large one (a broken pipe)
        x = Tensor([1.0], requires_grad=True, name="x")
        graph = viz.draw_graph((x * 2.0).sum(), title="t")
        graph.attr(comment="c" * size)
        with pytest.raises(RuntimeError, match=r"Graphviz could not render .*out\.svg: .*dot: out of coffee"):
            viz.save(graph, tmp_path / "out.svg")
    assert not (tmp_path / "out.svg").exists()
