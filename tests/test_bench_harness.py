"""The benchmark harness's arithmetic (benchmarks/harness.py): which sample a cell reports and how the
contenders take turns. No timing is asserted (speed is never a timed test)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("harness", Path(__file__).parents[1] / "benchmarks" / "harness.py")
assert _spec is not None and _spec.loader is not None
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)


class _FakeWorker:
    def __init__(self, name, medians):
        self.name, self.medians, self.asked = name, list(medians), []

    def ask(self, request):
        self.asked.append(request["case"])
        return {"median_s": self.medians.pop(0)}


def test_a_cell_is_the_fastest_block_median_and_its_ratio_is_over_the_baselines_fastest():
    result = {
        "medians": {"step": {"numpy": [2.0, 1.0, 3.0], "eager": [2.5, 4.0, 1.5]}},
        "errors": {"step": {}},
    }
    table = harness.summarize(result, "numpy")
    assert table["step"]["eager"]["best_s"] == 1.5
    assert table["step"]["eager"]["ratio"] == 1.5
    assert table["step"]["numpy"]["ratio"] == 1.0


def test_a_contender_without_samples_reports_its_error_instead_of_a_ratio():
    result = {"medians": {"step": {"numpy": [1.0], "pytorch": []}}, "errors": {"step": {"pytorch": "boom"}}}
    assert harness.summarize(result, "numpy")["step"]["pytorch"] == {"error": "boom"}


def test_rounds_rotate_which_contender_goes_first():
    order = []

    class Recording(_FakeWorker):
        def ask(self, request):
            order.append(self.name)
            return super().ask(request)

    workers = [Recording(name, [1.0] * 3) for name in ("a", "b", "c")]
    harness.interleave(workers, ["case"], rounds=3, samples={"default": 1}, log=lambda *a, **k: None)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]


def test_the_numpy_based_contenders_get_two_blas_threads_and_pytorch_none_from_the_environment(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    assert harness.contender_env(False, 2)["OPENBLAS_NUM_THREADS"] == "2"
    assert harness.contender_env(False, 2)["OMP_NUM_THREADS"] == "2"
    assert "OMP_NUM_THREADS" not in harness.contender_env(True, 2)
