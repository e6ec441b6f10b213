"""size()/numel(), .data as a Tensor without the graph, grad_fn/next_functions, Variable and the legacy
typed constructors, as PyTorch (values pinned in tests/data/torch_modules.json)."""

import json
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm as tg

PINNED = json.loads((Path(__file__).parent / "data" / "torch_modules.json").read_text())


def test_size_returns_a_size_tuple_and_size_dim_an_int_as_pytorch():
    t = tg.zeros(2, 3, 4)
    size = t.size()
    assert isinstance(size, tg.Size) and isinstance(size, tuple) and list(size) == PINNED["size"]["shape"]
    assert t.size(1) == PINNED["size"]["size_1"] and t.size(-1) == 4 and size.numel() == 24
    assert t.numel() == t.nelement() == PINNED["size"]["numel"] == np.size(t)
    assert repr(size) == "tinygrad_sm.Size([2, 3, 4])" and isinstance(size[1:], tg.Size)
    with pytest.raises(IndexError, match=r"size\(dim=3\).*shape \(2, 3, 4\)"):
        t.size(3)


def test_data_is_a_tensor_sharing_memory_without_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    data = y.data
    assert isinstance(data, tg.Tensor) and not data.requires_grad and data.grad_fn is None
    assert data.norm().item() == pytest.approx(np.hypot(2.0, 4.0))  # y.data.norm(), a PyTorch habit
    x.data.mul_(10)  # writes through .data change the tensor, as in PyTorch
    assert x.tolist() == [10.0, 20.0]
    x.data = np.array([1.0, 1.0], np.float32)  # the setter keeps working
    assert x.tolist() == [1.0, 1.0]


def test_a_write_through_data_or_detach_into_a_saved_array_makes_backward_refuse():
    # (before: the write through detach() was silently used by backward, giving a wrong gradient)
    for alias in (lambda t: t.data, lambda t: t.detach()):
        x = tg.tensor([1.0, 2.0], requires_grad=True)
        loss = (x * x).sum()
        alias(x).add_(1.0)
        with pytest.raises(RuntimeError, match="modified in place"):
            loss.backward()


def test_manual_sgd_through_data_as_old_tutorials_write_it():
    w = tg.tensor([1.0, -1.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        w.data -= 0.25 * w.grad.data
        w.grad.data.zero_()
    np.testing.assert_allclose(w.detach().numpy(), [0.125, -0.125])


def test_grad_fn_is_leaf_requires_grad_and_retains_grad():
    x = tg.tensor([1.0], requires_grad=True)
    constant = tg.tensor([2.0])
    y = x * constant
    assert x.grad_fn is None and x.is_leaf and constant.is_leaf and not y.is_leaf
    assert y.grad_fn.name() == "MulBackward0" and y.requires_grad
    first, second = y.grad_fn.next_functions
    assert first[0].name() == "torch::autograd::AccumulateGrad" and first[0].variable is x
    assert second == (None, 0)  # an input that needs no gradient, as in PyTorch
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    assert y.grad_fn == y.grad_fn and hash(y.grad_fn) == hash(y.grad_fn)


def test_variable_is_a_deprecated_alias_returning_the_tensor():
    t = tg.tensor([1.0, 2.0])
    with pytest.warns(DeprecationWarning, match="Variable is deprecated"):
        v = tg.autograd.Variable(t, requires_grad=True)
    assert v is t and v.requires_grad
    with pytest.warns(DeprecationWarning):
        assert isinstance(tg.autograd.Variable(np.zeros(2)), tg.Tensor)


def test_legacy_typed_constructors():
    assert tg.FloatTensor([1, 2]).dtype == np.float32
    assert tg.LongTensor([1, 2]).dtype == np.int64 and tg.DoubleTensor(2, 3).shape == (2, 3)
    assert tg.DoubleTensor(2).dtype == np.float64 and tg.IntTensor([1]).dtype == np.int32
