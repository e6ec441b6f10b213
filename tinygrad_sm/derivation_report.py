"""The report ``check_derivation`` returns: one ``DerivationRow`` per input (your gradient against
autograd, autograd against finite differences, the verdict and the mistakes found), the
``DerivationReport`` with its printable table and JSON form, and ``_row``, which compares the three
opinions for one input. Kept apart from ``derivation``, which evaluates them; ``derivation``
re-exports these names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .derivation_rules import diagnose, within

FD_TOLERANCE = (1e-5, 1e-6)  # (rel, abs) for autograd against central differences with eps = 1e-6


@dataclass
class DerivationRow:
    """One input: your gradient's shape and errors against autograd, autograd's error against finite
    differences, the verdict, and (when it failed) the mistakes found with the evidence."""

    name: str
    shape: tuple
    your_shape: tuple | None
    max_abs_error: float
    max_rel_error: float
    fd_error: float
    fd_agrees: bool
    passed: bool
    mistakes: list[str] = field(default_factory=list)
    diagnosis: str = ""


@dataclass
class DerivationReport:
    """``rows`` (one per input in ``wrt``), the ``points`` checked, ``notes`` (kinks skipped, errors);
    ``passed`` is True when every row passed; ``str(report)`` is the printable table."""

    rows: list[DerivationRow]
    points: list[str]
    notes: list[str]
    loss_name: str = "loss"
    derived_name: str = "derived"
    dtype: str = "float64"
    seed: int = 0

    @property
    def passed(self) -> bool:
        return bool(self.rows) and all(row.passed for row in self.rows)

    def to_dict(self) -> dict:
        def plain(value: Any) -> Any:  # JSON has no nan or inf
            return None if isinstance(value, float) and not np.isfinite(value) else value

        rows = [
            {
                **{key: plain(value) for key, value in asdict(row).items()},
                "shape": list(row.shape),
                "your_shape": None if row.your_shape is None else list(row.your_shape),
            }
            for row in self.rows
        ]
        return {
            "loss": self.loss_name,
            "derived": self.derived_name,
            "dtype": self.dtype,
            "seed": self.seed,
            "points": list(self.points),
            "passed": self.passed,
            "rows": rows,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        def number(value: float) -> str:
            return "-" if np.isnan(value) else f"{value:.1e}"

        header = ("input", "autograd shape", "your shape", "max abs err", "max rel err", "autograd vs FD", "verdict")
        lines = [header] + [
            (
                row.name,
                str(row.shape),
                str(row.your_shape) if row.your_shape is not None else "-",
                number(row.max_abs_error),
                number(row.max_rel_error),
                f"{number(row.fd_error)} {'ok' if row.fd_agrees else 'DIFFERS'}",
                "PASS" if row.passed else "FAIL",
            )
            for row in self.rows
        ]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        table = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
        table.insert(1, "  ".join("-" * width for width in widths))
        random = sum(label.startswith("random") for label in self.points)
        given = "the given inputs" if "the given inputs" in self.points else "not the given inputs"
        title = (
            f"{self.derived_name} against autograd of {self.loss_name}, {self.dtype}: {given} + {random} "
            f"random perturbation{'s' if random != 1 else ''} (seed {self.seed}); "
            "finite differences in float64 as a third opinion"
        )
        verdict = f"{sum(row.passed for row in self.rows)}/{len(self.rows)} gradients match autograd: " + (
            "PASS" if self.passed else "FAIL"
        )
        found = [f"  d{row.name}: {row.diagnosis}" for row in self.rows if row.diagnosis]
        notes = [f"  note: {note}" for note in self.notes]
        return "\n".join([title, "", *table, "", *found, *notes, verdict])


@dataclass
class _Directional:
    """Finite differences of a large input along random unit ``directions`` (rows): ``slopes[r]`` is
    ``d/ds f(x + s * directions[r])``, to be compared with ``directions @ autograd.ravel()``."""

    directions: np.ndarray
    slopes: np.ndarray


def _against_differences(autograd: np.ndarray, numeric: Any) -> tuple[float, bool]:
    """Max abs difference between autograd and the finite differences, and whether it is within tolerance."""
    if isinstance(numeric, _Directional):
        autograd, numeric = numeric.directions @ autograd.ravel(), numeric.slopes
    error = float(np.max(np.abs(autograd - numeric))) if autograd.size else 0.0
    return error, within(autograd, numeric, *FD_TOLERANCE)


def _row(
    k: int,
    name: str,
    labels: list[str],
    yours: list,
    autograd: list,
    numeric: list,
    terms: dict,
    batch_size: int | None,
    rtol: float,
    atol: float,
    failure: str | None,
    means: Sequence[int] = (),
) -> DerivationRow:
    auto = [point[k] for point in autograd]
    compared = [_against_differences(a, point[k]) for a, point in zip(auto, numeric)]
    fd_error = max((error for error, _ in compared), default=float("nan"))
    fd_agrees = bool(compared) and all(agrees for _, agrees in compared)
    # element values for the first-index message; nan where a large input was checked along directions
    fd = [point[k] if isinstance(point[k], np.ndarray) else np.full(a.shape, np.nan) for a, point in zip(auto, numeric)]
    shape = tuple(auto[0].shape) if auto else ()

    def error_row(message: str) -> DerivationRow:  # no comparison was possible; the message says why
        return DerivationRow(
            name, shape, None, float("nan"), float("nan"), fd_error, fd_agrees, False, ["error"], message
        )

    if failure or not auto:  # the failure itself is in the report's notes, once
        return error_row("" if failure else "no point could be checked")
    mine = [point[k] for point in yours]
    if any(m is None for m in mine):
        return error_row(f"the value returned for d{name} is not an array of numbers")
    your_shape = tuple(mine[0].shape)
    if all(m.shape == a.shape for m, a in zip(mine, auto)):
        errors = [np.abs(m - a) for m, a in zip(mine, auto)]
        max_abs = max(float(np.max(e)) if e.size else 0.0 for e in errors)
        with np.errstate(divide="ignore", invalid="ignore"):
            max_rel = max(
                float(np.max(np.where(e == 0, 0.0, e / np.abs(a)))) if e.size else 0.0 for e, a in zip(errors, auto)
            )
    else:
        max_abs = max_rel = float("nan")
    matches = all(within(m, a, rtol, atol) for m, a in zip(mine, auto))
    if matches and fd_agrees:
        return DerivationRow(name, shape, your_shape, max_abs, max_rel, fd_error, True, True)
    suspect = (
        "autograd disagrees with finite differences: is part of the loss computed outside tinygrad_sm "
        "ops (.data, .detach(), NumPy functions), or not smooth?"
    )
    if matches:
        return DerivationRow(
            name,
            shape,
            your_shape,
            max_abs,
            max_rel,
            fd_error,
            False,
            False,
            ["autograd-vs-fd"],
            f"yours matches autograd, but {suspect}",
        )
    if not fd_agrees and all(
        isinstance(f, np.ndarray) and not np.isnan(f).any() and within(m, f, *FD_TOLERANCE) for m, f in zip(mine, fd)
    ):
        return DerivationRow(
            name,
            shape,
            your_shape,
            max_abs,
            max_rel,
            fd_error,
            False,
            False,
            ["autograd-vs-fd"],
            f"yours matches finite differences and autograd does not: {suspect}",
        )
    term_grads = {t: [point[k] for point in grads] for t, grads in terms.items()} or None
    found = diagnose(f"d{name}", mine, auto, fd, labels, term_grads, batch_size, rtol, atol, means)
    message = found.message if fd_agrees else f"{found.message} (but {suspect})"
    return DerivationRow(name, shape, your_shape, max_abs, max_rel, fd_error, fd_agrees, False, found.mistakes, message)
