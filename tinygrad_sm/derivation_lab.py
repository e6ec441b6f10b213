"""Lab files for ``python -m tinygrad_sm check --file lab.py``: a learner's Python file that defines

- ``loss(...)``: the loss from tinygrad_sm ops, a scalar Tensor or a dict of named scalar terms;
- ``derived(...)``: the hand-derived gradient in plain NumPy, one array per input in ``wrt``;
- ``inputs()``: example inputs, a dict ``{name: array}`` (passed by keyword) or a tuple (positional);
- optionally ``wrt = ["W", "b"]``: the inputs to differentiate (default: every floating-point input).

Other names are chosen with ``--loss``, ``--derived`` (several, comma-separated, are checked in turn)
and ``--inputs``. Exit status: 0 when every gradient matches autograd, 1 when one does not (an
autograder's "fail"), 2 when the file cannot be used (missing, does not import, lacks a function, or
its loss cannot be evaluated), with one line on stderr and no traceback.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from .derivation import DerivationReport, check_derivation


class LabError(ValueError):
    """The lab file cannot be used; the message names the file and what is wrong."""


def _import(path: Path) -> ModuleType:
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
    except BaseException as error:  # the learner's module code: any failure is "does not import"
        if isinstance(error, KeyboardInterrupt):
            raise
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
        problem = "is not a function" if value is not None else "is not defined"
        raise LabError(
            f"{path}: {name!r} ({role}) {problem}; functions defined: {', '.join(defined) or 'none'}; "
            f"choose another with {option} NAME"
        )
    return value


def load_lab(
    path: str | Path, loss: str = "loss", derived: str = "derived", inputs: str = "inputs"
) -> tuple[Callable, list[Callable], tuple, dict, Any]:
    """Import the lab file and return ``(loss_fn, derived_fns, positional_inputs, keyword_inputs, wrt)``;
    raises [`LabError`][tinygrad_sm.derivation_lab.LabError] naming what is missing."""
    path = Path(path)
    module = _import(path)
    loss_fn = _function(module, path, loss, "the loss", "--loss")
    derived_fns = [
        _function(module, path, name.strip(), "the derived gradient", "--derived")
        for name in derived.split(",")
        if name.strip()
    ]
    if not derived_fns:
        raise LabError(f"{path}: --derived names no function")
    make_inputs = _function(module, path, inputs, "the example inputs", "--inputs")
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
    return loss_fn, derived_fns, positional, keywords, getattr(module, "wrt", None)


def check_lab(
    path: str | Path,
    loss: str = "loss",
    derived: str = "derived",
    inputs: str = "inputs",
    trials: int = 3,
    seed: int = 0,
    dtype: Any = "float64",
) -> list[DerivationReport]:
    """One [`DerivationReport`][tinygrad_sm.derivation_report.DerivationReport] per derived function of the lab file."""
    loss_fn, derived_fns, positional, keywords, wrt = load_lab(path, loss, derived, inputs)
    reports = []
    for derived_fn in derived_fns:
        try:
            reports.append(
                check_derivation(
                    loss_fn, derived_fn, *positional, wrt=wrt, trials=trials, seed=seed, dtype=dtype, **keywords
                )
            )
        except (ValueError, TypeError, IndexError) as error:
            raise LabError(f"{path}: {error}") from None
    return reports


def check_file_command(
    path: str,
    loss: str = "loss",
    derived: str = "derived",
    inputs: str = "inputs",
    trials: int = 3,
    seed: int = 0,
    dtype: str = "float64",
) -> int:
    """``python -m tinygrad_sm check --file``: print each report; 0 all pass, 1 a gradient fails, 2 bad file."""
    try:
        reports = check_lab(path, loss, derived, inputs, trials, seed, dtype)
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n\n".join(str(report) for report in reports))
    return 0 if all(report.passed for report in reports) else 1
