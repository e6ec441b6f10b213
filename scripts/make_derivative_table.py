"""Write docs/derivatives.md, the derivative table, from ``tinygrad_sm.ops.rules()``.

    PYTHONPATH=. python scripts/make_derivative_table.py          # rewrite the page
    PYTHONPATH=. python scripts/make_derivative_table.py --check  # exit 1 if the page is stale

tests/test_derivative_table.py runs the check, so the page cannot drift from the primitives' ``math``.
The LaTeX is written between ``$...$`` for KaTeX (through ``pymdownx.arithmatex``); a ``|`` inside the
math would end a Markdown table cell, so it is written ``\\vert``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinygrad_sm import ops  # noqa: E402  (after the path is set)

PAGE = ROOT / "docs" / "derivatives.md"
FAMILY_ORDER = ["elementwise", "reduce", "linalg", "movement", "index", "window", "fused"]

HEADER = """---
hide:
  - toc
---

# Derivative table

Every primitive of `tinygrad_sm.ops`, its forward computation and its vector-Jacobian product:
$g$ is the gradient arriving at the output, $\\bar x$ the gradient the rule sends to input $x$.
Everything else in the library (softmax, cross-entropy, the losses, `clamp`, `norm`, `sort`, ...) is
composed from these, so autograd derives its gradient from this table.

This page is generated from the `math = (forward, vjp)` attribute of each primitive by
`scripts/make_derivative_table.py`; a test fails when it is out of date, so it cannot drift from the code.

| family | primitive | forward | vector-Jacobian product |
| --- | --- | --- | --- |
"""


def _math(latex: str) -> str:
    return "$" + latex.replace("|", r"\vert ").strip() + "$"


def render() -> str:
    def order(rule: tuple[str, str, str, str]) -> tuple[int, str]:
        family = rule[0]
        return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), family)

    rows = [
        f"| {family} | `{name}` | {_math(forward)} | {_math(vjp)} |"
        for family, name, forward, vjp in sorted(ops.rules(), key=order)
    ]
    return HEADER + "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    page = render()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text() != page:
            print(f"{PAGE.relative_to(ROOT)} is out of date: run PYTHONPATH=. python scripts/make_derivative_table.py")
            return 1
        return 0
    with tempfile.NamedTemporaryFile("w", dir=PAGE.parent, delete=False, suffix=".tmp") as handle:
        handle.write(page)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, PAGE)  # written atomically
    print(f"wrote {PAGE.relative_to(ROOT)} ({len(ops.rules())} primitives)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
