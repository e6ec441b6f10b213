"""``python -m tinygrad_sm explore FILE.py`` and ``explore --file lab.py``: the learner's code is input.

A file is checked before it runs (a readable regular file of Python source: no folder, no NUL bytes,
UTF-8 text), then run in a child process with a time limit (``--timeout``, default 60 s), as
``check --file`` runs a lab: a file that loops is stopped, and whatever the code raises becomes one
line naming the file and line, exit status 2.

``FILE.py`` defines ``loss()`` (or exactly one public function without arguments) returning the loss,
or ``(loss, model)`` to name the parameters. ``--file lab.py`` is the lab format of ``check --file``
(``loss``, ``derived``, ``inputs()``, optionally ``wrt``): the page shows the learner's gradient beside
autograd's at each input in ``wrt``, with the diagnosis where they differ.
"""

from __future__ import annotations

import functools
import inspect
import operator
import os
from pathlib import Path
from typing import Any

import numpy as np

from .tensor import Tensor

DEFAULT_TIMEOUT = 60.0  # seconds a learner's file may run (as check --file: isolation.DEFAULT_TIMEOUT)


def check_python_file(source: str, what: str = "Python file") -> Path:
    """``source`` as a Path, if it is a readable regular file of Python source; else ValueError, one line."""
    path = Path(source)
    if path.suffix != ".py":
        raise ValueError(f"{source}: not a Python file (.py)")
    if path.is_dir():
        raise ValueError(f"{source}: is a folder, not a {what}")
    if not path.exists():
        raise ValueError(f"no such {what}: {source}")
    if not path.is_file():
        raise ValueError(f"{source}: not a regular file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{source}: cannot be read ({error.strerror or error})") from None
    nul = data.find(b"\0")
    if nul >= 0:
        raise ValueError(f"{source}: holds a NUL byte at byte {nul}: a binary file, not Python source")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{source}: not UTF-8 text at byte {error.start}: not Python source") from None
    return path


def _line(path: Path, error: BaseException) -> str:
    from .derivation_lab import _line_in

    return _line_in(path, error)


def loss_from_file(source: str) -> tuple[Tensor, Any]:
    """Import ``source`` and call its ``loss()``: ``(loss, params or None)``; the learner's errors as
    ValueError naming the file and line."""
    import importlib.util

    path = check_python_file(source)
    spec = importlib.util.spec_from_file_location(f"_explored_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]  # an existing .py file has a spec
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except SyntaxError as error:
        raise ValueError(f"{source}: line {error.lineno}: SyntaxError: {error.msg}") from None
    except Exception as error:  # the learner's module code
        raise ValueError(f"{source}{_line(path, error)}: failed to import: {type(error).__name__}: {error}") from None
    functions = [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
        and not any(p.default is p.empty for p in inspect.signature(value).parameters.values())
    ]
    loss_fn = getattr(module, "loss", None)
    chosen = loss_fn if callable(loss_fn) else functions[0] if len(functions) == 1 else None
    if chosen is None:
        raise ValueError(
            f"{source} must define loss() (or exactly one public function without arguments) returning the loss Tensor"
        )
    try:
        loss = chosen()
    except Exception as error:
        raise ValueError(
            f"{source}{_line(path, error)}: {chosen.__name__}() raised {type(error).__name__}: {error}"
        ) from None
    params = None
    if isinstance(loss, tuple) and len(loss) == 2:  # loss() may return (loss, model) to name the parameters
        loss, params = loss
    if not isinstance(loss, Tensor):
        raise ValueError(f"{source}: {chosen.__name__}() returned {type(loss).__name__}, not a Tensor")
    return loss, params


def loss_from_lab(source: str, progress: Any = None) -> tuple[Tensor, dict[str, np.ndarray]]:
    """A lab file (the format of ``check --file``) at its ``inputs()``, imported **in this process** (the
    command line calls it only inside the child, ``explore_lab_job``): the loss graph, with the inputs as
    leaves named as ``check_derivation`` names them, and the learner's ``derived`` gradients by name."""
    from .derivation import _call, _collect_inputs, _Loss, _parse_derived, _resolve_wrt
    from .derivation_lab import LabError, load_lab

    check_python_file(source, "lab file")
    try:
        loss_fn, derived_fns, positional, keywords, wrt = load_lab(source, progress=progress)
        items = _collect_inputs(loss_fn, positional, keywords)
        chosen = _resolve_wrt(wrt, items)
        if progress is not None:
            progress("loss()", "at the lab's inputs")
        _, terms = _Loss(loss_fn, items, chosen, np.dtype(np.float64))._terms(
            [item.value for item in items], np.dtype(np.float64), requires_grad=True
        )
    except (LabError, ValueError, TypeError, IndexError) as error:
        text = str(error)
        raise ValueError(text if text.startswith(f"{source}:") else f"{source}: {text}") from None
    loss = functools.reduce(operator.add, terms.values())  # the named terms' sum is the loss
    names = [items[i].name for i in chosen]
    derived_fn = derived_fns[0]
    arrays = [item.value.astype(np.float64) if item.value.dtype.kind == "f" else item.value for item in items]
    if progress is not None:
        progress(f"{derived_fn.__name__}()", "at the lab's inputs")
    try:
        out = _call(derived_fn, items, arrays)
    except Exception as error:  # the learner's formula
        where = _line(Path(source), error)
        raise ValueError(f"{source}{where}: {derived_fn.__name__} raised {type(error).__name__}: {error}") from None
    parsed, failure = _parse_derived(out, names, derived_fn.__name__)
    if failure:
        raise ValueError(f"{source}: {failure}")
    return loss, {name: np.asarray(value) for name, value in zip(names, parsed) if value is not None}


# ---------------------------------------------------------------- the jobs the child process runs


def _page_job(options: dict, channel: Any, make: Any) -> tuple[dict, dict]:
    from .explorer import explore
    from .isolation import ChildError

    try:
        loss, params, derived = make(options["path"], channel.running)
        channel.running("the explorer page", "")
        written = explore(loss, options["out"], params=params, derived=derived).path
    except (ValueError, TypeError, IndexError, KeyError, OSError, RuntimeError) as error:
        raise ChildError(" ".join(str(error).split())) from None
    return {"path": str(written)}, {}


def _from_file(path: str, progress: Any) -> tuple[Tensor, Any, None]:
    progress("the file's loss()", "")
    loss, params = loss_from_file(path)
    return loss, params, None


def _from_lab(path: str, progress: Any) -> tuple[Tensor, None, dict]:
    loss, derived = loss_from_lab(path, progress)
    return loss, None, derived


def explore_file_job(options: dict, channel: Any) -> tuple[dict, dict]:
    """In the child: import FILE.py, call its ``loss()``, write the page to ``options["out"]``."""
    return _page_job(options, channel, _from_file)


def explore_lab_job(options: dict, channel: Any) -> tuple[dict, dict]:
    """In the child: the lab's loss at its inputs and its derived gradients, the page to ``options["out"]``."""
    return _page_job(options, channel, _from_lab)


def explore_command(kind: str, out: str, timeout: float = DEFAULT_TIMEOUT, lab: str | None = None) -> str:
    """Write the explorer page of ``kind`` (an example name or a Python file), or of the lab file ``lab``,
    to ``out``; returns the path. A file runs in a child process (``derivation_lab.run_lab``, issue 27's
    isolation: time limit, memory cap, nothing of it imported here), stopped after ``timeout`` seconds."""
    from .derivation_lab import run_lab
    from .explorer import EXAMPLES, example_loss, explore

    if not out.lower().endswith((".html", ".htm")):
        raise ValueError(f"--out must name an .html file, got {out!r}")
    if lab is None and kind in EXAMPLES:
        loss, params = example_loss(kind)
        return str(explore(loss, out, params=params).path)
    source = lab if lab is not None else kind
    check_python_file(source, "lab file" if lab is not None else "Python file")
    job = "tinygrad_sm.explorer_files:" + ("explore_lab_job" if lab is not None else "explore_file_job")
    result = run_lab(source, job=job, options={"out": os.path.abspath(out)}, timeout=timeout)
    for line in result.output.splitlines():  # what the learner's code printed
        print(f"{Path(source).name} printed| {line}")
    if result.status == "done":
        return out
    if result.status == "error":
        raise RuntimeError(result.error)
    if result.status == "timeout":
        raise RuntimeError(
            f"{source} did not finish within {timeout:g} s and was stopped (raise the limit with --timeout)"
        )
    running = result.running + (f" {result.where}" if result.where else "")
    raise RuntimeError(
        f"{source}: its process ended ({result.how}) while running {running}, before the page was written"
    )
