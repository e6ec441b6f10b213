"""Source templates: a primitive's forward and backward written out as the NumPy lines they run.

One table here rather than a method on each primitive, because a template is a *specialisation*: it
reads what the traced op saved (which inputs needed a gradient, the shapes, the normalised axes) and
writes only the branch that ran, which is the compiler's business; the primitives stay as they are,
the one place that defines the rule. Each template repeats the NumPy calls of its primitive's
``forward``/``backward`` exactly, and ``tests/test_compile.py`` holds every compiled step bitwise equal
to eager, so a template that drifts from its primitive fails there. A primitive without a template
is replayed by calling its ``forward``/``backward`` (still correct, one line, less to read).

A template gets ``v``: the variables by role (``a``, ``b``, ``x``, ``out``, ``g``; a role is a ``Var``
or the name of a constant) and the traced op; it returns lines ``(format, names)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import ops


def _unbroadcast(grad: str, shape: tuple, grad_shape: tuple, target: str) -> list:
    """``unbroadcast`` written out for the case that ran (see ``ops._helpers.unbroadcast``)."""
    if grad_shape == shape:
        return [(f"{{{target}}} = {{{grad}}}", "")]
    leading = len(grad_shape) - len(shape)
    stretched = tuple(leading + i for i, n in enumerate(shape) if n == 1 and grad_shape[leading + i] != 1)
    if not stretched:
        axes = tuple(range(leading))
        return [
            (f"{{{target}}} = {{{grad}}}.sum(axis={axes[0] if len(axes) == 1 else axes})", "sum the broadcast rows")
        ]
    return [(f"{{{target}}} = _unbroadcast({{{grad}}}, {shape!r})", "sum over the broadcast axes")]


def _add_backward(op: Any, shapes: dict, negate_b: bool = False) -> list:
    lines = []
    if op.needs_grad[0]:
        lines += _unbroadcast("g", shapes["a"], shapes["g"], "ga")
    if op.needs_grad[1]:
        if negate_b:
            lines.append(("{nb} = -{g}", ""))
            lines += _unbroadcast("nb", shapes["b"], shapes["g"], "gb")
        else:
            lines += _unbroadcast("g", shapes["b"], shapes["g"], "gb")
    return lines


def _mul_backward(op: Any, shapes: dict) -> list:
    lines = []
    if op.needs_grad[0]:
        lines += [("{pa} = {g} * {b}", "")] + _unbroadcast("pa", shapes["a"], shapes["g"], "ga")
    if op.needs_grad[1]:
        lines += [("{pb} = {g} * {a}", "")] + _unbroadcast("pb", shapes["b"], shapes["g"], "gb")
    return lines


def _matmul_forward(op: Any, shapes: dict) -> list:
    if getattr(op, "transpose_b", False):
        return [("{out} = _np.matmul({a}, {b}.T)", "")]
    return [("{out} = _np.matmul({a}, {b})", "")]


def _matmul_backward(op: Any, shapes: dict) -> list:
    lines = []
    if getattr(op, "transpose_b", False):  # out = a @ b.T (nn.Linear's (out, in) weight)
        if op.needs_grad[0]:
            lines.append(("{ga} = {g} @ {b}", "dA = G B"))
        if op.needs_grad[1]:
            if shapes["a"][0] == 1:
                lines.append(("{gb} = _np.dot({g}.T, {a})", "dB = G^T A (a batch of one: np.dot's BLAS rank-1 path)"))
            else:
                lines.append(("{gb} = {g}.T @ {a}", "dB = G^T A"))
        return lines
    if op.needs_grad[0]:
        lines.append(("{ga} = {g} @ {b}.T", "dA = G B^T"))
    if op.needs_grad[1]:
        if shapes["a"][0] == 1:
            # a batch of one: np.dot takes BLAS's rank-1 path (20 us for 784x256), the broadcast outer
            # product 35 us, matmul's non-BLAS loop on the (k, 1) view 184 us; as ops/linalg.py does
            lines.append(("{gb} = _np.dot({a}.T, {g})", "dB = A^T G (a batch of one: np.dot, BLAS's rank-1 path)"))
        else:
            lines.append(("{gb} = {a}.T @ {g}", "dB = A^T G"))
    return lines


def _sum_backward(op: Any, shapes: dict, scale: str | None) -> list:
    lines = []
    grad = "g"
    if not op.keepdims and len(shapes["g"]):
        kept = ops._kept_shape(shapes["x"], op.axes)
        lines.append((f"{{gk}} = {{g}}.reshape({kept!r})", "put back the summed axes (size 1)"))
        grad = "gk"
    lines.append((f"{{gx}} = _np.empty({shapes['x']!r}, dtype={{dtype}})", ""))
    if scale is None:
        lines.append((f"_np.copyto({{gx}}, {{{grad}}})", "broadcast g over the summed axes"))
    else:
        lines.append((f"_np.multiply({{{grad}}}, {{scale}}, out={{gx}})", "g / n, broadcast over the axes"))
    return lines


def _getitem_backward(op: Any, shapes: dict) -> list:
    fill = "{gx}[{index}] = {g}" if ops._is_basic_index(op.index) else "_scatter_add({gx}, {index}, {g})"
    return [
        (f"{{gx}} = _np.zeros({shapes['x']!r}, dtype={{dtype}})", ""),
        (fill, "scatter-add g where the entries were picked (repeats accumulate)"),
    ]


# (forward lines, backward lines, whether the template applies to this traced op)
TEMPLATES: dict[type, tuple[Callable, Callable, Callable]] = {
    ops.Add: (lambda op, s: [("{out} = {a} + {b}", "")], _add_backward, lambda op, s: True),
    ops.Sub: (
        lambda op, s: [("{out} = {a} - {b}", "")],
        lambda op, s: _add_backward(op, s, negate_b=True),
        lambda op, s: True,
    ),
    ops.Mul: (lambda op, s: [("{out} = {a} * {b}", "")], _mul_backward, lambda op, s: True),
    ops.Matmul: (_matmul_forward, _matmul_backward, lambda op, s: len(s["a"]) == 2 and len(s["b"]) == 2),
    ops.ReLU: (
        lambda op, s: [("{out} = _np.maximum({x}, 0)", "")],
        lambda op, s: [("{gx} = {g} * ({out} > 0)", "")],
        lambda op, s: True,
    ),
    ops.Exp: (
        lambda op, s: [("{out} = _np.exp({x})", "")],
        lambda op, s: [("{gx} = {g} * {out}", "")],
        lambda op, s: True,
    ),
    ops.Log: (
        lambda op, s: [("{out} = _np.log({x})", "")],
        lambda op, s: [("{gx} = {g} / {x}", "")],
        lambda op, s: True,
    ),
    ops.Neg: (lambda op, s: [("{out} = -{x}", "")], lambda op, s: [("{gx} = -{g}", "")], lambda op, s: True),
    ops.Reshape: (
        lambda op, s: [("{out} = {x}.reshape({shape})", "")],
        lambda op, s: [(f"{{gx}} = {{g}}.reshape({s['x']!r})", "")],
        lambda op, s: True,
    ),
    ops.Sum: (
        lambda op, s: [(f"{{out}} = _asarray({{x}}.sum(axis={op.axes!r}, keepdims={op.keepdims!r}))", "")],
        lambda op, s: _sum_backward(op, s, None),
        lambda op, s: type(op) is ops.Sum,
    ),
    ops.Mean: (
        lambda op, s: [
            (f"{{total}} = _asarray({{x}}.sum(axis={op.axes!r}, keepdims={op.keepdims!r}))", ""),
            ("{out} = _asarray({total} * {scale})", "times 1/n"),
        ],
        lambda op, s: _sum_backward(op, s, "scale"),
        lambda op, s: s["x_kind"] == "f",
    ),
    ops.GetItem: (lambda op, s: [("{out} = _asarray({x}[{index}])", "")], _getitem_backward, lambda op, s: True),
}

ROLES: dict[type, tuple[str, ...]] = {
    ops.Add: ("a", "b"),
    ops.Sub: ("a", "b"),
    ops.Mul: ("a", "b"),
    ops.Matmul: ("a", "b"),
}


def roles(cls: type) -> tuple[str, ...]:
    return ROLES.get(cls, ("x",))
