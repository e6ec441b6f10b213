"""Text that goes into Graphviz for ``viz``: names cut to a readable length (the full name in the
tooltip), empty names spelled out, and dot's own words when it fails. Kept apart from ``viz`` so the
drawing code stays one screenful per part."""

from __future__ import annotations

import subprocess
from typing import Any

from ._escape import dot_escstring

MAX_LABEL_CHARS = 60  # a name longer than this is cut, with an ellipsis, in the picture
MAX_TOOLTIP_CHARS = 2000  # the tooltip holds the full name up to this (dot fails on very long strings)
EMPTY_NAME = "(empty name)"


def _cut(text: Any, limit: int = MAX_LABEL_CHARS) -> str:
    """A name as the picture shows it: cut to ``limit`` characters with an ellipsis (the full name goes
    to the tooltip), and an empty name spelled out (an empty ``<I></I>`` is a syntax error for dot)."""
    text = str(text)
    if not text:
        return EMPTY_NAME
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _tooltip(text: Any) -> str | None:
    """The full name for the hover text when the label had to cut it; None when nothing was cut."""
    text = str(text)
    if len(text) <= MAX_LABEL_CHARS:
        return None
    shown = (
        text if len(text) <= MAX_TOOLTIP_CHARS else text[: MAX_TOOLTIP_CHARS - 1] + f"\u2026 ({len(text)} characters)"
    )
    from graphviz import nohtml  # quoted even when shaped <...>: not an HTML-like string

    return nohtml(dot_escstring(shown))


def _dot_stderr(source: bytes, fmt: str) -> str:
    """Run dot once more only to read what it says (the graphviz package loses stderr on a broken pipe)."""
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=source, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{type(error).__name__}: {error}"
    return done.stderr.decode("utf-8", "replace").strip() or f"dot exited with status {done.returncode}"
