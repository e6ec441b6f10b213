"""How large a graph the explorer gives to Graphviz.

Graphviz's ``dot`` places a few hundred nodes well but its x-coordinate phase grows steeply (a
422-node picture took 30-90 s here), so above ``DOT_LIMIT`` drawn nodes the page lays the graph out
itself (``explorer_assets/explorer.js``: each node on the rank of its longest path from the inputs,
ordered within a rank by the mean position of its inputs, edges as straight lines), from the same
data it steps through, so the file carries no picture at all for a large graph.
"""

from __future__ import annotations

from typing import Any

DOT_LIMIT = 200  # drawn nodes up to which Graphviz lays out the picture


def drawn_nodes(layout: Any) -> set[str]:
    return set(layout.tensor_node) | set(layout.op_node.values())
