"""Course code runs as written: the programs of tests/course_programs (the idioms of public PyTorch courses, in the
combinations the courses use them) run with ``import tinygrad_sm as torch``, ``import tinygrad_sm.nn.functional as
F`` and ``import tinygrad_sm.nn as nn``, and give PyTorch's results, pinned by scripts/pin_torch_course.py.

Results under keys starting with ``exact`` (drawn from a seeded Generator, or integer arithmetic) must be bit-identical;
the rest agree to float32 rounding (relative 1e-5: a few hundred float32 training steps in a different summation
order drift by a few ulps per step)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import tinygrad_sm.nn.functional as F
from course_programs import ArrayPlot, plain, programs

import tinygrad_sm as torch
import tinygrad_sm.nn as nn

PINNED = json.loads((Path(__file__).parent / "data" / "torch_course.json").read_text())["programs"]
PROGRAMS = programs()
RTOL, ATOL = 1e-5, 1e-6
# Where tinygrad_sm deliberately differs, what it gives instead (checked, so a change is noticed) and why.
KNOWN = {
    # tinygrad_sm.Tensor(data) is torch.tensor(data) (the project's constructor, used as such throughout):
    # Python ints give int64; PyTorch's legacy torch.Tensor(data) always gives float32.
    "lectures.scalar_autograd.exact_dtype[1]": "int64",
}


def assert_same(ours, theirs, where: str, exact: bool) -> None:
    if where in KNOWN:
        assert ours == KNOWN[where], f"{where}: {ours!r} (documented as {KNOWN[where]!r}, PyTorch {theirs!r})"
        return
    if isinstance(theirs, dict) and set(theirs) == {"dtype", "shape", "values"}:
        assert isinstance(ours, dict) and set(ours) == set(theirs), f"{where}: expected a tensor, got {ours!r:.200}"
        assert ours["dtype"] == theirs["dtype"], f"{where}: dtype {ours['dtype']} != PyTorch's {theirs['dtype']}"
        assert ours["shape"] == theirs["shape"], f"{where}: shape {ours['shape']} != PyTorch's {theirs['shape']}"
        assert_same(ours["values"], theirs["values"], where, exact)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and sorted(ours) == sorted(theirs), f"{where}: keys {ours!r:.200}"
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}.{key}", exact or key.startswith("exact"))
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{where}: {ours!r:.200} != {theirs!r:.200}"
        for k, (a, b) in enumerate(zip(ours, theirs)):
            assert_same(a, b, f"{where}[{k}]", exact)
    elif isinstance(theirs, float) and not exact:
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool), f"{where}: {ours!r} != {theirs!r}"
        assert math.isclose(ours, theirs, rel_tol=RTOL, abs_tol=ATOL), f"{where}: {ours!r} != PyTorch's {theirs!r}"
    elif isinstance(theirs, str) and theirs.startswith("torch.") and theirs[6:].isidentifier():  # str(x.dtype)
        assert ours == theirs[6:], f"{where}: {ours!r} != PyTorch's {theirs!r} (dtypes print without 'torch.')"
    else:
        assert ours == theirs and type(ours) is type(theirs), f"{where}: {ours!r:.200} != PyTorch's {theirs!r:.200}"


def run(name: str):
    printed = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
            warnings.simplefilter("ignore")
            result = PROGRAMS[name](torch, F, nn, ArrayPlot())
    finally:
        torch.set_printoptions(profile="default")  # a program that failed midway must not change later reprs
    return plain(result), printed.getvalue()


def test_every_program_is_pinned():
    assert sorted(PROGRAMS) == sorted(PINNED)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_gives_pytorchs_results(name):
    result, printed = run(name)
    assert_same(result, PINNED[name]["result"], name, exact=False)
    assert len(printed.splitlines()) == len(PINNED[name]["printed"].splitlines())


# ---------------------------------------------------------------- the fixes, one class each (beyond the programs)
def _gradcheck(fn, *arrays):
    from tinygrad_sm.gradcheck import gradcheck

    assert gradcheck(fn, *[torch.tensor(np.asarray(a, dtype=np.float64)) for a in arrays])


def test_clamp_min_and_max_spellings_values_and_gradients():
    x = torch.tensor([[-1.0, 0.0, 0.5], [2.0, -3.0, 1.0]], requires_grad=True)
    assert x.clamp_min(0.0).tolist() == torch.clamp_min(x, 0.0).tolist() == [[0.0, 0.0, 0.5], [2.0, 0.0, 1.0]]
    assert x.clamp_max(0.5).tolist() == torch.clamp_max(x, 0.5).tolist() == [[-1.0, 0.0, 0.5], [0.5, -3.0, 0.5]]
    x.clamp_min(0.0).sum().backward()  # the boundary counts as inside (PyTorch): x == 0 passes its gradient
    assert x.grad.tolist() == [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]
    y = x.detach().clone()
    assert y.clamp_min_(0.0) is y and y.tolist() == [[0.0, 0.0, 0.5], [2.0, 0.0, 1.0]]
    assert y.clamp_max_(1.0).tolist() == [[0.0, 0.0, 0.5], [1.0, 0.0, 1.0]]
    bound = torch.tensor([0.25, 0.25, 0.75])  # a tensor bound broadcasts
    assert x.clamp_min(bound).tolist()[0] == [0.25, 0.25, 0.75]
    _gradcheck(lambda t: t.clamp_min(0.1).clamp_max(0.9), [[-0.5, 0.3, 1.4], [0.6, 2.0, 0.05]])


def test_mv_is_the_matrix_vector_product_and_refuses_other_shapes():
    m = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    v = torch.tensor([1.0, 0.0, -1.0])
    assert torch.mv(m, v).tolist() == m.mv(v).tolist() == [-2.0, -2.0]
    with pytest.raises(RuntimeError, match=r"mv: .*\(2, 3\) and \(2,\)"):
        torch.mv(m, torch.ones(2))
    with pytest.raises(RuntimeError, match="mv"):
        torch.mv(m, torch.ones(3, 1))  # matmul would broadcast; mv refuses, as PyTorch
    _gradcheck(lambda a, b: torch.mv(a, b), np.arange(6.0).reshape(2, 3) / 7, [0.5, -1.0, 2.0])


def test_index_add_accumulates_repeats_along_any_dim_with_alpha():
    acc = torch.zeros(3, 2)
    out = acc.index_add_(0, torch.tensor([2, 0, 2]), torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert out is acc and acc.tolist() == [[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]]
    cols = torch.ones(2, 3).index_add(1, torch.tensor([-1, 0]), torch.tensor([[1.0, 2.0], [3.0, 4.0]]), alpha=10)
    assert cols.tolist() == [[21.0, 1.0, 11.0], [41.0, 1.0, 31.0]]
    assert torch.index_add(torch.zeros(2), 0, torch.tensor([1, 1]), torch.tensor([1.0, 2.0])).tolist() == [0.0, 3.0]
    with pytest.raises(ValueError, match=r"source of shape \(2, 2\)"):
        torch.zeros(3, 2).index_add(0, torch.tensor([0, 1, 2]), torch.ones(2, 2))
    with pytest.raises(IndexError, match="out of range"):
        torch.zeros(3).index_add(0, torch.tensor([3]), torch.ones(1))
    index = torch.tensor([1, 0, 1])
    _gradcheck(lambda x, s: x.index_add(0, index, s, alpha=0.5), np.ones((2, 3)), np.arange(9.0).reshape(3, 3))


def test_a_written_value_loses_its_leading_unit_dims_also_in_the_graph():
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    rows = torch.zeros(2, 3)
    for i in range(2):
        rows[i] = (w * (i + 1)).reshape(1, 1, 3)  # logits[i] = model(x[[i]]) writes a (1, n) row into (n,)
    (rows * rows).sum().backward()
    assert rows.tolist() == [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]
    assert w.grad.tolist() == [10.0, 20.0, 30.0]  # d/dw (w^2 + 4 w^2) = 10 w
    with pytest.raises(ValueError):
        rows[0] = torch.ones(2, 3, requires_grad=True)  # a leading dim that is not 1 still cannot fit


def test_tensors_take_a_learners_own_attributes():
    inp = torch.tensor([[1.0, 2.0]])
    inp.g = inp * 3  # fast.ai's backprop by hand keeps each gradient on its tensor
    assert inp.g.tolist() == [[3.0, 6.0]] and (inp + 1).__dict__ == {}
    with pytest.raises(AttributeError):
        inp.not_set  # noqa: B018


def test_stride_counts_elements_as_pytorch():
    m = torch.zeros(2, 3, 4)
    assert m.stride() == (12, 4, 1) and m.stride(-1) == 1 and m.stride(0) == 12
    assert m[:, 0].stride() == (12, 1) and m.transpose(0, 2).stride() == (1, 4, 12)
    assert torch.ones(3).expand(2, 3).stride() == (0, 1)
    with pytest.raises(IndexError):
        m.stride(3)


def test_where_as_a_method():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.where(x > 0, torch.zeros(3))
    y.sum().backward()
    assert y.tolist() == [1.0, 0.0, 3.0] and x.grad.tolist() == [1.0, 0.0, 1.0]


def test_print_options_as_pytorchs():
    small = torch.tensor([[0.123456, -1.5], [1e-5, 100.0]])
    try:
        assert torch.get_printoptions()["precision"] == 4
        torch.set_printoptions(precision=2, sci_mode=False)
        assert repr(small) == "tensor([[  0.12,  -1.50],\n        [  0.00, 100.00]])"  # (PyTorch's, by hand)
        torch.set_printoptions(sci_mode=True)
        assert repr(torch.tensor([1.0, 2.0])) == "tensor([1.00e+00, 2.00e+00])"  # precision=2 stays
        torch.set_printoptions(threshold=5, edgeitems=1)
        assert repr(torch.arange(10)) == "tensor([0,  ..., 9])"
        torch.set_printoptions(profile="full")
        assert "..." not in repr(torch.arange(2000))
        with pytest.raises(ValueError, match="profile"):
            torch.set_printoptions(profile="long")
    finally:
        torch.set_printoptions(profile="default")
    assert torch.get_printoptions() == {
        "precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None,
    }  # fmt: skip
    assert repr(torch.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"


def test_dtype_limits_and_the_default_dtype():
    assert torch.get_default_dtype() == torch.float32 == torch.tensor([1.0]).dtype
    assert torch.finfo(torch.float32).eps == 2.0**-23 and torch.finfo().bits == 32
    assert torch.finfo(torch.float64).tiny == np.finfo(np.float64).tiny
    assert torch.iinfo(torch.int32).max == 2**31 - 1


def test_lerp_dist_relu_inplace_and_multinomial_as_a_method():
    start, end = torch.tensor([0.0, 10.0]), torch.tensor([10.0, 20.0])
    assert torch.lerp(start, end, 0.25).tolist() == start.lerp(end, 0.25).tolist() == [2.5, 12.5]
    avg = torch.zeros(2)
    assert avg.lerp_(end, 0.5) is avg and avg.tolist() == [5.0, 10.0]
    _gradcheck(lambda a, b: torch.lerp(a, b, 0.3), [1.0, -2.0], [0.5, 4.0])
    assert torch.dist(start, end).item() == pytest.approx(200**0.5) and start.dist(end, 1).item() == 20.0
    x = torch.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    probs = torch.tensor([0.0, 1.0, 0.0])
    assert probs.multinomial(2, replacement=True).tolist() == [1, 1]


def test_save_and_load_round_trip_tensors_in_containers_and_refuse_code(tmp_path):
    import io
    import os
    import pickle

    w = torch.ones(2, requires_grad=True)
    made = w * 3  # a computed tensor loads as a leaf (its graph is not saved), as in PyTorch
    torch.save({"w": w, "made": made, "labels": torch.tensor([1, 2]), "n": 3, "pair": (1.5, "a")}, tmp_path / "f")
    back = torch.load(tmp_path / "f")
    assert back["w"].tolist() == [1.0, 1.0] and back["w"].requires_grad and back["w"] is not w
    assert back["made"].is_leaf and back["made"].requires_grad and back["made"].tolist() == [3.0, 3.0]
    assert back["labels"].dtype == torch.int64 and back["n"] == 3 and back["pair"] == (1.5, "a")
    buffer = io.BytesIO()
    torch.save([torch.arange(3.0)], buffer)
    buffer.seek(0)
    assert torch.load(buffer, map_location="cpu")[0].tolist() == [0.0, 1.0, 2.0]

    (tmp_path / "evil").write_bytes(pickle.dumps(os.getcwd))  # not a file tg.save wrote: refused
    with pytest.raises(Exception, match="not a file tg.save wrote"):
        torch.load(tmp_path / "evil")
    with pytest.raises(RuntimeError):
        torch.load(tmp_path / "f", map_location="cuda")


def test_a_saved_parameter_loads_as_a_parameter(tmp_path):
    weight = nn.Parameter(torch.ones(2, 3))
    torch.save({"weight": weight}, tmp_path / "p")  # a dict of tensors, but not a state dict's detached ones
    back = torch.load(tmp_path / "p")["weight"]
    assert isinstance(back, nn.Parameter) and back.requires_grad and back.shape == (2, 3)
    torch.save({"w": torch.ones(2, requires_grad=True), "b": torch.zeros(2)}, tmp_path / "q")
    loaded = torch.load(tmp_path / "q")
    assert loaded["w"].requires_grad and not loaded["b"].requires_grad
    model = nn.Linear(2, 2)
    torch.save(model.state_dict(), tmp_path / "s")  # a state dict: still one array per name
    assert sorted(np.load(tmp_path / "s")) == ["bias", "weight"]


def test_forward_hooks_see_each_call_replace_values_and_come_off():
    from functools import partial

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    means: list[list[float]] = [[] for _ in model]

    def append_stats(i, module, inp, out):  # fast.ai's activation statistics
        assert module is model[i] and isinstance(inp, tuple)
        means[i].append(out.mean().item())

    handles = [layer.register_forward_hook(partial(append_stats, i)) for i, layer in enumerate(model)]
    model(torch.ones(5, 3))
    model(torch.ones(5, 3))
    assert [len(m) for m in means] == [2, 2, 2] and means[2][0] == model(torch.ones(5, 3)).mean().item()
    for handle in handles:
        handle.remove()
    model(torch.ones(5, 3))
    assert [len(m) for m in means] == [3, 3, 3]  # (the third from the check above, before the removal)
    assert sorted(model.state_dict()) == ["0.bias", "0.weight", "2.bias", "2.weight"]  # hooks are not state
    layer = model[0]
    with layer.register_forward_pre_hook(lambda module, args: (args[0] * 0,)):
        assert layer(torch.ones(1, 3)).tolist() == [layer.bias.tolist()]
    assert (
        layer(torch.zeros(1, 3)).tolist() == [layer.bias.tolist()] and layer(torch.ones(1, 3)).sum() != layer.bias.sum()
    )
    doubled = layer.register_forward_hook(lambda module, args, out: out * 2)
    assert layer(torch.zeros(1, 3)).tolist() == [(layer.bias * 2).tolist()]
    doubled.remove()


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_as_numpys_with_gradients_summed_back(indexing):
    a, b, c = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0]), torch.tensor([7.0, 8.0, 9.0, 10.0])
    ours = torch.meshgrid(a, b, c, indexing=indexing)
    expected = np.meshgrid(a.numpy(), b.numpy(), c.numpy(), indexing=indexing)
    assert [g.shape for g in ours] == [e.shape for e in expected]
    assert all((g.numpy() == e).all() for g, e in zip(ours, expected))
    assert [g.shape for g in torch.meshgrid([a, b])] == [(3, 2), (3, 2)]  # one list; PyTorch's default is 'ij'
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    grid_x, grid_y = torch.meshgrid(x, torch.tensor([0.0, 1.0, 2.0]), indexing=indexing)
    (grid_x * grid_y).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]  # each x meets y = 0, 1, 2
    with pytest.raises(ValueError, match="1-D"):
        torch.meshgrid(torch.ones(2, 2), a)


def test_legacy_sizes_in_the_tensor_constructor_are_refused_with_the_way_out():
    with pytest.raises(TypeError, match=r"tg.zeros\(2, 3\)"):
        torch.Tensor(2, 3)  # PyTorch's legacy torch.Tensor(*sizes); the message used to blame requires_grad
    assert torch.Tensor([2.0]).double().dtype == torch.float64  # the micrograd lecture's spelling works


def test_lazy_linear_becomes_a_linear_sized_by_its_first_input():
    layer = nn.LazyLinear(3)
    assert list(layer.parameters()) == [] and "in_features=0" in repr(layer)
    seen = []
    layer.register_forward_hook(lambda module, args, out: seen.append(out.shape))
    out = layer(torch.ones(2, 5))
    assert type(layer) is nn.Linear and layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert out.shape == (2, 3) and seen == [(2, 3)]  # a hook registered while lazy stays
    assert layer(torch.ones(4, 5)).shape == (4, 3) and len(seen) == 2
    torch.manual_seed(7)
    lazy = nn.LazyLinear(2)
    lazy(torch.zeros(1, 4))
    torch.manual_seed(7)
    eager = nn.Linear(4, 2)
    assert lazy.weight.tolist() == eager.weight.tolist() and lazy.bias.tolist() == eager.bias.tolist()
