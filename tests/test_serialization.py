"""tg.save / tg.load: PyTorch's calls, a NumPy file (see tinygrad_sm/serialization.py)."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm.nn.checkpoint import CheckpointError


def _model():
    tg.manual_seed(0)
    return tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 2))


def test_a_state_dict_round_trips_under_any_suffix_and_np_load_reads_it(tmp_path):
    model = _model()
    path = tmp_path / "model_weights.pth"
    tg.save(model.state_dict(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["model_weights.pth"]  # no .npz appended
    loaded = tg.load(path)
    assert list(loaded) == list(model.state_dict())
    assert all(isinstance(value, tg.Tensor) and not value.requires_grad for value in loaded.values())
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(np.asarray(loaded[name]._data), np.asarray(array))
        np.testing.assert_array_equal(np.load(path)[name], np.asarray(array))
    fresh = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 2))
    fresh.load_state_dict(tg.load(str(path), weights_only=True))
    x = tg.ones(2, 3)
    np.testing.assert_array_equal(fresh(x)._data, model(x)._data)


def test_a_general_checkpoint_keeps_its_nesting_numbers_and_tensor_flags(tmp_path):
    loss = tg.tensor(0.25, requires_grad=True)
    checkpoint = {
        "epoch": 7,
        "loss": loss,
        "rate": 0.5,
        "name": "run",
        "done": None,
        "shape": (2, 3),
        "state": {0: {"momentum_buffer": tg.ones(2)}, 1: {}},
        "groups": [{"lr": 0.1, "params": [0, 1], "nesterov": False}],
        "array": np.arange(3),
    }
    tg.save(checkpoint, tmp_path / "checkpoint.tar")
    loaded = tg.load(tmp_path / "checkpoint.tar")
    assert loaded["epoch"] == 7 and loaded["rate"] == 0.5 and loaded["name"] == "run" and loaded["done"] is None
    assert loaded["shape"] == (2, 3) and loaded["groups"] == [{"lr": 0.1, "params": [0, 1], "nesterov": False}]
    assert list(loaded["state"]) == [0, 1]  # integer keys stay integers, as the optimizer's state needs
    assert loaded["loss"].requires_grad and float(loaded["loss"].item()) == 0.25
    assert loaded["loss"].shape == ()  # a 0-d tensor stays 0-d
    np.testing.assert_array_equal(loaded["state"][0]["momentum_buffer"]._data, np.ones(2, dtype=np.float32))
    assert isinstance(loaded["array"], np.ndarray) and loaded["array"].tolist() == [0, 1, 2]


def test_a_whole_module_is_pickled_and_loads_only_with_weights_only_false(tmp_path):
    model = _model()
    path = tmp_path / "model.pth"
    tg.save(model, path)
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        tg.load(path)
    restored = tg.load(path, weights_only=False)
    x = tg.ones(1, 3)
    np.testing.assert_array_equal(restored(x)._data, model(x)._data)


def test_file_objects_and_map_location_to_the_cpu():
    buffer = io.BytesIO()
    tg.save(tg.arange(4.0), buffer)
    buffer.seek(0)
    loaded = tg.load(buffer, map_location=tg.device("cpu"))
    assert loaded.tolist() == [0.0, 1.0, 2.0, 3.0]
    buffer.seek(0)
    assert tg.load(buffer, map_location={"cuda:0": "cpu"}).tolist() == [0.0, 1.0, 2.0, 3.0]
    buffer = io.BytesIO()
    tg.save({"scalar": tg.tensor(2.0)}, buffer)
    buffer.seek(0)
    assert tg.load(buffer)["scalar"].shape == ()


def test_another_device_or_a_foreign_file_is_refused_by_name(tmp_path):
    path = tmp_path / "w.pt"
    tg.save({"w": tg.ones(2)}, path)
    with pytest.raises(RuntimeError, match="cuda:0"):
        tg.load(path, map_location="cuda:0")
    with pytest.raises(TypeError, match="map_location"):
        tg.load(path, map_location=lambda storage, location: storage)
    (tmp_path / "torch.pth").write_bytes(b"\x80\x02 not a zip")
    with pytest.raises(CheckpointError, match="not a file tg.save wrote"):
        tg.load(tmp_path / "torch.pth")
    with zipfile.ZipFile(tmp_path / "torch_zip.pth", "w") as archive:  # the layout of PyTorch's torch.save
        archive.writestr("torch_zip/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("torch_zip/version", b"3\n")
    with pytest.raises(CheckpointError, match="PyTorch's torch.save wrote.*np.savez"):
        tg.load(tmp_path / "torch_zip.pth")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("a.txt", b"")
    with pytest.raises(CheckpointError, match="'a.txt' is not a .npy array"):
        tg.load(tmp_path / "other.zip")
    with zipfile.ZipFile(tmp_path / "newer.pt", "w") as archive:
        archive.comment = b"tinygrad_sm save format 7"
    with pytest.raises(CheckpointError, match="save format 7; this tinygrad_sm reads 1"):
        tg.load(tmp_path / "newer.pt")


def test_an_npz_of_named_arrays_loads_as_a_state_dict(tmp_path):
    # a PyTorch state dict brought over with np.savez(path, **{k: v.numpy() ...}), or an nn.save checkpoint
    model = _model()
    np.savez(tmp_path / "from_torch.npz", **{name: np.asarray(value) for name, value in model.state_dict().items()})
    loaded = tg.load(tmp_path / "from_torch.npz")
    assert list(loaded) == list(model.state_dict()) and all(isinstance(v, tg.Tensor) for v in loaded.values())
    tg.nn.save(model, tmp_path / "checkpoint.npz")
    fresh = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 2))
    fresh.load_state_dict(tg.load(tmp_path / "checkpoint.npz"))
    x = tg.ones(2, 3)
    np.testing.assert_array_equal(fresh(x)._data, model(x)._data)


def test_a_pickled_array_inside_the_file_is_refused(tmp_path):
    path = tmp_path / "crafted.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = b"tinygrad_sm save format 1"
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array(member, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(CheckpointError, match="pickled"):
        tg.load(path)
