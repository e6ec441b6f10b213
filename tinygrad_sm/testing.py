"""Helpers for teachers' autograders: ``assert_derivation`` and ``assert_lab`` fail a pytest test with
the full report, and never pass a learner's code that did not finish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .derivation import DerivationReport, LabError, check_derivation
from .isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT


def assert_derivation(
    loss_fn: Callable[..., Any],
    derived_fn: Callable[..., Any],
    *inputs: Any,
    isolate: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
    **options: Any,
) -> DerivationReport:
    """Run [`check_derivation`][tinygrad_sm.derivation.check_derivation] with the same arguments; raise
    ``AssertionError`` whose message is the printed report (mistakes named) when a gradient does not
    match autograd, else return the report.

    By default the learner's functions run in a forked child process (``isolate=True``, with
    ``timeout`` seconds and ``memory`` bytes): one that exits (``sys.exit``, ``os._exit``), is killed or
    runs past the limit before every gradient was compared raises ``AssertionError`` naming the
    function that was running, and cannot end the test run. ``isolate=False`` calls them here."""
    try:
        report = check_derivation(
            loss_fn,
            derived_fn,
            *inputs,
            isolate=isolate,
            timeout=timeout if isolate else None,
            memory=memory,
            **options,
        )
    except LabError as error:  # the child stopped, or the loss failed in it: never a pass
        raise AssertionError(str(error)) from None
    if not report.passed:
        raise AssertionError("\n" + str(report))
    return report


def assert_lab(
    path: str | Path,
    loss: str = "loss",
    derived: str = "derived",
    inputs: str = "inputs",
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
    **options: Any,
) -> list[DerivationReport]:
    """``check --file`` as an assertion: run the lab file in a child process
    ([`check_lab`][tinygrad_sm.derivation_lab.check_lab]) and raise ``AssertionError`` with the reports
    (or the one line saying why it could not be checked) unless every gradient matches."""
    from .derivation_lab import check_lab

    try:
        reports = check_lab(path, loss, derived, inputs, timeout=timeout, memory=memory, **options)
    except LabError as error:
        raise AssertionError(str(error)) from None
    if not reports or not all(report.passed for report in reports):
        raise AssertionError("\n" + "\n\n".join(str(report) for report in reports))
    return reports
