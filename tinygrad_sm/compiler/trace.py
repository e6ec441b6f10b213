"""Recording one eager call: every primitive's forward, the backward sweep, the optimizer's step,
in-place writes, random draws, values read back (guards), written down as lines of a program.

The call itself runs eagerly (the engine calls the hooks in ``autograd``, ``tensor``, ``factories``,
``nn`` and ``optim`` while ``_mode.tracer`` is set), so the first call's results are eager results. The
hooks sit where data enters or leaves the engine: a primitive's ``apply``, ``Tensor(...)``, the values
computed outside the graph (``tensor_habits.values_of``: comparisons, masks, any/all), ``item()`` and
``bool()``, every way the values leave as NumPy (``.data``, ``numpy()``, ``tolist()``, ``__array__``),
in-place writes and random draws. Nothing in the composites declares anything. Each array that appears
is given a variable; an array the trace cannot account for (computed from tensor values outside the
engine) makes the trace refuse, and that signature then runs eagerly: a compiled step never freezes
something that should change.
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
from ..tensor import Tensor, _array_as
from . import templates
from .backward import BackwardRecorder
from .ir import Line, Refused, Var, _plain_math


def user_line() -> str:
    """``file:line: code`` of the innermost frame outside tinygrad_sm (where the user wrote the call)."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not in_package(frame.filename):
            return f"{frame.filename}:{frame.lineno}: {frame.line}"
    return "?"


def _user_reads(depth: int) -> bool:
    """Whether ``item()`` (called ``depth`` frames up) was called from user code for its number (not by
    ``bool()``, not by the library: those only decide a branch or a shape, which a guard covers)."""
    frame = sys._getframe(depth + 1)
    while frame is not None and frame.f_globals.get("__name__") == "tinygrad_sm.tensor":
        if frame.f_code.co_name == "__bool__":
            return False
        frame = frame.f_back  # type: ignore[assignment]
    return frame is not None and not frame.f_globals.get("__name__", "").startswith("tinygrad_sm")


class Tracer(BackwardRecorder):
    """Receives the engine's hooks during one eager call and builds the program's lines."""

    def __init__(self, leaves: list, names: list[str], kinds: list[str], watched: list | None = None):
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
        self.stepped = False  # the optimizer stepped (guards after it cannot fall back)
        self.undoable: list[Line] = []  # in-place writes so far: a later guard needs them undone if it fails
        self.replayed: list[
            Any
        ] = []  # objects whose own methods the program calls (schedulers): their changes are replayed
        self.refused: str | None = None
        self.n_const = 0
        self.tensor_names: dict[int, str] = {}
        self._named: list[Tensor] = []  # the tensors named above, kept alive: their ids are not reused meanwhile
        self._user_named: set[int] = set()
        self.cleared: set[int] = set()  # leaves whose .grad zero_grad() set to None in this call
        self.grad_none_guard: set[int] = set()  # leaves whose .grad must be None when the call starts
        self.grad_read: set[int] = set()  # leaves whose starting .grad the program reads
        self.constants: set[int] = set()  # ids of arrays made from Python numbers/lists (constants)
        self.reached_arrays: dict[int, np.ndarray] = {}  # arrays of globals and modules (world.snapshot)
        self.param_names: dict[int, str] = {}  # id(tensor) -> its path in a module or its global name
        self._alive = [
            o for o in gc.get_objects() if isinstance(o, Tensor)
        ]  # kept: their ids cannot be reused (Parameters too)
        self.preexisting = {id(o) for o in self._alive}
        for position, (leaf, name, kind) in enumerate(zip(leaves, names, kinds)):
            array = leaf._data if kind == "T" else leaf
            var = self._bind(array, Var(name, tensor=leaf if kind == "T" else None))
            self.arg_vars.append(var)
            if kind == "T":
                self.state[id(leaf)] = (f"_arg{position}", leaf)
                self.state_start_grad[id(leaf)] = leaf.grad
            elif watched is not None:
                self._bind(watched[position], var)  # the view the function sees while traced
        self.start_arrays = {key: tensor._data for key, (_, tensor) in self.state.items()}

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
        if id(array) in self.reached_arrays:  # a global's or a module's array: read as it is at each call
            return self.const(array, "array")
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
            self.start_arrays[key] = tensor._data
        return self.state[key][0]

    def grad_var(self, leaf: Tensor) -> Var:
        """The variable holding ``leaf.grad``'s array: made in this call, or the .grad it came in with."""
        grad = leaf.grad
        assert grad is not None  # (asked only for leaves that have one)
        var = self.vars.get(id(grad._data))
        if var is not None:
            return var
        if (id(leaf) in self.state and leaf.grad is self.state_start_grad[id(leaf)]) or (
            id(leaf) not in self.state and id(leaf) in self.preexisting
        ):
            holder = self.holder(leaf)
            var = self._bind(grad._data, Var("grad", grad_of=self.vars.get(id(leaf._data))))
            self.emit("{} = " + holder + ".grad._data", [var], "the .grad this call starts with", kind="read")
            self.grad_read.add(id(leaf))
            return var
        if id(grad._data) in self.constants:  # zero_grad(set_to_none=False): fresh zeros, a constant
            var = self._bind(grad._data, Var("grad", grad_of=self.vars.get(id(leaf._data))))
            self.emit("{} = " + self.const(grad._data, "zeros"), [var], "the .grad zero_grad() set", kind="read")
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
        self.keep.append(op)  # alive until the program is built: ``templated`` and ``ops`` key on its id
        if not type(op).__module__.startswith("tinygrad_sm.ops"):
            return self.refuse(
                f"op '{op.name}' ({type(op).__module__}.{type(op).__qualname__}) is not one of tinygrad_sm's "
                "primitives; compile replays only those"
            )
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
                values: dict[str, Any] = {}
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
                if type(op) is ops.GetItem and _has_mask(params.get("index")):  # entries a mask picks: a guard
                    self.emit(f"if {{}}.shape != {out._data.shape!r}: raise _GuardFailed", [out_var], kind="guard")
                    self._guarded()
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
        if type(op) is ops.GetItem and _has_mask(params.get("index")):  # how many entries a mask picks: a guard
            self.emit(f"if {{}}.shape != {out._data.shape!r}: raise _GuardFailed", [out_var], kind="guard")
            self._guarded()

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

    def on_tensor(self, array: np.ndarray, data: Any) -> None:
        """``Tensor(data)`` made ``array``: a copy of an argument or of a known array, or a constant."""
        if self.refused:
            return
        source = data._data if isinstance(data, Tensor) else data
        if not isinstance(source, np.ndarray):
            if not _holds_arrays(source):
                return self.on_constant(array)  # numbers and lists written in the code
            try:  # a list of arrays or tensors: np.array of the list, as infer_array makes it
                text, used = self.value_expr(source, "Tensor([...])")
            except Refused as error:
                return self.refuse(str(error))
            var = self._bind(array, Var("stacked"))
            self.emit("{} = _np.array(" + text + ", dtype=" + self.const(array.dtype, "dtype") + ")", [var] + used)
            return
        try:
            text, used = self.value_expr(source, "Tensor(array)")
        except Refused:
            return self.refuse(
                f"Tensor(array) of a NumPy array of shape {source.shape} that is not an argument of the compiled "
                "function (a global array? pass it as an argument)"
            )
        var = self._bind(array, Var("copy"))
        self.emit(
            "{} = _np.array(" + text + ", dtype=" + self.const(array.dtype, "dtype") + ", copy=True)",
            [var] + used,
            "Tensor(x) copies the values",
        )

    def on_values(self, fn: Callable, inputs: tuple, params: dict, out: Tensor) -> None:
        """``values_of(fn, *inputs)``: a value computed outside the graph, computed again on every call."""
        if self.refused:
            return
        try:
            text, used = self.value_expr(tuple(inputs), f"{getattr(fn, '__name__', 'fn')}()")
            extra = []
            for key, value in params.items():
                part, vs = self.value_expr(value, f"{getattr(fn, '__name__', 'fn')}()")
                extra.append(f"{key}={part}")
                used += vs
        except Refused as error:
            return self.refuse(str(error))
        name = getattr(fn, "__name__", "fn")
        arguments = text[1:-1].rstrip(",") + "".join(", " + e for e in extra)
        var = self._bind(out._data, Var(name.strip("_"), tensor=out))
        call = self.const(fn, name) + "(" + arguments + ")"
        if fn in (np.ndarray.any, np.ndarray.all) and len(inputs) == 1 and params == {"axis": None, "keepdims": False}:
            call = f"{text[1:-2]}.{name}()"  # the method: the same value, without np.any's Python wrapper
        if not (isinstance(fn, np.ufunc) and out._data.ndim):  # (a ufunc of arrays gives an array already)
            call = f"_asarray({call})"
        self.emit("{} = " + call, [var] + used, f"{name} (no gradient: a value outside the graph)", kind="derived")
        if not (isinstance(fn, np.ufunc) or fn in _SHAPE_PRESERVING):  # its shape may depend on the values
            self.emit(f"if {{}}.shape != {out._data.shape!r}: raise _GuardFailed", [var], kind="guard")
            self._guarded()

    def _guarded(self) -> None:
        """A guard was written: the in-place writes before it are undone if it fails."""
        for line in self.undoable:
            line.comment = line.comment or "(undone if a later guard fails)"
            line.kind = "undo-update"
        self.undoable = []

    def on_item(self, tensor: Tensor, value: Any) -> None:
        if self.refused:
            return
        if _user_reads(1):
            return self.refuse(
                ".item() (or float(t), int(t)) in the compiled function: the number leaves the trace "
                "(into a list, a print, arithmetic), which a replay would not repeat; return the tensor "
                "and read it outside the compiled function"
            )
        if self.stepped:
            return self.refuse(
                "bool(t) (if t:) after the optimizer's step; decide before the update, or outside the compiled function"
            )
        try:
            text, used = self.value_expr(tensor, ".item()")
        except Refused as error:
            return self.refuse(str(error))
        expected = self.const(value, "value")
        test = f"not _same({text}.item(), {expected})"
        if type(value) is bool and tensor.dtype == np.bool_:  # a one-element bool array's truth is its value
            test = f"not {text}" if value else text
        self.emit(
            f"if {test}: raise _GuardFailed",
            used,
            f"guard: the value was {value!r} when traced",
            kind="guard",
        )
        self._guarded()

    def on_constant(self, array: np.ndarray) -> None:
        self.constants.add(id(array))
        self.keep.append(array)

    def on_zero_grad(self, tensors: list) -> None:
        if self.stepped:
            return  # (after the update: it only matters for the end state, which the program sets)
        for tensor in tensors:
            self.cleared.add(id(tensor))

    def on_escape(self, tensor: Tensor, how: str) -> None:
        if self.refused:
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
        holder = owner[0] if owner else "None"  # a tensor made in this call: only its array is written
        self.emit(
            f"_write({holder}, {{}}, {self.const(ufunc, 'fn')}, {text})",
            [target] + used,
            f"in-place {getattr(ufunc, '__name__', 'write')} (as Tensor._write)",
            kind="update",
        )
        if owner is not None:
            self.undoable.append(self.lines[-1])

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
            if _plain_sgd(optimizer):
                self._write_sgd(optimizer)
            else:
                self._call_step(optimizer)
            self.stepped = True
        tracer, _mode.tracer = _mode.tracer, None
        try:
            optimizer.step()
        finally:
            _mode.tracer = tracer

    def _write_sgd(self, optimizer: Any) -> None:
        """Plain SGD written out: one line per parameter, what ``SGD._update`` and ``copy_`` do."""
        self.emit("# SGD: p = p - lr * g, in place; lr is read from the group on every call", [], kind="update")
        try:
            for group in optimizer.param_groups:
                name = self.const(group, "group")
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    value = self.tensor_var(param, "a parameter")
                    if not isinstance(value, Var):
                        raise Refused("a parameter the trace cannot place")
                    self.emit(
                        f"_write({self.holder(param)}, {{}}, _assign_all, {{}} + (-{name}['lr']) * {{}})",
                        [value, value, self.grad_var(param)],
                        kind="update",
                    )
        except Refused as error:
            self.refuse(str(error))

    def _call_step(self, optimizer: Any) -> None:
        """Any other optimizer: its ``step()`` called by the program, its rule printed above the call."""
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

    def on_scheduler_step(self, scheduler: Any) -> None:
        """``scheduler.step()`` inside the function: the program calls it too, at the same place."""
        name = self.const(scheduler, type(scheduler).__name__.lower())
        self.emit(f"{name}.step()", [], f"{type(scheduler).__name__}: the learning rate for the next step", "update")
        self.replayed.append(scheduler)
        self.stepped = True
        tracer, _mode.tracer = _mode.tracer, None
        try:
            scheduler.step()
        finally:
            _mode.tracer = tracer

    def on_module_change(self, module: Any, how: str) -> None:
        """A module's flags changed inside the function (``model.eval()``): a replay would not repeat it."""
        self.refuse(
            f"{type(module).__name__}.{how} inside the compiled function; a replay would not repeat it "
            "(switch modes outside the compiled function, or compile one step per mode)"
        )

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
                    self._named.append(value)  # (a freed tensor's id, reused by a later one, would lend it this name)
                    if user:
                        self._user_named.add(key)


_PYTHON_DIRS = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
_RESERVED = {
    "_np",
    "_wrap_requiring_grad",
    "_assign_all",
    "_undo",
    "_committed",
    "_asarray",
    "_wrap",
    "_write",
    "_draw",
    "_same",
    "_GuardFailed",
    "_scatter_add",
    "_unbroadcast",
}
_TEMP_NAMES = {"gk": "grad_kept", "nb": "minus_grad", "pa": "grad_times_b", "pb": "grad_times_a"}
_GENERIC = {"self", "tensor", "value", "out", "x", "result", "other", "a", "b", "t", "input", "inputs"}


def _plain_sgd(optimizer: Any) -> bool:
    from ..optim import SGD

    return type(optimizer) is SGD and not any(
        g["momentum"] or g["weight_decay"] or g.get("maximize") for g in optimizer.param_groups
    )


_SHAPE_PRESERVING = {np.ndarray.any, np.ndarray.all, np.copy, np.sign, _array_as, ops.max_keepdims}


def _holds_arrays(value: Any) -> bool:
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        return True
    return isinstance(value, (list, tuple)) and any(_holds_arrays(v) for v in value)


def _has_mask(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype == np.bool_ for p in parts)


def _layout(array: np.ndarray) -> tuple:
    return (array.__array_interface__["data"][0], array.shape, array.strides, array.dtype.str)
