"""Devices as PyTorch names them: only the CPU exists, other devices are refused with a clear message."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn


def test_device_type_index_repr_and_equality():
    cpu = tg.device("cpu")
    assert cpu.type == "cpu" and cpu.index is None and repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    indexed = tg.device("cpu", 0)
    assert indexed.index == 0 and repr(indexed) == "device(type='cpu', index=0)" and str(indexed) == "cpu:0"
    assert tg.device("cpu:0") == indexed and cpu == "cpu" and cpu != "cuda" and cpu != indexed
    assert tg.device(cpu) == cpu and hash(tg.device("cpu")) == hash(cpu)
    assert pickle.loads(pickle.dumps(indexed)) == indexed


def test_naming_a_gpu_is_allowed_but_using_it_is_refused():
    cuda = tg.device("cuda", 1)
    assert cuda.type == "cuda" and cuda.index == 1
    with pytest.raises(RuntimeError, match="device='cpu'"):
        tg.zeros(3, device="cuda")
    with pytest.raises(RuntimeError, match="mps"):
        tg.randn(2, device="mps")


def test_bad_device_strings_raise():
    with pytest.raises(ValueError, match="unknown device type"):
        tg.device("gpu")
    with pytest.raises(ValueError, match="invalid device string"):
        tg.device("cpu:x")
    with pytest.raises(TypeError):
        tg.device(1.5)


def test_cuda_and_mps_report_unavailable():
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    assert tg.backends.mps.is_available() is False
    device = "cuda" if tg.cuda.is_available() else "cpu"  # the line every tutorial starts with
    assert tg.ones(2, device=device).device == "cpu"
    with pytest.raises(RuntimeError, match="CUDA"):
        tg.cuda.get_device_name()


@pytest.mark.parametrize(
    "factory",
    [
        lambda d: tg.zeros(2, device=d),
        lambda d: tg.ones(2, device=d),
        lambda d: tg.empty(2, device=d),
        lambda d: tg.full((2,), 1.0, device=d),
        lambda d: tg.rand(2, device=d),
        lambda d: tg.randn(2, device=d),
        lambda d: tg.randint(0, 3, (2,), device=d),
        lambda d: tg.randperm(3, device=d),
        lambda d: tg.arange(3, device=d),
        lambda d: tg.linspace(0, 1, 3, device=d),
        lambda d: tg.logspace(0, 1, 3, device=d),
        lambda d: tg.eye(2, device=d),
        lambda d: tg.zeros_like(tg.ones(2), device=d),
        lambda d: tg.ones_like(tg.ones(2), device=d),
        lambda d: tg.full_like(tg.ones(2), 3, device=d),
        lambda d: tg.empty_like(tg.ones(2), device=d),
        lambda d: tg.rand_like(tg.ones(2), device=d),
        lambda d: tg.randn_like(tg.ones(2), device=d),
        lambda d: tg.normal(0.0, 1.0, (2,), device=d),
    ],
)
def test_every_factory_accepts_the_cpu_and_refuses_cuda(factory):
    assert factory("cpu").device == tg.device("cpu")
    assert factory(tg.device("cpu", 0)).device == "cpu"
    with pytest.raises(RuntimeError, match="device='cpu'"):
        factory("cuda:0")


@pytest.mark.parametrize(
    "make",
    [
        lambda d: nn.Linear(3, 2, device=d),
        lambda d: nn.Conv2d(1, 2, 3, device=d),
        lambda d: nn.Conv1d(1, 2, 3, device=d),
        lambda d: nn.Embedding(4, 2, device=d),
        lambda d: nn.BatchNorm1d(3, device=d),
        lambda d: nn.BatchNorm2d(3, device=d),
        lambda d: nn.LayerNorm(3, device=d),
    ],
)
def test_layers_accept_device_and_dtype(make):
    assert make("cpu") is not None
    with pytest.raises(RuntimeError, match="device='cpu'"):
        make("cuda")


def test_layer_dtype_argument():
    layer = nn.Linear(3, 2, dtype=tg.float64)
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64
    assert nn.LayerNorm(4, dtype=tg.float64).weight.dtype == np.float64


def test_tensor_device_cpu_and_cuda():
    x = tg.tensor([1.0, 2.0])
    assert x.device == tg.device("cpu") and repr(x.device) == "device(type='cpu')" and not x.is_cuda
    assert x.cpu() is x
    with pytest.raises(RuntimeError, match="device='cpu'"):
        x.cuda()


def test_to_returns_self_when_nothing_changes_as_pytorch():
    x = tg.tensor([1.0, 2.0])
    assert x.to("cpu") is x and x.to(tg.device("cpu")) is x and x.to(tg.float32) is x and x.to(x) is x
    assert x.to("cpu", tg.float32) is x and x.to(device="cpu", dtype="float32") is x
    assert x.to("cpu", non_blocking=True) is x


def test_to_copy_makes_a_new_tensor():
    x = tg.tensor([1.0, 2.0])
    y = x.to("cpu", copy=True)
    assert y is not x and np.array_equal(y._data, x._data) and not np.shares_memory(y._data, x._data)
    assert x.to(tg.float32, False, True) is not x  # non_blocking, copy by position


def test_to_changes_dtype_and_keeps_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(tg.float64)
    assert y.dtype == np.float64 and y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1.0, 1.0])
    assert x.to("cpu", tg.float64).dtype == np.float64
    assert x.to(tg.zeros(1, dtype=tg.float64)).dtype == np.float64
    assert tg.tensor([1, 2]).to(dtype=tg.float32).dtype == np.float32


def test_to_refuses_other_devices_and_nonsense():
    x = tg.tensor([1.0])
    for target in ("cuda", "cuda:0", tg.device("mps"), 0):
        with pytest.raises(RuntimeError, match="device='cpu'"):
            x.to(target)
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(tg.float64, dtype_=1)


def test_default_device():
    assert tg.get_default_device() == tg.device("cpu")
    tg.set_default_device("cpu")
    assert tg.get_default_device() == "cpu"
    with pytest.raises(RuntimeError, match="device='cpu'"):
        tg.set_default_device("cuda")
    tg.set_default_device(None)
    assert tg.get_default_device() == "cpu"


def test_generator_device():
    assert tg.Generator(device="cpu").device == "cpu"
    with pytest.raises(RuntimeError, match="device='cpu'"):
        tg.Generator(device="cuda")


def test_torch_accelerator_reports_none_so_the_tutorials_pick_the_cpu():
    # PyTorch 2.6+ tutorials: device = torch.accelerator.current_accelerator().type if ... else "cpu"
    assert tg.accelerator.is_available() is False
    assert tg.accelerator.current_accelerator() is None
    assert tg.accelerator.device_count() == 0
    picked = tg.accelerator.current_accelerator().type if tg.accelerator.is_available() else "cpu"
    assert tg.ones(1, device=picked).device == tg.device("cpu")
