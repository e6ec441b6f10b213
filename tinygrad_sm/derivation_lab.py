"""Lab files for ``python -m tinygrad_sm check --file lab.py``: a learner's Python file that defines

- ``loss(...)``: the loss from tinygrad_sm ops, a scalar Tensor or a dict of named scalar terms;
- ``derived(...)``: the hand-derived gradient in plain NumPy, one array per input in ``wrt``, in order;
- ``inputs()``: example inputs, a dict ``{name: array}`` (passed by keyword) or a tuple (positional);
- ``wrt = ["W", "b"]``: the inputs whose gradients ``derived`` returns, in order (optional: default
  every floating-point input).

Other names are chosen with ``--loss``, ``--derived`` (several, comma-separated, are checked in turn)
and ``--inputs``.

**The lab never runs in this process.** [`run_lab`][tinygrad_sm.derivation_lab.run_lab] imports it in
a fresh child process (``tinygrad_sm.isolation``) with a time limit and a memory cap; the child sends
back only plain arrays (autograd's, the finite differences', and each derived function's gradients)
and the report and verdict are computed here. So a lab that exits (``sys.exit(0)``, ``os._exit(0)``),
is killed, loops or runs out of memory before every gradient was returned, patches the report
classes or prints PASS never gets exit status 0.

Exit status: 0 when every gradient matches autograd, 1 when one does not (an autograder's "fail"),
2 when the file cannot be used (missing, does not import, lacks a function, its loss cannot be
evaluated) or its process stopped before every gradient was compared (the line names the function
that was running), with one line on stderr and no traceback. What the lab printed follows on stderr,
each line marked ``lab|``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ._files import not_a_regular_file
from .derivation import (
    DerivationReport,
    LabError,
    LabStopped,
    _gather,
    _judge,
    _Loss,
    _pack,
    _prepare,
    _wrt_hint,
    gathered_from_child,
)
from .isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT, Channel, ChildError, ChildResult, run_module_job

__all__ = ["LabError", "LabResult", "LabStopped", "check_file_command", "check_lab", "load_lab", "run_lab"]

LabResult = ChildResult  # what run_lab returns: status, meta, arrays, running, output

#: what each name a lab defines must be, for the messages that say one is missing
ROLES = {
    "loss": "the loss: a function of the inputs built from tinygrad_sm ops, returning a scalar Tensor "
    "(or a dict of named scalar Tensors)",
    "derived": "your derived gradient: a function of the same inputs returning NumPy arrays, one per "
    "input in wrt, in that order",
    "inputs": "the example inputs: a function returning a dict {name: array} (or a tuple)",
    "wrt": "a list of the input names whose gradients derived returns, in order",
}


def _import(path: Path) -> ModuleType:
    kind = not_a_regular_file(path)
    if kind is not None:
        raise LabError(f"{path}: is {kind}, not a Python file")
    if not path.is_file():
        raise LabError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"_tinygrad_sm_lab_{abs(hash(str(path.resolve())))}", path)
    if spec is None or spec.loader is None:
        raise LabError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise LabError(f"{path}: line {error.lineno}: SyntaxError: {error.msg}") from None
    except Exception as error:  # the learner's module code: any failure is "does not import"
        raise LabError(f"{path}{_line_in(path, error)}: failed to import: {type(error).__name__}: {error}") from None
    return module


def _line_in(path: Path, error: BaseException) -> str:
    """``: line N`` of the deepest frame of ``error``'s traceback that lies in the lab file, if any."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve() == path.resolve()
    ]
    return f": line {lines[-1]}" if lines else ""


def _function(module: ModuleType, path: Path, name: str, role: str, option: str) -> Callable:
    value = getattr(module, name, None)
    if not callable(value):
        defined = sorted(
            key
            for key, item in vars(module).items()
            if callable(item) and not key.startswith("_") and getattr(item, "__module__", None) == module.__name__
        )
        problem = f"{name!r} is not a function" if value is not None else f"the lab defines no {name!r}"
        raise LabError(
            f"{path}: {problem}; it must be {ROLES[role]}; functions defined: {', '.join(defined) or 'none'}; "
            f"choose another with {option} NAME"
        )
    return value


def _wrt(module: ModuleType, path: Path) -> Any:
    wrt = getattr(module, "wrt", None)
    if wrt is None or isinstance(wrt, str):
        return wrt
    if not isinstance(wrt, (list, tuple)) or not all(isinstance(entry, (str, int)) for entry in wrt):
        raise LabError(f"{path}: wrt is {type(wrt).__name__}; it must be {ROLES['wrt']}, e.g. wrt = ['W', 'b']")
    return list(wrt)


def load_lab(
    path: str | Path,
    loss: str = "loss",
    derived: str = "derived",
    inputs: str = "inputs",
    progress: Callable[[str, str], None] | None = None,
) -> tuple[Callable, list[Callable], tuple, dict, Any]:
    """Import the lab file **in this process** and return ``(loss_fn, derived_fns, positional_inputs,
    keyword_inputs, wrt)``; raises [`LabError`][tinygrad_sm.derivation.LabError] naming what is missing.
    (``check_lab`` and ``check --file`` call it only inside the child process.)"""
    path = Path(path)
    if progress is not None:
        progress("module import", "")
    module = _import(path)
    loss_fn = _function(module, path, loss, "loss", "--loss")
    derived_fns = [
        _function(module, path, name.strip(), "derived", "--derived") for name in derived.split(",") if name.strip()
    ]
    if not derived_fns:
        raise LabError(f"{path}: --derived names no function")
    make_inputs = _function(module, path, inputs, "inputs", "--inputs")
    if progress is not None:
        progress(f"{inputs}()", "")
    try:
        values = make_inputs()
    except Exception as error:
        raise LabError(f"{path}{_line_in(path, error)}: {inputs}() raised {type(error).__name__}: {error}") from None
    if isinstance(values, dict):
        positional, keywords = (), dict(values)
    elif isinstance(values, (tuple, list)):
        positional, keywords = tuple(values), {}
    else:
        raise LabError(
            f"{path}: {inputs}() must return a dict {{name: array}} or a tuple of arrays, got {type(values).__name__}"
        )
    return loss_fn, derived_fns, positional, keywords, _wrt(module, path)


def check_job(options: dict, channel: Channel) -> tuple[dict, dict]:
    """The child's side of ``check_lab``: import the lab, evaluate everything, send plain arrays."""
    path = Path(options["path"])
    try:
        loss_fn, derived_fns, positional, keywords, wrt = load_lab(
            path,
            options.get("loss", "loss"),
            options.get("derived", "derived"),
            options.get("inputs", "inputs"),
            channel.running,
        )
        dtype, trials = options.get("dtype", "float64"), int(options.get("trials", 3))
        items, wrt_index, dtype, batch_size = _prepare(loss_fn, positional, keywords, wrt, dtype, trials, None)
        names = [items[i].name for i in wrt_index]
        hint = _wrt_hint(wrt, names, "the lab defines no wrt: it is").replace("{derived}", "derived")
        loss = _Loss(loss_fn, items, wrt_index, dtype)
        gathered = _gather(
            loss, derived_fns, items, trials, int(options.get("seed", 0)), 1e-6, batch_size, hint, channel.running
        )
    except (ValueError, TypeError, IndexError) as error:  # LabError included: one line, naming the file
        text = str(error)
        raise ChildError(text if text.startswith(f"{path}:") else f"{path}: {text}") from None
    return _pack(gathered)


def run_lab(
    path: str | Path,
    job: str = "tinygrad_sm.derivation_lab:check_job",
    options: dict | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
) -> LabResult:
    """Run ``job`` on the lab file ``path`` in a fresh child process, within ``timeout`` seconds and
    ``memory`` bytes (beyond the child's own; None: no cap), and return what came back: a
    ``LabResult`` (``tinygrad_sm.isolation.ChildResult``) whose ``status`` is ``"done"`` only when the
    job's complete result arrived (``meta``: JSON, ``arrays``: plain NumPy arrays, nothing unpickled),
    else says why not (``"error"``, ``"exited"``, ``"timeout"``, ``"broken"``; ``stopped_message()``
    names what was running). ``job`` is ``"tinygrad_sm.<module>:<function>"``, called in the child as
    ``function(options, channel)`` with ``options["path"]`` set to the lab's absolute path; it returns
    ``(meta, arrays)``, reports progress with ``channel.running("loss()", "at ...")`` and raises
    ``isolation.ChildError`` for a one-line error. The default job is ``check --file``'s."""
    options = dict(options or {}, path=os.path.abspath(path))  # not resolve(): the name the user gave
    return run_module_job(job, options, timeout, memory)


def check_lab(
    path: str | Path,
    loss: str = "loss",
    derived: str = "derived",
    inputs: str = "inputs",
    trials: int = 3,
    seed: int = 0,
    dtype: Any = "float64",
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
    output: Callable[[str], None] | None = None,
) -> list[DerivationReport]:
    """One [`DerivationReport`][tinygrad_sm.derivation_report.DerivationReport] per derived function of
    the lab file, which runs in a child process (``run_lab``); raises ``LabError`` (the file cannot be
    used) or ``LabStopped`` (its process stopped first), naming the file. ``output`` receives what the
    lab printed."""
    import numpy as np

    dtype = np.dtype(dtype)
    options = {"loss": loss, "derived": derived, "inputs": inputs, "trials": int(trials), "seed": int(seed)}
    result = run_lab(path, options=dict(options, dtype=dtype.name), timeout=timeout, memory=memory)
    if result.output and output is not None:
        output(result.output + (f"\n... ({result.output_dropped} more bytes)" if result.output_dropped else ""))
    try:
        gathered = gathered_from_child(result)
    except LabStopped as error:
        raise LabStopped(f"{path}: {error}") from None
    return [_judge(gathered, run, dtype, int(seed)) for run in gathered.runs]


def _show_output(path: str) -> Callable[[str], None]:
    def show(text: str) -> None:
        name = Path(path).name
        for line in text.splitlines():
            print(f"{name} printed| {line}", file=sys.stderr)

    return show


def check_file_command(
    path: str,
    loss: str = "loss",
    derived: str = "derived",
    inputs: str = "inputs",
    trials: int = 3,
    seed: int = 0,
    dtype: str = "float64",
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
) -> int:
    """``python -m tinygrad_sm check --file``: print each report; 0 all pass, 1 a gradient fails, 2 bad
    file or a lab that stopped before every gradient was compared."""
    show = _show_output(path)
    collected: list[str] = []
    try:
        reports = check_lab(path, loss, derived, inputs, trials, seed, dtype, timeout, memory, collected.append)
    except LabError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        for text in collected:
            show(text)
        return 2
    print("\n\n".join(str(report) for report in reports))
    for text in collected:
        show(text)
    return 0 if reports and all(report.passed for report in reports) else 1
