"""Helpers for teachers' autograders: ``assert_derivation`` fails a pytest test with the full report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .derivation import DerivationReport, check_derivation


def assert_derivation(
    loss_fn: Callable[..., Any], derived_fn: Callable[..., Any], *inputs: Any, **options: Any
) -> DerivationReport:
    """Run [`check_derivation`][tinygrad_sm.derivation.check_derivation] with the same arguments; raise
    ``AssertionError`` whose message is the printed report (mistakes named) when a gradient does not
    match autograd, else return the report."""
    report = check_derivation(loss_fn, derived_fn, *inputs, **options)
    if not report.passed:
        raise AssertionError("\n" + str(report))
    return report
