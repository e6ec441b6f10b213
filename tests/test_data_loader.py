"""tinygrad_sm.utils.data as PyTorch's torch.utils.data: datasets, samplers, default_collate, DataLoader,
random_split. Lengths, dtypes and splits are pinned from PyTorch (scripts/pin_torch_modules.py); the
shuffled order cannot equal PyTorch's (different generator), so it is tested for being a permutation
that a seed repeats."""

import json
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

PINNED = json.loads((Path(__file__).parent / "data" / "torch_modules.json").read_text())


def summary(value):
    if isinstance(value, tg.Tensor):
        return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.tolist()}
    if isinstance(value, dict):
        return {k: summary(v) for k, v in value.items()}
    return {"type": type(value).__name__, "items": [summary(v) for v in value]}


COLLATE_INPUTS = {
    "ints": [1, 2, 3],
    "floats": [1.5, 2.5],
    "bools": [True, False],
    "float32_arrays": [np.zeros(3, np.float32), np.ones(3, np.float32)],
    "int_pairs": [(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)],
    "dicts": [{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}],
}


@pytest.mark.parametrize("name", sorted(COLLATE_INPUTS))
def test_default_collate_gives_pytorchs_dtypes_shapes_and_containers(name):
    assert summary(default_collate(COLLATE_INPUTS[name])) == PINNED["collate"][name]


def test_default_collate_stacks_tensors_keeps_strings_and_named_tuples():
    Pair = namedtuple("Pair", "x label")
    batch = default_collate([Pair(tg.tensor([1.0, 2.0]), "a"), Pair(tg.tensor([3.0, 4.0]), "b")])
    assert isinstance(batch, Pair) and batch.x.shape == (2, 2) and batch.label == ["a", "b"]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])


@pytest.mark.parametrize("key", sorted(PINNED["loaders"]))
def test_loader_lengths_batch_sizes_and_label_dtype_equal_pytorchs(key):
    batch_size, drop_last = key.split("_")
    loader = DataLoader(
        TensorDataset(tg.arange(10.0).reshape(10, 1), tg.arange(10)),
        batch_size=int(batch_size),
        drop_last=drop_last == "True",
    )
    batches = [[xb.shape[0], str(yb.dtype)] for xb, yb in loader]
    assert {"len": len(loader), "batches": batches} == PINNED["loaders"][key]


def test_a_loader_over_a_plain_dataset_collates_samples_and_labels_are_int64():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], np.float32), i % 2

    batches = list(DataLoader(Squares(), batch_size=2))
    assert [len(b[1]) for b in batches] == [2, 2, 1]
    xb, yb = batches[0]
    assert xb.dtype == np.float32 and xb.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert yb.dtype == np.int64 and yb.tolist() == [0, 1]


def test_same_seed_same_shuffled_batches_as_pytorch():
    orders = PINNED["orders"]
    data = TensorDataset(tg.arange(10))
    loader = DataLoader(data, batch_size=4, shuffle=True, generator=tg.Generator().manual_seed(0))
    assert [[b[0].tolist() for b in loader] for _ in range(3)] == orders["generator_seed0_batch4"]
    tg.manual_seed(5)  # no generator: the default one, drawn from as PyTorch draws from its own
    loader = DataLoader(data, batch_size=3, shuffle=True, drop_last=True)
    assert [[b[0].tolist() for b in loader] for _ in range(2)] == orders["default_seed5_batch3_drop_last"]
    assert tg.randn(3).tolist() == orders["after_default_seed5"]  # and it moved on exactly as PyTorch's


def test_same_seed_same_samples_and_splits_as_pytorch():
    orders = PINNED["orders"]
    sampler = RandomSampler(range(7), replacement=True, num_samples=40, generator=tg.Generator().manual_seed(2))
    assert list(sampler) == orders["sampler_replacement_seed2"]
    parts = random_split(range(10), [3, 7], generator=tg.Generator().manual_seed(1))
    assert [p.indices for p in parts] == orders["random_split_seed1"]


def test_shuffle_is_a_new_permutation_each_epoch_reproducible_from_the_generator():
    data = TensorDataset(np.arange(20))

    def epochs(seed):
        loader = DataLoader(data, batch_size=6, shuffle=True, generator=np.random.default_rng(seed))
        return [np.concatenate([b[0].numpy() for b in loader]).tolist() for _ in range(2)]

    first, second = epochs(0)
    assert sorted(first) == list(range(20)) and first != second and first != list(range(20))
    assert epochs(0) == [first, second]
    assert epochs(1) != [first, second]


def test_drop_last_collate_fn_sampler_and_batch_sampler():
    data = TensorDataset(np.arange(7.0))
    assert [len(b[0]) for b in DataLoader(data, batch_size=3, drop_last=True)] == [3, 3]
    sums = list(DataLoader(data, batch_size=3, collate_fn=lambda samples: sum(float(s[0]) for s in samples)))
    assert sums == [3.0, 12.0, 6.0]
    backwards = DataLoader(data, batch_size=2, sampler=list(range(6, -1, -1)))
    assert [b[0].tolist() for b in backwards] == [[6.0, 5.0], [4.0, 3.0], [2.0, 1.0], [0.0]]
    pairs = DataLoader(data, batch_sampler=[[0, 6], [3]])
    assert [b[0].tolist() for b in pairs] == [[0.0, 6.0], [3.0]] and len(pairs) == 2
    assert [s[0].item() for s in DataLoader(data, batch_size=None)][:2] == [0.0, 1.0]
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(data, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(data, batch_size=0)


def test_samplers_as_pytorchs():
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    order = list(RandomSampler(range(5), generator=np.random.default_rng(0)))
    assert sorted(order) == [0, 1, 2, 3, 4]
    assert len(list(RandomSampler(range(3), replacement=True, num_samples=7))) == 7
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, drop_last=True)) == 2


def test_tensor_dataset_checks_sizes_and_indexes_rows():
    data = TensorDataset(tg.ones(3, 2), tg.tensor([0, 1, 2]))
    x, y = data[1]
    assert x.shape == (2,) and y.item() == 1 and len(data) == 3
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(tg.ones(3), tg.ones(4))


@pytest.mark.parametrize("key", sorted(PINNED["splits"]))
def test_random_split_lengths_of_fractions_equal_pytorchs(key):
    case = PINNED["splits"][key]
    parts = random_split(range(case["total"]), case["fractions"], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == case["lengths"]
    assert sorted(i for p in parts for i in p.indices) == list(range(case["total"]))


def test_random_split_counts_subsets_and_errors():
    first, second = random_split(list("abcdef"), [2, 4], generator=np.random.default_rng(3))
    assert isinstance(first, Subset) and len(first) == 2 and sorted([*first, *second]) == list("abcdef")
    again, _ = random_split(list("abcdef"), [2, 4], generator=np.random.default_rng(3))
    assert list(again) == list(first)
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(range(5), [2, 2])


def test_iterable_dataset_is_batched_in_order():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(5))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3], [4]]


def test_tg_utils_data_is_the_module():
    assert tg.utils.data.DataLoader is DataLoader


def test_a_numpy_generator_gives_the_epochs_iterate_minibatches_gave():
    # (train.py's batches: the same order as before it used the DataLoader, so its results did not move)
    from tinygrad_sm.data import iterate_minibatches

    x, y = np.arange(10.0).reshape(10, 1), np.arange(10)
    old_rng, new_rng = np.random.default_rng(3), np.random.default_rng(3)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True, generator=new_rng)
    for _ in range(3):
        old = [yb.tolist() for _, yb in iterate_minibatches(x, y, 4, shuffle=True, seed=old_rng)]
        assert [yb.tolist() for _, yb in loader] == old
