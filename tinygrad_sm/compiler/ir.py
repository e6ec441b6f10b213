"""What a trace is made of: variables (one per array), lines (one per recorded call), and the
refusal raised when something cannot be replayed faithfully."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """The trace met something it cannot replay faithfully; the reason names the op and the user's line."""


class Var:
    """One array of the program (SSA: every line makes new ones). ``tensor`` and ``grad_of`` give names."""

    __slots__ = ("array", "grad_of", "hint", "name", "tensor")

    def __init__(self, hint: str, tensor: Any = None, grad_of: Var | None = None, array: Any = None):
        self.hint, self.tensor, self.grad_of, self.array = hint, tensor, grad_of, array
        self.name: str | None = None  # given by codegen once the whole program is known


class Line:
    """``template.format(*vars)`` is the Python line; ``comment`` explains it; ``kind`` groups lines."""

    __slots__ = ("comment", "kind", "template", "vars")

    def __init__(self, template: str, vars: list, comment: str = "", kind: str = "forward"):
        self.template, self.vars, self.comment, self.kind = template, vars, comment, kind


def _plain_math(latex: str) -> str:
    """The LaTeX of ``math`` made readable in a comment."""
    text = latex
    for a, b in (
        (r"\bar ", "d"),
        (r"\,", " "),
        (r"\ ", " "),
        (r"\cdot", "*"),
        (r"\textstyle", ""),
        (r"\text", ""),
        (r"\tfrac12", "1/2"),
        (r"\frac1n", "(1/n)"),
        (r"\sum", "sum"),
        (r"\max", "max"),
        (r"\log", "log"),
        (r"\ln", "ln"),
        (r"\sqrt", "sqrt"),
        (r"\sigma", "sigma"),
        (r"\tanh", "tanh"),
        (r"\lnot", "not "),
        (r"\top", "T"),
        (r"\dots", "..."),
        (r"\#", "#"),
        (r"\in", "in"),
        ("^{b-1}", "^(b-1)"),
        ("{", ""),
        ("}", ""),
        ("\\", ""),
    ):
        text = text.replace(a, b)
    return " ".join(text.split())
