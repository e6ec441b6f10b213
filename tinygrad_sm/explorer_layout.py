"""A plain layered drawing for the explorer's large graphs, where Graphviz would take minutes.

Graphviz's ``dot`` places a few hundred nodes well but its x-coordinate phase grows steeply (a
422-node picture took 30-90 s here), so above ``DOT_LIMIT`` drawn nodes the explorer draws the graph
itself: each node on the rank of its longest path from the inputs, ordered within a rank by the
mean position of its inputs, edges as straight lines. The SVG has Graphviz's structure
(``<g class="node"><title>name</title>``), so the page's script treats both alike.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from .viz import COLOURS

DOT_LIMIT = 200  # drawn nodes up to which Graphviz lays out the picture
RANK_GAP, NODE_GAP, HEIGHT, CHAR = 64, 14, 34, 7.0


def drawn_nodes(layout: Any) -> set[str]:
    return set(layout.tensor_node) | set(layout.op_node.values())


def _label(layout: Any, name: str, names: list[str], sizes: dict[str, int]) -> tuple[str, str, str, str]:
    """(first line, second line, shape, fill) of one drawn node; ``sizes``: ops per drawn node."""
    if name in layout.composite:
        return layout.composite[name], f"composite, {sizes[name]} ops", "ellipse2", COLOURS["composite"]
    if name.startswith("op"):
        return layout.tensors[int(name[2:])]._node.name, "", "ellipse", COLOURS["op"]
    i = int(name[1:])
    tensor = layout.tensors[i]
    kind = (
        "output"
        if id(tensor) in layout.root_ids
        else "parameter"
        if id(tensor) in layout.param_names
        else "intermediate"
        if tensor._node is not None
        else "leaf"
        if tensor.requires_grad
        else "constant"
    )
    return names[i], f"{tensor.shape} {tensor.dtype}", "box", COLOURS[kind]


def layered_svg(layout: Any, names: list[str]) -> str:
    nodes = sorted(drawn_nodes(layout), key=lambda n: (n[0], n))
    inputs_of: dict[str, list[str]] = defaultdict(list)
    outputs_of: dict[str, list[str]] = defaultdict(list)
    for tail, head, _ in layout.edges:
        inputs_of[head].append(tail)
        outputs_of[tail].append(head)
    # ranks by longest path, in a topological order (Kahn), iteratively
    waiting = {n: len(inputs_of[n]) for n in nodes}
    ready = [n for n in nodes if waiting[n] == 0]
    rank: dict[str, int] = {n: 0 for n in ready}
    order: list[str] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for head in outputs_of[node]:
            rank[head] = max(rank.get(head, 0), rank[node] + 1)
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    sizes: dict[str, int] = defaultdict(int)
    for op in layout.op_node.values():
        sizes[op] += 1
    rows: dict[int, list[str]] = defaultdict(list)
    for node in order:
        rows[rank[node]].append(node)
    boxes: dict[str, tuple[float, float, float, tuple]] = {}  # centre x, centre y, width, label
    width_of_page = 0.0
    for r in sorted(rows):

        def mean_input_x(node: str) -> float:
            xs = [boxes[t][0] for t in inputs_of[node] if t in boxes]
            return sum(xs) / len(xs) if xs else 0.0

        x = 10.0
        for node in sorted(rows[r], key=mean_input_x):
            label = _label(layout, node, names, sizes)
            width = max(60.0, CHAR * max(len(label[0]), len(label[1])) + 18)
            x = max(x, mean_input_x(node) - width / 2)
            boxes[node] = (x + width / 2, 20 + r * RANK_GAP + HEIGHT / 2, width, label)
            x += width + NODE_GAP
        width_of_page = max(width_of_page, x)
    height = 40 + (max(rows) + 1 if rows else 1) * RANK_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_of_page + 10:.0f}pt" height="{height:.0f}pt" '
        f'viewBox="0 0 {width_of_page + 10:.0f} {height:.0f}" font-family="Helvetica,Arial,sans-serif">',
        '<g class="graph">',
    ]
    for number, (tail, head, label) in enumerate(layout.edges):
        (x1, y1, _, _), (x2, y2, _, _) = boxes[tail], boxes[head]
        y1, y2 = y1 + HEIGHT / 2, y2 - HEIGHT / 2
        text = (
            f'<text x="{(x1 + x2) / 2 + 4:.1f}" y="{(y1 + y2) / 2:.1f}" font-size="9">{html.escape(label)}</text>'
            if label
            else ""
        )
        parts.append(
            f'<g id="edge{number}" class="edge"><title>{html.escape(tail)}-&gt;{html.escape(head)}</title>'
            f'<path fill="none" stroke="#555555" d="M{x1:.1f},{y1:.1f}L{x2:.1f},{y2:.1f}"/>'
            f'<polygon fill="#555555" stroke="#555555" points="{x2 - 3:.1f},{y2 - 6:.1f} {x2 + 3:.1f},'
            f'{y2 - 6:.1f} {x2:.1f},{y2:.1f}"/>{text}</g>'
        )
    for number, (node, (x, y, width, (first, second, shape, fill))) in enumerate(boxes.items()):
        left, top = x - width / 2, y - HEIGHT / 2
        if shape == "box":
            outline = (
                f'<path fill="{fill}" stroke="#000" d="M{left + 6:.1f},{top:.1f}h{width - 12:.1f}q6,0 6,6'
                f'v{HEIGHT - 12}q0,6 -6,6h-{width - 12:.1f}q-6,0 -6,-6v-{HEIGHT - 12}q0,-6 6,-6z"/>'
            )
        else:
            outline = f'<ellipse fill="{fill}" stroke="#000" cx="{x:.1f}" cy="{y:.1f}" rx="{width / 2:.1f}" ry="{HEIGHT / 2}"/>'
            if shape == "ellipse2":
                outline += (
                    f'<ellipse fill="none" stroke="#000" cx="{x:.1f}" cy="{y:.1f}" rx="{width / 2 - 3:.1f}" '
                    f'ry="{HEIGHT / 2 - 3}"/>'
                )
        lines = (
            f'<text text-anchor="middle" x="{x:.1f}" y="{y - 2 if second else y + 4:.1f}" font-size="11" '
            f'font-weight="bold">{html.escape(first)}</text>'
        )
        if second:
            lines += (
                f'<text text-anchor="middle" x="{x:.1f}" y="{y + 11:.1f}" font-size="9">{html.escape(second)}</text>'
            )
        parts.append(f'<g id="node{number}" class="node"><title>{html.escape(node)}</title>{outline}{lines}</g>')
    return "\n".join(parts + ["</g></svg>"])
