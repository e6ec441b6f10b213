"""Modules named as PyTorch names them (state_dict keys, named_modules), nn.Parameter, Module.to/apply/
requires_grad_, the containers, and loading a PyTorch state dict saved with np.savez. Expected names and
values come from PyTorch via scripts/pin_torch_modules.py (tests/data/torch_modules.json and .npz)."""

import json
import zipfile
from pathlib import Path

import module_cases
import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.nn as nn

DATA = Path(__file__).parent / "data"
PINNED = json.loads((DATA / "torch_modules.json").read_text())


def build(spec):
    """The same model as scripts/pin_torch_modules.py builds with torch.nn."""
    return module_cases.build(spec, tg)


@pytest.mark.parametrize("name", sorted(PINNED["models"]))
def test_state_dict_keys_and_module_names_equal_pytorchs(name):
    pinned = PINNED["models"][name]
    model = build(pinned["spec"])
    assert list(model.state_dict()) == pinned["state_dict"]
    assert [n for n, _ in model.named_parameters()] == pinned["parameters"]
    assert [n for n, _ in model.named_buffers()] == pinned["buffers"]
    assert [n for n, _ in model.named_modules()] == pinned["named_modules"]
    assert [n for n, _ in model.named_children()] == pinned["named_children"]


def test_a_pytorch_state_dict_saved_with_np_savez_loads_by_name_and_gives_pytorchs_outputs():
    model = build(PINNED["models"]["mlp"]["spec"])
    with np.load(DATA / "torch_modules.npz") as arrays:
        result = model.load_state_dict(dict(arrays), strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = tg.tensor(PINNED["mlp_output"]["x"])
    np.testing.assert_allclose(model(x).detach().numpy(), PINNED["mlp_output"]["y"], rtol=1e-6, atol=1e-6)


def test_load_state_dict_names_missing_unexpected_keys_and_shape_mismatches():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    state = model.state_dict()
    with pytest.raises(KeyError, match=r"missing parameters: 2\.bias.*unexpected names: 2\.offset"):
        model.load_state_dict({**{k: v for k, v in state.items() if k != "2.bias"}, "2.offset": np.zeros(1)})
    with pytest.raises(ValueError, match=r"'0\.weight' has shape \(2, 3\) but the model expects \(3, 2\)"):
        model.load_state_dict({**state, "0.weight": np.zeros((2, 3), np.float32)})
    partial = model.load_state_dict({"0.bias": np.ones(3, np.float32), "extra": np.ones(1)}, strict=False)
    assert partial.missing_keys == ["0.weight", "2.weight", "2.bias"] and partial.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model[0].bias.detach().numpy(), np.ones(3))


def test_old_layers_n_names_are_refused_by_load_state_dict_with_the_way_to_migrate():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    old = {f"layers.{k}": v for k, v in model.state_dict().items()}
    with pytest.raises(KeyError, match="older tinygrad_sm.*migrate_state_dict"):
        model.load_state_dict(old)
    model.load_state_dict(nn.migrate_state_dict(model, old))  # renamed, they load


def test_a_checkpoint_written_with_the_old_layers_n_names_still_loads(tmp_path):
    source = nn.MLP([3, 4, 2])
    path = tmp_path / "old.npz"
    with zipfile.ZipFile(path, "w") as archive:  # the layout nn.save wrote before the rename
        archive.comment = b"tinygrad_sm checkpoint format 2"
        for name, array in source.state_dict().items():
            with archive.open(f"layers.{name}.npy", "w") as member:
                np.lib.format.write_array(member, array.numpy())
    target = nn.MLP([3, 4, 2])
    nn.load(target, path)
    for (name, a), b in zip(source.state_dict().items(), target.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_parameter_repr_and_defaults_as_pytorch():
    p = nn.Parameter(tg.tensor([1.0, 2.0]))
    assert p.requires_grad and isinstance(p, tg.Tensor) and p.is_leaf
    assert repr(p) == PINNED["parameter_repr"] == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not nn.Parameter(tg.tensor([1.0]), requires_grad=False).requires_grad
    assert type(p * 2) is tg.Tensor  # results of ops are plain tensors


def test_parameter_shares_the_array_of_the_tensor_it_wraps():
    t = tg.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    with tg.no_grad():
        p.mul_(3)
    assert t.tolist() == [3.0, 6.0]


def test_module_registers_parameters_on_assignment_and_frozen_parameters_stay_parameters():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(tg.ones(2))
            self.frozen = nn.Parameter(tg.ones(2), requires_grad=False)
            self.leaf = tg.tensor([1.0], requires_grad=True)  # a learned leaf: registered (see Module)
            self.constant = tg.tensor([1.0])  # no grad: not a parameter

    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["w", "frozen", "leaf"]
    assert isinstance(net.leaf, nn.Parameter)
    assert list(net.state_dict()) == ["w", "frozen", "leaf"]


def test_module_reprs_equal_pytorchs():
    model = nn.Sequential(nn.ReLU(), nn.Sequential(nn.Tanh(), nn.Identity()))
    assert repr(model) == PINNED["module_reprs"]["relu_tanh"]


def test_sequential_indexing_slicing_len_iteration_and_append():
    first, act, last = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(first, act, last)
    assert model[0] is first and model[-1] is last and len(model) == 3 and list(model) == [first, act, last]
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [act, last]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]  # a slice keeps the names, as PyTorch
    model.append(nn.Sigmoid())
    assert len(model) == 4 and [n for n, _ in model.named_children()] == ["0", "1", "2", "3"]
    with pytest.raises(IndexError, match="out of range"):
        model[4]
    assert model.pop(1) is act and [n for n, _ in model.named_children()] == ["0", "1", "2"]  # renumbered
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)


def test_module_list_and_module_dict_name_their_children():
    blocks = nn.ModuleList([nn.Linear(2, 2)])
    blocks.append(nn.Linear(2, 2))
    blocks.extend([nn.ReLU()])
    assert len(blocks) == 3 and isinstance(blocks[2], nn.ReLU)
    assert list(blocks.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    del blocks[0]
    assert list(blocks.state_dict()) == ["0.weight", "0.bias"]  # renumbered
    heads = nn.ModuleDict({"cls": nn.Linear(2, 3)})
    heads["reg"] = nn.Linear(2, 1)
    assert list(heads.keys()) == ["cls", "reg"] and "cls" in heads and len(heads) == 2
    assert list(heads.state_dict()) == ["cls.weight", "cls.bias", "reg.weight", "reg.bias"]
    assert heads.pop("cls") is not None and list(heads) == ["reg"]


def test_parameters_recurse_children_modules_apply_and_get_submodule():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1)))
    assert len(model.parameters()) == 4 and model.parameters(recurse=False) == []
    assert next(model.parameters()) is model[0].weight  # the habit next(model.parameters())
    assert model.children() == [model[0], model[1]]
    assert len(model.modules()) == 4
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Linear", "Sequential", "Sequential"]  # children first, as PyTorch
    assert model.get_submodule("1.0") is model[1][0]


def test_requires_grad_freezes_and_zero_grad_sets_none():
    model = nn.Sequential(nn.Linear(2, 1))
    model(tg.ones(3, 2)).sum().backward()
    assert model[0].weight.grad is not None
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    assert model(tg.ones(3, 2)).grad_fn is None


def test_module_to_casts_floating_parameters_and_buffers_in_place_and_keeps_integer_buffers():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    assert model.to(tg.float64) is model
    assert model[0].weight is weight and weight.dtype == np.float64  # the same Parameter, changed in place
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # PyTorch casts floating point tensors only
    model.float()
    assert weight.dtype == np.float32
    assert model.to("cpu") is model


def test_register_parameter_and_add_module_check_their_arguments():
    module = nn.Module()
    module.register_parameter("scale", nn.Parameter(tg.ones(1)))
    module.add_module("inner", nn.Linear(1, 1))
    assert list(module.state_dict()) == ["scale", "inner.weight", "inner.bias"]
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        module.register_parameter("bad", tg.ones(1))
    with pytest.raises(KeyError, match="contain '.'"):
        module.add_module("a.b", nn.ReLU())
    with pytest.raises(TypeError, match="not a Module"):
        module.add_module("c", 3)


def test_train_and_eval_flags_reach_every_module():
    model = nn.Sequential(nn.Dropout(0.5), nn.ModuleList([nn.Dropout(0.5)]))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_module_to_a_device_and_dtype_together_and_cuda_refused_clearly():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert model.to(tg.device("cpu")) is model and model[0].weight.device == tg.device("cpu")
    model.to("cpu", tg.float64)
    assert model[0].weight.dtype == np.float64 and model[1].num_batches_tracked.dtype == np.int64
    model.to(dtype=tg.float32)
    assert model[0].weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="cannot put a tensor on 'cuda'"):
        model.to("cuda")


@pytest.mark.parametrize("expression", sorted(PINNED["layer_reprs"]))
def test_layer_reprs_equal_pytorchs(expression):
    module = eval(expression, {"nn": nn}, dict(vars(nn)))
    assert repr(module) == PINNED["layer_reprs"][expression]


def test_tied_weights_are_one_parameter_listed_under_both_names_in_state_dict():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Linear(3, 3, bias=False)
            self.decoder = nn.Linear(3, 3, bias=False)
            self.decoder.weight = self.encoder.weight

    model = Tied()
    assert [n for n, _ in model.named_parameters()] == ["encoder.weight"]  # as PyTorch: once
    assert list(model.state_dict()) == ["encoder.weight", "decoder.weight"]  # as PyTorch: both names
    model.load_state_dict({"encoder.weight": np.eye(3), "decoder.weight": np.eye(3)})
    assert model.decoder.weight is model.encoder.weight
