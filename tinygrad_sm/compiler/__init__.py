"""``tinygrad_sm.compile(fn)``: trace a training step once, then run it as straight-line NumPy.

The first call with a new signature runs ``fn`` eagerly and records it (``trace.py``); the second runs
eagerly again and must record the same program (so nothing that changes from call to call was frozen);
from then on the program runs: one line per primitive's forward and backward, the optimizer's step, no
Tensor or graph objects per op. Every data-dependent decision is a guard; a guard that fails runs the
call eagerly and traces again, so the results are always the eager results. ``step.source`` is the
program's Python. (The package is ``compiler``, not ``compile``, so that ``tinygrad_sm.compile`` can be
the function without the submodule's import ever replacing it.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compile"]


def compile(fn: Callable | None = None, *, cache_size: int = 8) -> Any:
    """Compile a training step (or any function of tensors) into straight-line NumPy: ``step = compile(fn)``
    or ``@compile``. Returns a [`CompiledFunction`][tinygrad_sm.compiler.api.CompiledFunction]; its
    ``source`` is the latest program. (Imported on first use: ``api`` needs the whole engine.)"""
    from .api import CompiledFunction

    if fn is None:
        return lambda f: CompiledFunction(f, cache_size)
    return CompiledFunction(fn, cache_size)
