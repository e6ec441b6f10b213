"""Text written into the pictures and the explorer page, escaped for the context it lands in: one
helper per context, used wherever a name, dtype, value or op parameter is written.

A tensor's name is user input (a lab file, a shared model file), so it may hold quotes, angle
brackets, ``</script>``, ``<!--``, ``]]>``, Unicode line separators, TeX specials or a megabyte of
text. Each helper returns text that the context reads back as exactly the characters given (except
the few characters XML cannot carry at all: control characters and lone surrogates, shown as U+FFFD).

- ``dot_html``: inside a Graphviz HTML-like label ``<...>`` (the labels of ``viz``);
- ``dot_escstring``: a Graphviz attribute that is a plain (quoted) string, such as a tooltip;
  pass the result through ``graphviz.nohtml`` so that text shaped ``<...>`` is quoted, not read as HTML;
- ``xml_text``: SVG and HTML text and attribute values;
- ``script_json``: data for a ``<script type="application/json">`` block, read by ``JSON.parse``;
- ``tex_text``: text inside a KaTeX formula, as ``\\text{...}``.
"""

from __future__ import annotations

import html
import json
from typing import Any

_XML_UNSAFE = {0xFFFE, 0xFFFF}


def xml_clean(text: Any) -> str:
    """``text`` with the characters XML cannot carry (control characters but tab and newline, lone
    surrogates, U+FFFE/U+FFFF) replaced by U+FFFD; everything else kept."""
    text = str(text)
    if text.isprintable() and text.isascii():  # the common case, without a loop over the characters
        return text
    return "".join(
        "\ufffd" if (ch < " " and ch not in "\t\n") or 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) in _XML_UNSAFE else ch
        for ch in text
    )


def xml_text(text: Any) -> str:
    """Text or a quoted attribute value in SVG or HTML: ``& < > " '`` as character references."""
    return html.escape(xml_clean(text), quote=True)


def dot_html(text: Any) -> str:
    """Text inside a Graphviz HTML-like label: markup characters escaped, backslashes doubled
    (Graphviz would read ``\\N`` as the node's id), newlines as ``<BR/>``, tabs as spaces."""
    clean = xml_clean(text).replace("\t", " ")
    return html.escape(clean, quote=True).replace("\\", "\\\\").replace("\n", "<BR/>")


def dot_escstring(text: Any) -> str:
    """A Graphviz escString attribute value (tooltip): backslashes doubled so ``\\N``, ``\\n`` and
    ``\\"`` stay literal, control characters shown as U+FFFD. The graphviz package quotes it and
    escapes its quotes; wrap it in ``graphviz.nohtml`` so that ``<...>`` is not taken for HTML."""
    return "".join("\ufffd" if ch in "\t\n" else ch for ch in xml_clean(text)).replace("\\", "\\\\")


_SCRIPT_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: ASCII only (so U+2028/U+2029 and lone
    surrogates are ``\\u`` escapes), and ``< > &`` as ``\\u003c \\u003e \\u0026``, so neither
    ``</script>`` nor ``<!--`` can appear in the element. ``JSON.parse`` reads back the same data."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True, allow_nan=False).translate(_SCRIPT_UNSAFE)


_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "-": "-{}",  # no -- or --- ligature (an en or em dash)
    "'": "'{}",  # no '' ligature (a closing double quote)
    "`": "`{}",
}
_TEX_TABLE = str.maketrans(_TEX)
TEX_LIMIT = 200  # characters of a name written into a formula (the full name is in the heading above it)


def tex_text(text: Any, limit: int = TEX_LIMIT) -> str:
    """``text`` as KaTeX shows it literally: ``\\text{...}`` with TeX's special characters escaped and
    line breaks as spaces; a name longer than ``limit`` is cut with an ellipsis. KaTeX still typesets
    it: quotes become typographic (' as ’) and runs of spaces one space; the page shows the exact
    name beside every formula."""
    text = xml_clean(text)
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    text = "".join(" " if ch in "\n\t\u2028\u2029" else ch for ch in text)
    return r"\text{" + text.translate(_TEX_TABLE) + "}"
