"""The torch names teaching code uses (tests/data/teaching_names.json, collected from several courses) exist
here and give PyTorch's values: each case is PyTorch code run unchanged with ``torch`` bound to tinygrad_sm
and ``F`` to ``tinygrad_sm.nn.functional``, compared with PyTorch's result pinned by
scripts/pin_torch_teaching.py."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import tinygrad_sm.nn.functional as F

import tinygrad_sm as tg

DATA = Path(__file__).parent / "data"
SPEC = json.loads((DATA / "teaching_names.json").read_text())
PINNED = json.loads((DATA / "torch_teaching.json").read_text())["results"]
NAMES = [entry for entry in SPEC["names"] if "waits_for" not in entry]
CASES = [entry for entry in NAMES if "case" in entry]


def resolve(name: str) -> bool:
    """Whether ``torch.x.y`` / ``Tensor.x`` / ``F.x`` exists here."""
    root, *path = name.split(".")
    obj = {"torch": tg, "Tensor": tg.Tensor, "F": F}[root]
    for part in path:
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def plain(value):
    """A result as JSON, as the pin script stores PyTorch's."""
    if isinstance(value, tg.Tensor):
        array = value._data
        values = array.tolist()
        return {"dtype": str(array.dtype), "shape": list(array.shape), "values": _finite(values)}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, (np.generic,)):
        return plain(value.item())
    if isinstance(value, float):
        return _finite(value)
    return value


def _finite(values):
    if isinstance(values, list):
        return [_finite(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return repr(values)
    return values


def assert_same(ours, torch_value, where="out"):
    if isinstance(torch_value, dict):
        assert isinstance(ours, dict), f"{where}: expected a tensor, got {ours!r}"
        assert ours["dtype"] == torch_value["dtype"], (
            f"{where}: dtype {ours['dtype']} != PyTorch's {torch_value['dtype']}"
        )
        assert ours["shape"] == torch_value["shape"], (
            f"{where}: shape {ours['shape']} != PyTorch's {torch_value['shape']}"
        )
        assert_same(ours["values"], torch_value["values"], where)
    elif isinstance(torch_value, list):
        assert isinstance(ours, list) and len(ours) == len(torch_value), f"{where}: {ours!r} != {torch_value!r}"
        for k, (a, b) in enumerate(zip(ours, torch_value)):
            assert_same(a, b, f"{where}[{k}]")
    elif isinstance(torch_value, float) and not isinstance(ours, bool):
        assert isinstance(ours, (int, float)), f"{where}: {ours!r} != {torch_value!r}"
        assert math.isclose(ours, torch_value, rel_tol=1e-5, abs_tol=1e-6), f"{where}: {ours!r} != {torch_value!r}"
    else:
        assert ours == torch_value and type(ours) is type(torch_value), (
            f"{where}: {ours!r} != PyTorch's {torch_value!r}"
        )


def run_case(entry):
    scope = {"torch": tg, "F": F}
    exec(SPEC["prelude"], scope)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(entry["case"], scope)
    return plain(scope["out"])


@pytest.mark.parametrize("entry", NAMES, ids=[entry["name"] for entry in NAMES])
def test_teaching_name_exists(entry):
    assert resolve(entry["name"]), f"{entry['name']} is missing"


@pytest.mark.parametrize("entry", CASES, ids=[entry["name"] for entry in CASES])
def test_teaching_name_gives_pytorchs_value(entry):
    assert_same(run_case(entry), PINNED[entry["name"]])


def test_every_case_is_pinned_and_omissions_have_reasons():
    assert {entry["name"] for entry in SPEC["names"] if "case" in entry} == set(PINNED)
    names = {entry["name"] for entry in SPEC["names"]}
    for omission in SPEC["omissions"]:
        assert omission["reason"] and omission["name"] not in names
    assert all(entry["sources"] and set(entry["sources"]) <= set(SPEC["sources"]) for entry in SPEC["names"])
    assert len(SPEC["sources"]) >= 5  # several courses, not one


def coverage() -> tuple[int, int]:
    """(names that exist and, where a case is pinned, give PyTorch's value; names listed, omissions included)."""
    covered = 0
    for entry in SPEC["names"]:
        if not resolve(entry["name"]):
            continue
        if "case" in entry:
            try:
                assert_same(run_case(entry), PINNED[entry["name"]])
            except Exception:
                continue
        covered += 1
    return covered, len(SPEC["names"]) + len(SPEC["omissions"])


def test_coverage_of_the_teaching_list_is_at_least_95_percent():
    covered, total = coverage()
    assert covered / total >= 0.95, f"coverage {covered}/{total} = {covered / total:.1%}"
