"""Recording one eager call: every primitive's forward, the backward sweep, the optimizer's step,
in-place writes, random draws, values read back (guards), written down as lines of a program.

The call itself runs eagerly (the engine calls the hooks in ``autograd``, ``tensor``, ``factories`` and
``optim`` while ``_mode.tracer`` is set), so the first call's results are eager results. Each array
that appears is given a variable; an array the trace cannot account for (a value computed from tensor
data outside the primitives and not declared with ``derived``) makes the trace refuse, and that
signature then always runs eagerly: a compiled step never freezes something that should change.
"""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import autograd, ops
from ..anomaly import in_package
from ..autograd import _mode
from ..tensor import Tensor
from . import templates
from .backward import BackwardRecorder
from .ir import Line, Refused, Var, _plain_math


def user_line() -> str:
    """``file:line: code`` of the innermost frame outside tinygrad_sm (where the user wrote the call)."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not in_package(frame.filename):
            return f"{frame.filename}:{frame.lineno}: {frame.line}"
    return "?"


# the modules whose reads of tensor values are declared (derived/check) or feed primitives directly
_DECLARING = (
    "tinygrad_sm.functional",
    "tinygrad_sm.ops",
    "tinygrad_sm.autograd",
    "tinygrad_sm.tensor",
    "tinygrad_sm.optim",
    "tinygrad_sm.nn",
    "tinygrad_sm.compiler",
    "tinygrad_sm.factories",
    "tinygrad_sm.sampling",
    "tinygrad_sm.random",
)


def _from_library(depth: int) -> bool:
    """Whether the frame ``depth`` levels up belongs to tinygrad_sm (its reads of ``.data`` are declared)."""
    name = sys._getframe(depth + 1).f_globals.get("__name__", "")
    return name.startswith(_DECLARING)


class Tracer(BackwardRecorder):
    """Receives the engine's hooks during one eager call and builds the program's lines."""

    def __init__(self, leaves: list, names: list[str], kinds: list[str]):
        self.lines: list[Line] = []
        self.ns: dict[str, Any] = {}  # constants, op instances, state tensors: the program's globals
        self.vars: dict[int, Var] = {}  # id(array) -> its variable
        self.layouts: dict[tuple, Var] = {}  # (address, shape, strides, dtype) -> the variable first seen so
        self.keep: list[Any] = []  # arrays and tensors kept alive so ids stay unique
        self.state: dict[int, tuple[str, Tensor]] = {}  # id(tensor) -> (name in the program, tensor)
        self.state_start_grad: dict[int, Any] = {}  # id(tensor) -> its .grad when first seen
        self.arg_vars: list[Var] = []
        self.grad_set: dict[int, Var] = {}  # id(leaf) -> the variable the program last wrapped as its .grad
        self.templated: dict[int, tuple] = {}  # id(recorded op) -> (its roles, shapes, template)
        self.ops: dict[int, str] = {}  # id(recorded op) -> global name of its replay instance
        self.wrote = False  # a write to state happened (guards after it cannot fall back)
        self.refused: str | None = None
        self.n_const = 0
        self.tensor_names: dict[int, str] = {}
        self._user_named: set[int] = set()
        self.cleared: set[int] = set()  # leaves whose .grad zero_grad() set to None in this call
        self.grad_none_guard: set[int] = set()  # leaves whose .grad must be None when the call starts
        self.grad_read: set[int] = set()  # leaves whose starting .grad the program reads
        self.constants: set[int] = set()  # ids of arrays made from Python numbers/lists (constants)
        self.param_names: dict[int, str] = {}  # id(tensor) -> its path in a module or its global name
        self._alive = [
            o for o in gc.get_objects() if isinstance(o, Tensor)
        ]  # kept: their ids cannot be reused (Parameters too)
        self.preexisting = {id(o) for o in self._alive}
        for position, (leaf, name, kind) in enumerate(zip(leaves, names, kinds)):
            array = leaf._data if kind == "T" else leaf
            self.arg_vars.append(self._bind(array, Var(name, tensor=leaf if kind == "T" else None)))
            if kind == "T":
                self.state[id(leaf)] = (f"_arg{position}", leaf)
                self.state_start_grad[id(leaf)] = leaf.grad

    # ------------------------------------------------------------ bookkeeping
    def refuse(self, reason: str) -> None:
        if self.refused is None:
            self.refused = f"{reason} (at {user_line()})"

    def _bind(self, array: Any, var: Var) -> Var:
        self.vars[id(array)] = var
        self.keep.append(array)  # alive until the program is built: no id or address is reused meanwhile
        var.array = array
        if isinstance(array, np.ndarray):
            self.layouts.setdefault(_layout(array), var)
        return var

    def const(self, value: Any, hint: str = "c") -> str:
        """A global of the program holding ``value``: named after what it is, shared when it is the same."""
        if isinstance(value, np.dtype):
            hint = value.name
        hint = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in hint).strip("_") or "c"
        name = f"_{hint}"
        while name in self.ns or name in _RESERVED or name.startswith("_arg"):
            existing = self.ns.get(name)
            if existing is value or (isinstance(value, np.dtype) and existing == value):
                return name
            self.n_const += 1
            name = f"_{hint}{self.n_const}"
        self.ns[name] = value
        return name

    def emit(self, template: str, vars: list, comment: str = "", kind: str = "forward") -> None:
        self.lines.append(Line(template, vars, comment, kind))

    def array_var(self, array: Any, what: str) -> Var | str:
        """The variable holding ``array``, or the global name of a constant; refuses what it cannot place."""
        var = self.vars.get(id(array))
        if var is not None:
            return var
        if isinstance(array, np.ndarray) and array.base is not None:
            same = self.layouts.get(_layout(array))
            if same is not None:
                return same  # the same memory seen the same way as a known array (Tensor(x) makes x.view())
        if not isinstance(array, np.ndarray):
            return self.const(array)
        if id(array) in self.constants:  # made from a Python number or list written in the code
            return self.const(array)
        if array.dtype.kind in "iu" and array.ndim == 1 and np.array_equal(array, np.arange(array.size)):
            self.keep.append(array)
            return self.const(array, "arange")  # np.arange(n) for picking one entry per row
        raise Refused(
            f"{what}: an array of shape {array.shape} that did not come from the compiled function's "
            "arguments, its parameters or a recorded op (a value computed from .data?)"
        )

    def tensor_var(self, tensor: Tensor, what: str) -> Var | str:
        var = self.vars.get(id(tensor._data))
        if var is not None:
            return var
        if (
            id(tensor) in self.state or id(tensor) in self.preexisting
        ):  # a parameter or another tensor that outlives the call: read at replay
            return self.state_var(tensor)
        return self.array_var(tensor._data, what)

    def holder(self, tensor: Tensor) -> str:
        """The program's name for a tensor that outlives the call (a parameter, an argument)."""
        key = id(tensor)
        if key not in self.state:
            label = "".join(ch if ch.isalnum() else "_" for ch in tensor.name) if tensor.name else f"t{len(self.state)}"
            holder = f"_{label}_tensor"
            if any(h == holder for h, _ in self.state.values()):
                holder = f"_{label}{len(self.state)}_tensor"
            self.state[key] = (holder, tensor)
            self.state_start_grad[key] = tensor.grad
        return self.state[key][0]

    def grad_var(self, leaf: Tensor) -> Var:
        """The variable holding ``leaf.grad``'s array: made in this call, or the .grad it came in with."""
        var = self.vars.get(id(leaf.grad._data))
        if var is not None:
            return var
        if (id(leaf) in self.state and leaf.grad is self.state_start_grad[id(leaf)]) or (
            id(leaf) not in self.state and id(leaf) in self.preexisting
        ):
            holder = self.holder(leaf)
            var = self._bind(leaf.grad._data, Var("grad", grad_of=self.vars.get(id(leaf._data))))
            self.emit("{} = " + holder + ".grad._data", [var], "the .grad this call starts with", kind="read")
            self.grad_read.add(id(leaf))
            return var
        raise Refused("a .grad that was replaced inside the compiled function")

    def state_var(self, tensor: Tensor) -> Var:
        name = self.holder(tensor)
        var = Var(tensor.name or "param", tensor=tensor)
        self._bind(tensor._data, var)
        self.emit("{} = " + name + "._data", [var], kind="read")
        return var

    def value_expr(self, value: Any, what: str) -> tuple[str, list]:
        """An expression for an argument of a recorded call: variables, constants, tuples of them."""
        if isinstance(value, Tensor):
            placed = self.tensor_var(value, what)
            return ("{}", [placed]) if isinstance(placed, Var) else (placed, [])
        if isinstance(value, np.ndarray):
            placed = self.array_var(value, what)
            return ("{}", [placed]) if isinstance(placed, Var) else (placed, [])
        if isinstance(value, (tuple, list)):
            parts, used = [], []
            for item in value:
                text, vs = self.value_expr(item, what)
                parts.append(text)
                used += vs
            inner = ", ".join(parts) + ("," if len(parts) == 1 and isinstance(value, tuple) else "")
            return ("(" + inner + ")" if isinstance(value, tuple) else "[" + inner + "]"), used
        if value is None or isinstance(value, (bool, int, float, str)):
            return repr(value) if not (isinstance(value, float) and not np.isfinite(value)) else self.const(value), []
        return self.const(value), []

    # ------------------------------------------------------------ hooks
    def on_apply(self, op: autograd.Primitive, parents: tuple, params: dict, out: Tensor) -> None:
        if self.refused:
            return
        try:
            ins, used = [], []
            for parent in parents:
                text, vs = self.value_expr(parent, f"input of op '{op.name}'")
                ins.append(text)
                used += vs
            for key, value in params.items():
                text, vs = self.value_expr(value, f"argument {key}= of op '{op.name}'")
                ins.append(f"{key}={text}")
                used += vs
        except Refused as error:
            self.refuse(str(error))
            return
        scope = "/".join(op.scope) if out._node is op else "/".join(_mode.scope)
        comment = f"{op.name}: {_plain_math(type(op).math[0])}" + (f"   [{scope}]" if scope else "")
        template = templates.TEMPLATES.get(type(op))
        if template is not None:
            shapes = {role: p._data.shape for role, p in zip(templates.roles(type(op)), parents)}
            shapes["x_kind"] = parents[0]._data.dtype.kind
            if len(parents) == len(templates.roles(type(op))) and template[2](op, shapes):
                values = {}
                for role, parent in zip(templates.roles(type(op)), parents):
                    placed = self.tensor_var(parent, f"input of op '{op.name}'")
                    values[role] = placed
                for key, value in params.items():
                    values[key] = self.value_expr(value, f"argument {key}= of op '{op.name}'")
                values.pop("transpose_b", None)  # (read from the op by the template)
                if type(op) is ops.Mean:
                    values["scale"] = self.const(op.scale, "scale")
                out_var = self._bind(out._data, Var(op.name, tensor=out))
                values["out"] = out_var
                self.templated[id(op)] = (values, shapes, template)
                self._emit_template(template[0](op, shapes), values, comment, "forward")
                return
        replay = type(op)()
        if out._node is op:
            replay.needs_grad = op.needs_grad
        name = self.const(replay, f"{op.name}")
        self.ops[id(op)] = name
        out_var = self._bind(out._data, Var(op.name, tensor=out))
        call = f"{name}.forward({', '.join(ins)})"
        if out._data.ndim == 0:
            call = f"_asarray({call})"  # NumPy gives scalars for 0-d results; apply keeps arrays
        self.emit("{} = " + call, [out_var] + used, comment)

    def _emit_template(self, lines: list, values: dict, comment: str, kind: str) -> None:
        """Emit template lines: ``{role}`` becomes the role's variable, constant or expression."""
        import re

        temporaries: dict[str, Var] = {}
        for index, (fmt, note) in enumerate(lines):
            used: list = []

            def place(match: Any) -> str:
                role = match.group(1)
                value = values.get(role)
                if value is None:
                    value = temporaries.setdefault(role, Var(_TEMP_NAMES.get(role, role)))
                if isinstance(value, Var):
                    used.append(value)  # noqa: B023 (place runs inside this iteration, by re.sub below)
                    return "{}"
                if isinstance(value, tuple):  # (text with {} placeholders, its variables)
                    used.extend(value[1])  # noqa: B023 (as above)
                    return value[0]
                return str(value)

            text = re.sub(r"\{(\w+)\}", place, fmt)
            self.emit(
                text, used, note if index or kind == "backward" else (comment + (f"; {note}" if note else "")), kind
            )

    def on_derived(self, fn: Callable, args: tuple, value: Any) -> None:
        if self.refused:
            return
        try:
            text, used = self.value_expr(tuple(args), f"{getattr(fn, '__name__', 'derived')}()")
        except Refused as error:
            self.refuse(str(error))
            return
        var = self._bind(value, Var(getattr(fn, "__name__", "derived").strip("_")))
        self.emit(
            "{} = " + self.const(fn, getattr(fn, "__name__", "fn")) + text,
            [var] + used,
            f"constant of the graph, recomputed: {getattr(fn, '__name__', '')}",
            kind="derived",
        )

    def on_check(self, fn: Callable, args: tuple, value: bool) -> None:
        if self.refused:
            return
        if self.wrote:
            return self.refuse(f"a check ({getattr(fn, '__name__', '?')}) after a parameter update")
        try:
            text, used = self.value_expr(tuple(args), f"{getattr(fn, '__name__', 'check')}()")
        except Refused as error:
            return self.refuse(str(error))
        test = "not " if value else ""
        self.emit(
            f"if {test}" + self.const(fn, getattr(fn, "__name__", "fn")) + text + ": raise _GuardFailed",
            used,
            f"guard: {getattr(fn, '__name__', '')} was {value} when traced",
            kind="guard",
        )

    def on_item(self, tensor: Tensor, value: Any) -> None:
        if self.refused:
            return
        depth = 1
        while sys._getframe(depth).f_globals.get("__name__") == "tinygrad_sm.tensor":
            depth += 1  # float(t), int(t), bool(t) call item(): the caller is the one above them
        if _from_library(depth):
            return self.refuse("library code read a tensor value with .item() (a declared check is missing)")
        if self.wrote:
            return self.refuse(
                ".item() (or float(t), bool(t), if t:) after a parameter update; "
                "return the tensor and read it outside the compiled function"
            )
        try:
            text, used = self.value_expr(tensor, ".item()")
        except Refused as error:
            return self.refuse(str(error))
        expected = self.const(value, "value")
        self.emit(
            f"if not _same({text}.item(), {expected}): raise _GuardFailed",
            used,
            f"guard: .item() was {value!r} when traced",
            kind="guard",
        )

    def on_constant(self, array: np.ndarray) -> None:
        self.constants.add(id(array))
        self.keep.append(array)

    def on_zero_grad(self, tensors: list) -> None:
        if self.wrote:
            return  # (after the update: it only matters for the end state, which the program sets)
        for tensor in tensors:
            self.cleared.add(id(tensor))

    def on_escape(self, tensor: Tensor, how: str) -> None:
        if self.refused or _from_library(2):
            return
        self.refuse(
            f"the compiled function reads tensor values with {how}; compile cannot see what it does with "
            "them (use Tensor ops, or return the tensor and read it outside)"
        )

    def on_write(self, tensor: Tensor, ufunc: Any, value: Any) -> None:
        if self.refused:
            return
        try:
            target = self.tensor_var(tensor, "target of an in-place write")
            text, used = self.value_expr(value, "value of an in-place write")
        except Refused as error:
            return self.refuse(str(error))
        if not isinstance(target, Var):
            return self.refuse("an in-place write into a constant")
        owner = self.state.get(id(tensor))
        self.wrote = self.wrote or owner is not None
        holder = owner[0] if owner else self.const(tensor, "t")
        self.emit(
            f"_write({holder}, {{}}, {self.const(ufunc, 'fn')}, {text})",
            [target] + used,
            f"in-place {getattr(ufunc, '__name__', 'write')} (as Tensor._write)",
            kind="update",
        )

    def on_random(self, array: np.ndarray, generator: Any, method: str, args: tuple, dtype: Any) -> None:
        """A draw ``random.draw(method, args[0], generator, dtype, *args[1:])`` (args: shape, then numbers)."""
        if self.refused:
            return
        gen = "None" if generator is None else self.const(generator, "generator")
        var = self._bind(array, Var("noise"))
        kind = "None" if dtype is None else self.const(np.dtype(dtype), "dtype")
        self.emit(
            "{} = _draw(" + f"{gen}, {method!r}, {tuple(args)!r}, {kind})",
            [var],
            f"a new {method} draw from the generator on every call",
            kind="random",
        )

    def on_optimizer_step(self, optimizer: Any) -> None:
        if not self.refused:
            try:
                for param in [p for group in optimizer.param_groups for p in group["params"]]:
                    holder = self.holder(param)
                    if param.grad is None:
                        self.emit(f"{holder}.grad = None", [], kind="update")
                    elif (
                        self.vars.get(id(param.grad._data)) is not None
                        or param.grad is not self.state_start_grad[id(param)]
                    ):
                        self.grad_set[id(param)] = self.grad_var(param)
                        self.emit(f"{holder}.grad = _wrap({{}})", [self.grad_set[id(param)]], kind="update")
            except Refused as error:
                self.refuse(str(error))
            name = self.const(optimizer, type(optimizer).__name__.lower())
            doc = (type(optimizer).__doc__ or "").split(":\n\n", 1)  # the rule: the block after the first line
            rule = [line.strip() for line in doc[1].strip("\n").split("\n\n")[0].splitlines()] if len(doc) > 1 else []
            for line in rule[:6]:
                self.emit("# " + line, [], kind="update")
            self.emit(
                f"{name}.step()",
                [],
                f"{type(optimizer).__name__}(lr={optimizer.param_groups[0]['lr']:g}): the rule above, "
                "in place, for every parameter",
                kind="update",
            )
            self.wrote = True
        tracer, _mode.tracer = _mode.tracer, None
        try:
            optimizer.step()
        finally:
            _mode.tracer = tracer

    # ------------------------------------------------------------ names for the source
    def name_parameters(self, fn: Any, args: tuple) -> None:
        """Names for parameters: their path in the modules, or the global/closure variable holding them."""
        from ..nn.module import Module

        found: dict[str, Any] = {}
        for cell, name in zip(
            getattr(fn, "__closure__", None) or (), fn.__code__.co_freevars if hasattr(fn, "__code__") else ()
        ):
            try:
                found[name] = cell.cell_contents
            except ValueError:
                pass
        for name in getattr(getattr(fn, "__code__", None), "co_names", ()):
            if name in getattr(fn, "__globals__", {}):
                found.setdefault(name, fn.__globals__[name])
        for position, value in enumerate(args):
            found.setdefault(f"arg{position}", value)
        for name, value in found.items():
            if isinstance(value, Tensor):
                self.param_names.setdefault(id(value), name)
            elif isinstance(value, Module):
                for path, tensor, *_ in value._walk_tensors(""):
                    self.param_names.setdefault(id(tensor), path)
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, Tensor):
                        self.param_names.setdefault(id(item), f"{name}{index}")

    def profile(self, frame: Any, event: str, arg: Any) -> None:
        """``sys.setprofile`` hook: remember the local names tensors and arrays had when each frame returned."""
        if event != "return":
            return
        module = frame.f_globals.get("__name__", "")
        filename = frame.f_code.co_filename
        user = not module.startswith("tinygrad_sm") and not filename.startswith(_PYTHON_DIRS + ("<frozen",))
        if not user and not module.startswith(("tinygrad_sm.functional", "tinygrad_sm.nn")):
            return
        for name, value in frame.f_locals.items():
            if name.startswith("_") or name in _GENERIC:
                continue
            if isinstance(value, Tensor):
                key = id(value)
                if key not in self.tensor_names or (user and key not in self._user_named):
                    self.tensor_names[key] = name
                    if user:
                        self._user_named.add(key)


_PYTHON_DIRS = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
_RESERVED = {"_np", "_asarray", "_wrap", "_write", "_draw", "_same", "_GuardFailed", "_scatter_add", "_unbroadcast"}
_TEMP_NAMES = {"gk": "grad_kept", "nb": "minus_grad", "pa": "grad_times_b", "pb": "grad_times_a"}
_GENERIC = {"self", "tensor", "value", "out", "x", "result", "other", "a", "b", "t", "input", "inputs"}


def _layout(array: np.ndarray) -> tuple:
    return (array.__array_interface__["data"][0], array.shape, array.strides, array.dtype.str)
