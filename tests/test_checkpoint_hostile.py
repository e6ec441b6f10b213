"""Checkpoints under attack: crafted, truncated, oversized and lossy files are refused before anything is
read in bulk or written into the model, each message naming the file and the real cause; the format
version is written and checked."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tinygrad_sm import nn
from tinygrad_sm.nn import CheckpointError

CURRENT = f"tinygrad_sm checkpoint format {nn.FORMAT_VERSION}".encode()


def _arrays(model: nn.Module) -> dict[str, np.ndarray]:
    """The model's state as NumPy arrays (state_dict() gives tensors), the form a crafted file holds."""
    return {name: value.numpy() for name, value in model.state_dict().items()}


def small_model(seed: int = 0) -> nn.MLP:
    return nn.MLP([3, 4, 2], generator=np.random.default_rng(seed))


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().numpy().copy() for name, tensor in model.named_parameters()}


def assert_unchanged(model: nn.Module, before: dict[str, np.ndarray]) -> None:
    for name, tensor in model.named_parameters():
        np.testing.assert_array_equal(tensor.detach().numpy(), before[name], err_msg=f"{name} was written")


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npy_header(shape: tuple, descr: str = "<f4") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def craft(path: Path, entries: dict, comment: bytes = CURRENT, compression: int = zipfile.ZIP_STORED) -> Path:
    """A checkpoint-shaped zip: each entry's value is an array (written as .npy) or raw bytes."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.comment = comment
        for name, value in entries.items():
            archive.writestr(name + ".npy", value if isinstance(value, bytes) else npy_bytes(value))
    return path


def expect_refusal(model: nn.Module, path: Path, error: type, pattern: str) -> None:
    before = snapshot(model)
    with pytest.raises(error, match=pattern) as caught:
        nn.load(model, path)
    assert_unchanged(model, before)
    return caught.value


# ---------------------------------------------------------------- format version


def test_save_records_the_format_version_and_np_load_still_sees_only_parameter_names(tmp_path):
    model = small_model()
    path = nn.save(model, tmp_path / "model.npz")
    assert zipfile.ZipFile(path).comment == CURRENT
    with np.load(path) as archive:
        assert sorted(archive.files) == sorted(name for name, _ in model.named_parameters())
        other = small_model(1)
        other.load_state_dict(dict(archive))
    for (name, a), (_, b) in zip(model.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)


def test_a_checkpoint_without_a_version_is_refused_with_how_to_convert_it(tmp_path):
    model = small_model()
    path = tmp_path / "old.npz"
    np.savez(path, **_arrays(model))  # what the old nn.save wrote: no format comment
    error = expect_refusal(model, path, CheckpointError, r"old\.npz has no tinygrad_sm format version")
    message = str(error)
    assert "(in_features, out_features)" in message and "(out_features, in_features)" in message
    assert ".T" in message and "load_state_dict" in message and "nn.save" in message


def test_a_newer_format_is_refused_naming_both_versions(tmp_path):
    model = small_model()
    path = craft(tmp_path / "new.npz", _arrays(model), comment=b"tinygrad_sm checkpoint format 99")
    expect_refusal(
        model, path, CheckpointError, rf"format 99, newer than this tinygrad_sm reads \({nn.FORMAT_VERSION}\)"
    )


# ---------------------------------------------------------------- nothing written unless everything checks out


def bad_last_entry(model: nn.Module, value_for) -> dict:
    """The state with every entry fine (and different from the model's) except the last."""
    state = {name: array + 1 for name, array in _arrays(model).items()}
    last = list(state)[-1]
    state[last] = value_for(state[last])
    return state


LOSSY = {
    "complex": (lambda a: a + 1j, TypeError, r"dtype complex\d+, which is not a real number type"),
    "datetime": (lambda a: np.zeros(a.shape, "datetime64[D]"), TypeError, r"dtype datetime64\[D\]"),
    "text": (lambda a: np.full(a.shape, "1.0"), TypeError, r"dtype <U3"),
    "bool": (lambda a: np.ones(a.shape, bool), TypeError, r"dtype bool"),
    "too-large-for-float32": (
        lambda a: np.full(a.shape, 1e300),
        ValueError,
        r"value 1e\+300 at index \(0,\) does not fit the parameter's dtype float32",
    ),
    "nan": (lambda a: np.full(a.shape, np.nan), ValueError, r"value nan at index \(0,\) is not a finite number"),
}


@pytest.mark.parametrize("kind", LOSSY)
def test_load_state_dict_checks_every_entry_before_writing_any(kind):
    value_for, error, pattern = LOSSY[kind]
    model = small_model()
    before = snapshot(model)
    with pytest.raises(error, match=pattern):
        model.load_state_dict(bad_last_entry(model, value_for))
    assert_unchanged(model, before)


@pytest.mark.parametrize("kind", LOSSY)
def test_nn_load_refuses_lossy_values_and_leaves_the_model_unchanged(tmp_path, kind):
    value_for, error, pattern = LOSSY[kind]
    model = small_model()
    path = craft(tmp_path / "lossy.npz", bad_last_entry(model, value_for))
    expect_refusal(model, path, error, pattern)


def test_float64_values_that_fit_load_into_float32_parameters(tmp_path):
    model = small_model()
    state = {name: array.astype(np.float64) * 2 for name, array in _arrays(model).items()}
    nn.load(model, craft(tmp_path / "f64.npz", state))
    for name, tensor in model.named_parameters():
        assert tensor.dtype == np.float32
        np.testing.assert_allclose(tensor.detach().numpy(), state[name], rtol=1e-7)


# ---------------------------------------------------------------- bounded reading


def test_a_huge_extra_entry_is_refused_by_its_name_without_reading_it(tmp_path):
    model = small_model()
    path = tmp_path / "bomb.npz"
    state = _arrays(model)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:  # 64 MiB of zeros, ~64 KiB on disk
        archive.comment = CURRENT
        for name, array in state.items():
            archive.writestr(name + ".npy", npy_bytes(array))
        with archive.open("extra.npy", "w", force_zip64=True) as member:
            member.write(npy_header((1 << 24,)))
            for _ in range(64):
                member.write(bytes(1 << 20))
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(KeyError, match="unexpected names: extra"):
            nn.load(model, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"reading the headers took {peak} bytes"


def test_a_header_claiming_2_to_the_32_floats_is_reported_as_truncated(tmp_path):
    model = small_model()
    state = dict(_arrays(model))
    first = list(state)[0]
    state[first] = npy_header((2**32,)) + bytes(400)
    path = craft(tmp_path / "claim.npz", state)
    expect_refusal(
        model,
        path,
        CheckpointError,
        rf"entry '{first}' is truncated: its header \(shape \(4294967296,\), dtype float32\) promises "
        r"17179869184 data bytes, the entry holds 400",
    )


def test_a_truncated_entry_says_truncated_not_pickled(tmp_path):
    model = small_model()
    state = dict(_arrays(model))
    first = list(state)[0]
    state[first] = npy_bytes(state[first])[:-7]
    expect_refusal(
        model,
        craft(tmp_path / "cut.npz", state),
        CheckpointError,
        rf"entry '{first}' is truncated: .* promises 48 data bytes, the entry holds 41",
    )


def test_an_oversized_header_is_refused_before_it_is_read(tmp_path):
    model = small_model()
    state = dict(_arrays(model))
    first = list(state)[0]
    state[first] = b"\x93NUMPY\x02\x00" + (50_000_000).to_bytes(4, "little") + b" " * 64
    expect_refusal(
        model,
        craft(tmp_path / "header.npz", state),
        CheckpointError,
        rf"entry '{first}' claims a .npy header of 50000000 bytes, more than 10000",
    )


def test_pickled_objects_are_still_refused_as_such(tmp_path):
    model = small_model()
    state = dict(_arrays(model))
    state[list(state)[-1]] = np.array([{"evil": 1}] * 2, dtype=object)
    expect_refusal(model, craft(tmp_path / "evil.npz", state), CheckpointError, r"holds pickled Python objects")


# ---------------------------------------------------------------- files that are not checkpoints


def test_a_npy_renamed_npz_is_named_as_such(tmp_path):
    path = tmp_path / "weights.npz"
    np.save(tmp_path / "weights.npy", np.zeros(3))
    os.replace(tmp_path / "weights.npy", path)
    expect_refusal(small_model(), path, CheckpointError, r"weights\.npz is a single \.npy array, not an \.npz")


@pytest.mark.parametrize(
    "keep, cause",
    [(0.5, r"truncated: it starts as a zip archive but its end .* \(\d+ bytes\)"), (0.0, "the file is empty")],
)
def test_a_truncated_or_empty_zip_names_the_file_and_the_cause(tmp_path, keep, cause):
    model = small_model()
    whole = nn.save(model, tmp_path / "whole.npz").read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(whole[: int(len(whole) * keep)])
    expect_refusal(model, path, CheckpointError, rf"checkpoint {path} is not a readable .npz \(zip\) archive: {cause}")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_or_a_folder_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    expect_refusal(small_model(), fifo, CheckpointError, r"pipe\.npz is a pipe, not a regular file")
    expect_refusal(small_model(), tmp_path, CheckpointError, r"is a folder, not a regular file")
