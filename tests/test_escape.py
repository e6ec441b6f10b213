"""Escaping by context (``tinygrad_sm._escape``): each helper, fed hostile names, gives text that its
context reads back as exactly the name; and the pictures of ``viz`` carry hostile names as text only."""

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hostile_names import HOSTILE, JAVASCRIPT_URL, MEGABYTE

from tinygrad_sm import Tensor, viz
from tinygrad_sm._escape import dot_escstring, dot_html, script_json, tex_text, xml_clean, xml_text

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"), reason="Graphviz 'dot' is not installed"
)
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


@pytest.mark.parametrize("name", HOSTILE + ["\x00control\x07 and \ud800 lone surrogate"])
def test_xml_text_reads_back_as_the_name_in_text_and_attributes(name):
    element = ET.fromstring(f'<t a="{xml_text(name)}">{xml_text(name)}</t>')
    assert element.text == xml_clean(name) and element.get("a") == xml_clean(name)


def test_xml_clean_keeps_every_character_xml_can_carry():
    assert all(xml_clean(name) == name for name in HOSTILE)
    assert xml_clean("a\x00b\ud800c\uffff") == "a\ufffdb\ufffdc\ufffd"


@pytest.mark.parametrize("name", HOSTILE + [MEGABYTE])
def test_script_json_parses_back_and_cannot_end_or_comment_out_the_script(name):
    text = script_json({"name": name, "list": [name]})
    assert json.loads(text) == {"name": name, "list": [name]}
    assert not re.search(r"[<>&\u2028\u2029]", text) and text.isascii()


def test_script_json_refuses_numbers_json_cannot_carry():
    with pytest.raises(ValueError):
        script_json({"norm": float("nan")})


@pytest.mark.parametrize("special", list("%#&_{}\\^~$"))
def test_tex_text_escapes_every_special_character(special):
    text = tex_text(f"a{special}b")
    assert text.startswith(r"\text{") and text.endswith("}")
    inner = text[len(r"\text{") : -1]
    assert f"a{special}b" not in inner  # never raw: each special is written as its escape


def test_tex_text_cuts_a_megabyte_name_and_keeps_line_separators_out():
    assert len(tex_text(MEGABYTE)) < 300
    assert "\u2028" not in tex_text("a\u2028b") and "\n" not in tex_text("a\nb")


def test_dot_html_and_escstring_escape_markup_and_backslashes():
    assert dot_html("<b>&</b>\n\\N") == "&lt;b&gt;&amp;&lt;/b&gt;<BR/>\\\\N"
    assert dot_escstring('\\N "q"') == '\\\\N "q"'  # quotes are the graphviz package's to escape


def named_graph(names):
    """One leaf per name, added together: every name is a box in the picture."""
    leaves = [Tensor(np.ones(2), requires_grad=True, name=name) for name in names]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    out = total.sum()
    out.name = "out"
    return out


def rendered(graph) -> ET.Element:
    svg = subprocess.run(["dot", "-Tsvg"], input=graph.source.encode("utf-8"), capture_output=True, check=True)
    return ET.fromstring(svg.stdout)


@needs_dot
def test_draw_graph_shows_hostile_names_as_text_and_adds_no_attribute():
    svg = rendered(viz.draw_graph(named_graph(HOSTILE), show_backward=True))
    texts, tips = [], []
    for group in svg.iter(f"{SVG_NS}g"):
        if group.get("class") == "node":
            texts.append("".join(t.text or "" for t in group.iter(f"{SVG_NS}text")))
            tips += [a.get(XLINK_TITLE) for a in group.iter(f"{SVG_NS}a") if a.get(XLINK_TITLE)]
    for name in HOSTILE:
        if len(name) <= viz.MAX_LABEL_CHARS:
            assert any(text.startswith(name.replace("\u2028", "\u2028")) for text in texts), name
        else:  # cut in the label, whole in the tooltip
            assert name in tips, name
    # the name shaped <... URL="javascript:..." label="replaced" ...> stayed a name: no link, no label swapped
    assert not any(a.get("{http://www.w3.org/1999/xlink}href") or a.get("href") for a in svg.iter())
    assert "replaced" not in "".join(texts).replace(JAVASCRIPT_URL[: viz.MAX_LABEL_CHARS - 1], "")
    assert sum(1 for text in texts if text.startswith(JAVASCRIPT_URL[:20])) == 1


@needs_dot
def test_draw_graph_renders_a_megabyte_name():
    svg = rendered(viz.draw_graph(named_graph([MEGABYTE, "b"])))
    tips = [a.get(XLINK_TITLE) for a in svg.iter(f"{SVG_NS}a") if a.get(XLINK_TITLE)]
    assert any(tip.startswith("m" * 100) and tip.endswith("(1000000 characters)") for tip in tips)
