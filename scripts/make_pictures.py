"""Regenerate every picture in docs/img/ (each as SVG for the docs and a PNG twin for the README).

    python scripts/make_pictures.py

Needs the ``graphviz`` Python package and the Graphviz ``dot`` program (apt-get install graphviz).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from tinygrad_sm import Tensor, viz  # noqa: E402

IMAGES = ROOT / "docs" / "img"


def reused_node() -> object:
    """``a = 1; b = a + a; c = b + b``: one node per tensor, two edges per reuse, and in backward
    the flows along both edges summed (dc/db = 1 + 1, dc/da = 2 + 2)."""
    a = Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    c = b + b
    c.name = "c"
    return viz.draw_graph(c, show_values=True, show_backward=True,
                          title="a reused tensor: b = a + a, c = b + b (backward)")


PICTURES = {
    "softmax_ce_forward": lambda: viz.example_graph("softmax-ce", backward=False),
    "softmax_ce_backward": lambda: viz.example_graph("softmax-ce", backward=True),
    "mlp": lambda: viz.example_graph("mlp", backward=True),
    "reused_node": reused_node,
}


def main() -> int:
    failed = []
    for name, build in PICTURES.items():
        try:
            graph = build()
        except ImportError as error:  # e.g. a module the example needs is missing: draw the others
            print(f"skipped {name}: {error}", file=sys.stderr)
            failed.append(name)
            continue
        for suffix in (".svg", ".png"):
            print(viz.save(graph, IMAGES / f"{name}{suffix}").relative_to(ROOT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
