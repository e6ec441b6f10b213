"""Suite-wide policy.

- ``--fuzz-cases`` sets how many random graphs ``test_fuzz.py`` checks.
- Tests marked ``live_torch`` compare with PyTorch itself; the pinned expected values (made by the
  scripts under ``scripts/``) are the reference that always runs. Without torch they are not collected
  (deselected, and counted in the summary), so they never show up as skips.
- In CI (``$CI`` set) a skip is a failure: every optional tool the suite uses (Graphviz, Chromium, the
  shared data) is installed by ``make test`` there, so a skip would hide a missing feature.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

_HAVE_TORCH = importlib.util.find_spec("torch") is not None
_deselected_live: list[str] = []


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-cases",
        type=int,
        default=None,
        help="number of random graphs tests/test_fuzz.py checks (default: env TINYGRAD_SM_FUZZ_CASES, else 60)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "live_torch: compares with PyTorch itself (collected only when torch imports)")


def pytest_collection_modifyitems(config, items):
    if _HAVE_TORCH:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("live_torch") else keep).append(item)
    if drop:
        _deselected_live.extend(item.nodeid for item in drop)
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    if _deselected_live:
        terminalreporter.write_line(
            f"{len(_deselected_live)} live PyTorch comparisons not collected: torch is not "
            "installed (the pinned PyTorch values were compared)"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be skipped: {reason}"
