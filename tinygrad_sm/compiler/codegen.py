"""From a finished trace to Python source: name the variables after the tensors, write one line per
recorded call with its comment, and ``exec`` it into a function."""

from __future__ import annotations

import builtins
import keyword
import re
from typing import Any

import numpy as np

from .. import random
from ..autograd import bump_version
from ..tensor import Tensor, _assign_all
from .trace import Line, Refused, Tracer, Var


class GuardFailed(Exception):
    """A value the trace depended on came out differently: this call runs eagerly instead."""


def _write(tensor: Tensor | None, array: np.ndarray, ufunc: Any, value: Any) -> None:
    """What ``Tensor._write`` does to the array (the recorded in-place update), and the version bump."""
    if not array.flags.writeable:
        array.flags.writeable = True
    ufunc(array, value, out=array)
    if tensor is not None:
        bump_version(tensor)


def _wrap_requiring_grad(array: np.ndarray) -> Tensor:
    tensor = Tensor._wrap(array)
    tensor.requires_grad = True
    return tensor


def _draw(generator: Any, method: str, args: tuple, dtype: Any) -> np.ndarray:
    return random.sample(generator, method, args[0], dtype, *args[1:])  # as the eager random.draw


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


from ..ops import _scatter_add, unbroadcast  # noqa: E402

RUNTIME = {
    "_np": np,
    "_scatter_add": _scatter_add,
    "_unbroadcast": unbroadcast,
    "_asarray": np.asarray,
    "_wrap": Tensor._wrap,
    "_wrap_requiring_grad": _wrap_requiring_grad,
    "_write": _write,
    "_assign_all": _assign_all,
    "_draw": _draw,
    "_same": _same,
    "_GuardFailed": GuardFailed,
}


OUTSIDE = """\
# tinygrad_sm.compile: this program replays one traced call. Before it runs, compile checks that the
# objects the function reaches (globals, closure cells, modules and their flags, which tensor each
# attribute holds, requires_grad, optimizer hyperparameters) are as traced; the arguments' shapes and
# dtypes select the program. Not seen, so baked in: Python values reached otherwise (a file, the
# clock, os.environ, attributes of objects from other libraries) and Python side effects (print).
"""


def _identifier(text: str) -> str:
    text = re.sub(r"\W+", "_", text).strip("_") or "t"
    if text[0].isdigit():
        text = "p" + text
    if keyword.iskeyword(text) or text in ("np", "grad") or hasattr(builtins, text):
        text = text + "_"
    return text


def _name_vars(tracer: Tracer, lines: list) -> None:
    used: set[str] = set(tracer.ns) | set(RUNTIME)
    counts: dict[str, int] = {}

    def base_name(var: Var) -> str:
        if var.grad_of is not None and var.hint == "grad":
            if var.grad_of.name is None:
                assign(var.grad_of)
            return "grad_" + str(var.grad_of.name)
        if var.tensor is not None:
            key = id(var.tensor)
            name = (
                (tracer.tensor_names.get(key) if key in tracer._user_named else None)
                or var.tensor.name
                or tracer.param_names.get(key)
                or tracer.tensor_names.get(key)
            )
            if name:
                return _identifier(name)
        return _identifier(var.hint)

    def assign(var: Var) -> None:
        if var.name is not None:
            return
        base = base_name(var)
        name, k = base, counts.get(base, 1)
        while name in used:
            k += 1
            name = f"{base}_{k}"
        counts[base] = k
        used.add(name)
        var.name = name

    for var in tracer.arg_vars:
        assign(var)
    for line in lines:
        for var in line.vars:
            if not isinstance(var, Var):
                raise AssertionError(f"internal: {line.template} {line.vars}")
            assign(var)


def build(tracer: Tracer, result: Any, fn_name: str, leaf_kinds: list[str]) -> tuple[Any, str, dict]:
    """The program (a Python function of the flattened tensor/array arguments), its source and namespace."""
    if tracer.refused:
        raise Refused(tracer.refused)
    head: list = []
    params: list[str | None] = []
    for position, (var, kind) in enumerate(zip(tracer.arg_vars, leaf_kinds)):
        if kind == "T":
            params.append(f"_arg{position}")
            head.append(("{} = " + f"_arg{position}._data", [var], "", "read"))
        else:
            params.append(None)  # named once the variables are
    guards = []
    for key, (holder, tensor) in tracer.state.items():
        if holder.startswith("_arg"):
            continue
        tracer.ns[holder] = tensor
        checks = [
            f"{holder}._data.shape != {tensor._data.shape!r}",
            f"{holder}._data.dtype != {tracer.const(tensor._data.dtype, 'dtype')}",
        ]
        if key in tracer.grad_none_guard:
            checks.append(f"{holder}.grad is not None")
        if key in tracer.grad_read:
            checks.append(f"{holder}.grad is None")
        guards.append(" or ".join(checks))
    tail: list = []
    for key, (holder, tensor) in tracer.state.items():
        start = tracer.state_start_grad[key]
        if tensor.grad is start and start is None and not tensor.requires_grad:
            continue
        if tensor.grad is None:
            tail.append((f"{holder}.grad = None", [], "", "update"))
        elif tensor.grad is not start:
            end_var = tracer.vars.get(id(tensor.grad._data))
            if end_var is None:
                raise Refused("a .grad the trace cannot place at the end of the call")
            if tracer.grad_set.get(key) is end_var:
                continue  # set so before the optimizer's step already
            tail.append((f"{holder}.grad = _wrap({{}})", [end_var], "", "update"))
    result_text, result_vars = _result_expr(tracer, result)
    lines = [Line(*h) for h in head] + tracer.lines + [Line(*t) for t in tail]
    _name_vars(tracer, lines)
    for var in result_vars:
        if var.name is None:
            var.name = "result"
    names = [str(p if p is not None else var.name) for p, var in zip(params, tracer.arg_vars)]
    array_args = {id(var) for p, var in zip(params, tracer.arg_vars) if p is None}
    _read_copies_in_place(lines, array_args, {id(v) for v in result_vars})
    dying = _dying_after(lines, set(names) | {str(v.name) for v in result_vars})
    body = []
    if any(dying):
        body.append("    # del: each array is dropped after its last use, so the step's memory peaks as eager's does")
    if guards:
        body.append("    # guards: the parameters are the ones traced, with the shapes, dtypes and .grad traced")
        body.append(f"    if {' or '.join('(' + g + ')' for g in guards)}: raise _GuardFailed")
    section = None
    titles = {
        "forward": "forward",
        "derived": "forward",
        "guard": "forward",
        "read": None,
        "random": "forward",
        "backward": "backward",
        "update": "update",
        "undo-update": None,
    }
    committed = False
    for index, line in enumerate(lines):
        title = titles[line.kind]
        if title and title != section and not (section == "backward" and title == "forward"):
            body.append(f"    # ---------------------------------------------------------------- {title}")
            section = title
        if not line.template:  # a comment line heading a backward block
            body.append(f"    # {line.comment}")
            continue
        text = line.template.format(*[v.name for v in line.vars])
        if line.kind == "undo-update":  # a later guard may fail: keep what this write overwrites
            holder, target = line.template[len("_write(") :].split(",")[0], line.vars[0].name
            body.append(f"    _undo.append(({holder}, {target}, {target}.copy()))")
        elif line.kind == "update" and not committed:
            body.append("    _committed[0] = True  # from here on an error is the eager error: no fallback")
            committed = True
        if line.comment and line.kind in ("backward",) and "backward:" in line.comment:
            body.append(f"    # {line.comment}")
            body.append(f"    {text}")
        else:
            body.append(f"    {text}" + (f"  # {line.comment}" if line.comment else ""))
        if dying[index]:
            body.append(f"    del {', '.join(dying[index])}")
    body.append(f"    return {result_text.format(*[v.name for v in result_vars])}")
    source = f"def {_identifier(fn_name)}({', '.join(names)}):\n" + "\n".join(body) + "\n"
    source = OUTSIDE + source
    tracer.ns["_undo"], tracer.ns["_committed"] = [], [False]
    namespace = {**RUNTIME, **tracer.ns}
    code = compile(source, f"<tinygrad_sm.compile {fn_name}>", "exec")
    exec(code, namespace)
    return namespace[_identifier(fn_name)], source, tracer.ns


# Lines that only read their inputs and make a fresh array (the output is ``{}`` #0): an array read
# only by these is never written, nor seen through a view, by the program.
_FRESH_READS = {
    "{} = _np.matmul({}, {})",
    "{} = _np.matmul({}, {}.T)",
    "{} = {} @ {}",
    "{} = {} @ {}.T",
    "{} = {}.T @ {}",
    "{} = _np.dot({}.T, {})",
    "{} = {} + {}",
    "{} = {} - {}",
    "{} = {} * {}",
    "{} = {} / {}",
    "{} = _np.maximum({}, 0)",
    "{} = _np.exp({})",
    "{} = _np.log({})",
    "{} = {} * ({} > 0)",
}


def _read_copies_in_place(lines: list, array_args: set[int], returned: set[int]) -> None:
    """``Tensor(x)`` of a NumPy argument copies it so that later changes to either cannot reach the
    other. Where the program only reads the copy (every use a fresh-result line of ``_FRESH_READS``,
    not returned) and writes nothing in between (no update: the argument might share memory with a
    parameter), the copy changes nothing, so the program reads the argument itself (a contiguous one:
    a strided view could take another BLAS path than its contiguous copy, and round differently)."""
    for index, line in enumerate(lines):
        if not (
            line.template.startswith("{} = _np.array({}, dtype=")
            and line.template.endswith(", copy=True)")
            and len(line.vars) == 2
            and id(line.vars[1]) in array_args
            and id(line.vars[0]) not in returned
        ):
            continue
        copy = line.vars[0]
        uses = [i for i in range(index + 1, len(lines)) if any(v is copy for v in lines[i].vars)]
        if not uses or any(
            lines[i].template not in _FRESH_READS or lines[i].vars[0] is copy or lines[i].vars.count(copy) > 1
            for i in uses
        ):
            continue
        if any(
            lines[i].kind in ("update", "undo-update")
            or "_write(" in lines[i].template
            or ".step()" in lines[i].template
            for i in range(index + 1, uses[-1])
        ):
            continue
        dtype = line.template[len("{} = _np.array({}, dtype=") : -len(", copy=True)")]
        line.template = f"{{}} = _np.asarray({{}}, dtype={dtype}) if {{}}.flags.forc else {line.template[5:]}"
        line.vars = [copy, line.vars[1], line.vars[1], line.vars[1]]
        line.comment = "Tensor(x) copies the values; this program only reads them, so the argument itself does"


def _dying_after(lines: list, kept: set[str]) -> list[list[str]]:
    """For each line, the variables whose last use it is (in order of first appearance), but those in
    ``kept`` (the parameters and what the program returns) and aliases of a tensor's array (``read``
    lines: the tensor holds the array anyway, dropping the name frees nothing)."""
    last: dict[str, int] = {}
    aliases: set[str] = set()
    for index, line in enumerate(lines):
        for var in line.vars:
            last[str(var.name)] = index
        if line.kind == "read":
            aliases.update(str(var.name) for var in line.vars)
    dying: list[list[str]] = [[] for _ in lines]
    for name, index in last.items():
        if name not in kept and name not in aliases:
            dying[index].append(name)
    return dying


def _result_expr(tracer: Tracer, value: Any) -> tuple[str, list]:
    if isinstance(value, Tensor):
        var = tracer.vars.get(id(value._data))
        if var is None:
            if id(value) in tracer.state:
                return tracer.state[id(value)][0], []
            raise Refused("the compiled function returns a tensor the trace cannot place")
        if value.requires_grad:  # as eager returns it (its graph already used: none comes with it)
            return "_wrap_requiring_grad({})", [var]
        return "_wrap({})", [var]
    if isinstance(value, (tuple, list)):
        parts, used = [], []
        for item in value:
            text, vs = _result_expr(tracer, item)
            parts.append(text)
            used += vs
        inner = ", ".join(parts) + ("," if len(parts) == 1 and isinstance(value, tuple) else "")
        return ("(" + inner + ")" if isinstance(value, tuple) else "[" + inner + "]"), used
    if isinstance(value, dict):
        parts, used = [], []
        for k, item in value.items():
            text, vs = _result_expr(tracer, item)
            parts.append(f"{tracer.const(k, 'key')}: {text}")
            used += vs
        return "{{" + ", ".join(parts) + "}}", used  # (braces doubled: the text is a format string)
    if value is None or isinstance(value, (bool, int, float, str)):
        return tracer.const(value, "value"), []
    if isinstance(value, np.ndarray):
        raise Refused("the compiled function returns a NumPy array; return the Tensor instead")
    return tracer.const(value, "value"), []
