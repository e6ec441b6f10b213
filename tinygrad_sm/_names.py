"""Names for the explorer's nodes: the user's (``params`` paths, ``Tensor(name=...)``, the names the
composites give their intermediates, such as ``z - r``), and for a tensor nobody named, a name built
from its op and its operands' names, the way the code was written (``x @ W``, ``tanh(x @ W + b)``,
``W.T``), cut back to ``t3`` only when that would be too long to read. Ops are titled by what they do
where the primitive's name says less: a permutation of the last two axes is a ``transpose``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .tensor import Tensor
from .viz_layout import _number

LONGEST_DERIVED = 60  # characters: a longer built name is shortened (operands as their op: relu(add(…)))

_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "pow": "**"}
_CALLS = {"getitem": None, "reshape": "reshape", "expand": "expand", "permute": "permute", "cast": "cast"}


def op_title(node: Any) -> str:
    """The op as the page names it: the primitive's name, or ``transpose`` for a permutation that swaps
    the last two axes (``W.T``, ``x.transpose(-1, -2)``)."""
    name = node.name
    if name == "permute":
        axes = tuple(int(a) for a in (getattr(node, "forward_kwargs", None) or {}).get("axes", ()))
        n = len(axes)
        if n >= 2 and axes == (*range(n - 2), n - 1, n - 2):
            return "transpose"
    return name


def _operand(name: str) -> str:
    return f"({name})" if any(c in name for c in " +-*/@") else name


def _built(node: Any, operands: list[str]) -> str:
    title = op_title(node)
    if title == "transpose":
        return f"{_operand(operands[0])}.T"
    if title == "matmul" and getattr(node, "transpose_b", False):  # nn.Linear's one node for x @ W.T
        return f"{_operand(operands[0])} @ {_operand(operands[1])}.T"
    if title in _INFIX and len(operands) == 2:
        return f"{_operand(operands[0])} {_INFIX[title]} {_operand(operands[1])}"
    if title == "neg":
        return f"-{_operand(operands[0])}"
    if title == "getitem":
        return f"{_operand(operands[0])}[\u2026]"
    return f"{title}({', '.join(operands)})"


def tensor_names(layout: Any, param_names: Mapping[int, str]) -> list[str]:
    """One display name per tensor of ``layout`` (in its order: every tensor after its inputs)."""
    names: list[str] = []
    built: set[int] = set()  # the positions whose name was built here (not the user's)
    for i, tensor in enumerate(layout.tensors):
        given = param_names.get(id(tensor), tensor.name)
        if given is not None:  # an empty name too: it is what the user wrote
            names.append(str(given))
        elif tensor._node is None and not tensor.requires_grad and tensor._data.size == 1:
            names.append(_number(tensor._data.item()))
        elif tensor._node is not None:
            operands = [layout.index[id(p)] for p in tensor._node.parents]
            name = _built(tensor._node, [names[j] for j in operands])
            if len(name) > LONGEST_DERIVED:  # built operands by their op alone: relu(…) @ W2
                short = [f"{op_title(layout.tensors[j]._node)}(\u2026)" if j in built else names[j] for j in operands]
                name = _built(tensor._node, short)
            names.append(name if len(name) <= LONGEST_DERIVED else f"t{i}")
            built.add(i)
        else:
            names.append(f"t{i}")
    return names


def display_name(tensor: Tensor, i: int, param_names: Mapping[int, str]) -> str:
    """The name of one tensor without its graph around it: given, a number, or ``t<i>``."""
    name = param_names.get(id(tensor)) or tensor.name
    if name:
        return str(name)
    if tensor._node is None and not tensor.requires_grad and tensor._data.size == 1:
        return _number(tensor._data.item())
    return f"t{i}"
