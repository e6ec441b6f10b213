"""Datasets and loaders as PyTorch's ``torch.utils.data``: ``Dataset``, ``TensorDataset``, ``Subset``,
``random_split``, the samplers and ``DataLoader`` with the default collate.

```python
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, generator=np.random.default_rng(0))
for xb, yb in loader:          # Tensors: xb (32, ...), yb (32,) int64 labels
    ...
```

Same seed, same order: with a ``tinygrad_sm.Generator`` (or the default one) the loader, the samplers and
``random_split`` take the same draws as PyTorch's from its generator (the iterator's base seed, then
``randperm``), so a shuffled epoch equals PyTorch's for the same seed. A NumPy ``Generator`` is accepted
too (then the order is NumPy's). Deliberate differences: ``num_workers``, ``pin_memory`` and
``persistent_workers`` are accepted and change nothing (loading runs in the calling process: the
batches are the same, only time differs); ``TensorDataset`` accepts NumPy arrays too (shared, not copied).
"""

from __future__ import annotations

import collections.abc
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, stack

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "random_split",
]


def _randperm(count: int, generator: Any = None) -> np.ndarray:
    """A random permutation of ``range(count)`` (int64) from ``generator``: a NumPy ``Generator``, or a
    ``tinygrad_sm.Generator`` / None (the default generator) through ``tinygrad_sm.randperm`` where that
    exists (else NumPy's default one, which ``tinygrad_sm.manual_seed`` seeds)."""
    if isinstance(generator, np.random.Generator):
        return generator.permutation(count).astype(np.int64)
    from .. import factories

    randperm = getattr(factories, "randperm", None)
    if randperm is not None:
        result = randperm(count, generator=generator)
        return np.asarray(result._data if isinstance(result, Tensor) else result, dtype=np.int64)
    if generator is not None:
        raise TypeError(f"generator must be a numpy.random.Generator (or None), got {type(generator).__name__}")
    return _numpy_default().permutation(count).astype(np.int64)


def _randint(high: int, count: int, generator: Any = None) -> list[int]:
    """``count`` draws from ``range(high)`` (sampling with replacement), from ``generator`` as ``_randperm``."""
    if isinstance(generator, np.random.Generator):
        return generator.integers(0, high, count).tolist()
    from .. import factories

    randint = getattr(factories, "randint", None)
    if randint is not None:
        result = randint(0, high, (count,), generator=generator)
        return np.asarray(result._data if isinstance(result, Tensor) else result).tolist()
    return _numpy_default().integers(0, high, count).tolist()


def _torch_generators() -> Any:
    """``tinygrad_sm.random`` when it has PyTorch's generator (so draws can follow PyTorch's), else None."""
    try:
        from .. import random as generators
    except ImportError:
        return None
    return generators if hasattr(generators, "Generator") else None


def _draw_seed(generator: Any) -> int | None:
    """One int64 draw, as PyTorch's ``torch.empty((), dtype=torch.int64).random_(generator=generator)``
    (what its DataLoader and RandomSampler take from the generator); None for a NumPy Generator."""
    if isinstance(generator, np.random.Generator) or _torch_generators() is None:
        return None
    value = Tensor._wrap(np.zeros((), np.int64))
    value.random_(generator=generator)  # type: ignore[attr-defined]  # (tinygrad_sm.random installs random_)
    return int(value.item())


def _numpy_default() -> np.random.Generator:
    from .. import factories

    source: Any = factories.default_generator
    return source() if callable(source) else source


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


# ---------------------------------------------------------------- datasets


class Dataset:
    """A map-style data set: ``dataset[i]`` is sample ``i`` and ``len(dataset)`` the number of samples."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A data set read as a stream: subclasses implement ``__iter__``."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class TensorDataset(Dataset):
    """Samples are the rows of ``tensors`` (all with the same first dimension): ``dataset[i]`` is
    ``(t[i] for t in tensors)``, as a tuple. NumPy arrays are accepted and shared, not copied."""

    def __init__(self, *tensors: Any) -> None:
        converted = []
        for position, value in enumerate(tensors):
            if isinstance(value, np.ndarray):
                value = Tensor._wrap(value)
            elif not isinstance(value, Tensor):
                value = Tensor(value)
            if value.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {position} is 0-d; each needs a first (sample) dimension")
            converted.append(value)
        if converted and any(t.shape[0] != converted[0].shape[0] for t in converted):
            sizes = ", ".join(str(t.shape) for t in converted)
            raise ValueError(f"Size mismatch between tensors: TensorDataset needs one first dimension, got {sizes}")
        self.tensors: tuple[Tensor, ...] = tuple(converted)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0] if self.tensors else 0


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, list(int(i) for i in indices)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return [self.dataset[self.indices[int(i)]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several data sets one after the other."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise IndexError(f"index {index} is out of range for a dataset of {len(self)} samples")
            index += len(self)
        part = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        if part >= len(self.datasets):
            raise IndexError(f"index {index} is out of range for a dataset of {len(self)} samples")
        start = 0 if part == 0 else int(self.cumulative_sizes[part - 1])
        return self.datasets[part][index - start]


def random_split(dataset: Dataset, lengths: Sequence[float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given ``lengths`` (counts that sum
    to ``len(dataset)``, or fractions that sum to 1: each gets ``floor(f * n)`` and the remainder is
    dealt one by one from the first, as PyTorch)."""
    total = len(dataset)  # type: ignore[arg-type]
    lengths = list(lengths)
    if lengths and all(isinstance(f, float) for f in lengths) and math.isclose(sum(lengths), 1.0):
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must be between 0 and 1, got {lengths}")
        counts = [int(math.floor(total * f)) for f in lengths]
        for position in range(total - sum(counts)):
            counts[position % len(counts)] += 1
    elif all(_is_count(n) and n >= 0 for n in lengths):
        counts = [int(n) for n in lengths]
    else:
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions that sum to 1, got {lengths}")
    if sum(counts) != total:
        raise ValueError(
            f"Sum of input lengths ({sum(counts)}) does not equal the length of the input dataset ({total})"
        )
    order = _randperm(total, generator).tolist()
    subsets, start = [], 0
    for count in counts:
        subsets.append(Subset(dataset, order[start : start + count]))
        start += count
    return subsets


# ---------------------------------------------------------------- samplers


class Sampler:
    """An iterable over sample indices (or, for a batch sampler, lists of them)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} has no len()")


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order on each pass (a permutation; ``replacement=True``: ``num_samples`` draws)."""

    def __init__(
        self, data_source: Any, replacement: bool = False, num_samples: int | None = None, generator: Any = None
    ) -> None:
        self.data_source, self.replacement, self._num_samples, self.generator = (
            data_source,
            bool(replacement),
            num_samples,
            generator,
        )
        if num_samples is not None and (not _is_count(num_samples) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        # the draws in PyTorch's order, lazily as its generator function takes them (a pass run to the end
        # also draws the trailing, possibly empty, remainder), so a seeded epoch equals PyTorch's
        count, generator = len(self.data_source), self.generator
        generators = _torch_generators()
        if generator is None and generators is not None:  # as PyTorch: a fresh generator seeded from the default
            generator = generators.Generator().manual_seed(_draw_seed(None))
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from _randint(count, 32, generator)
            yield from _randint(count, self.num_samples % 32, generator)
            return
        for _ in range(self.num_samples // count):
            yield from _randperm(count, generator).tolist()
        if self.num_samples % count or not isinstance(generator, np.random.Generator):  # (PyTorch's trailing draw;
            yield from _randperm(count, generator).tolist()[: self.num_samples % count]  # NumPy's order skips it)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order on each pass."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = list(indices), generator

    def __iter__(self) -> Iterator[int]:
        return iter([self.indices[i] for i in _randperm(len(self.indices), self.generator)])

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not _is_count(batch_size) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), bool(drop_last)

    def __iter__(self) -> Iterator[list[Any]]:
        batch: list[Any] = []
        for index in self.sampler:  # as PyTorch: passed on as the sampler gave it (a list, for a batch sampler)
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        count = len(self.sampler)  # type: ignore[arg-type]
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)


# ---------------------------------------------------------------- collate


def default_collate(batch: Sequence[Any]) -> Any:
    """Samples -> one batch, as PyTorch's ``default_collate``: Tensors and NumPy arrays are stacked into
    a Tensor (a new first dimension), Python floats become float64, ints int64 and bools bool Tensors,
    NumPy scalars keep their dtype, strings stay a list; tuples and lists collate field by field (into a
    list), dicts key by key, named tuples field by field (into the same named tuple)."""
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OUSV":
            raise TypeError(f"default_collate: cannot stack NumPy arrays of dtype {elem.dtype}")
        return Tensor._wrap(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, np.generic):
        return Tensor._wrap(np.array(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        f"default_collate: batch must contain tensors, NumPy arrays, numbers, dicts or lists; found {type(elem).__name__}"
    )


# ---------------------------------------------------------------- loader


class DataLoader:
    """Batches of a data set, as PyTorch's ``DataLoader``: ``batch_size`` samples per batch (``None``:
    samples one by one), a new random order each pass with ``shuffle=True`` (from ``generator``),
    the last short batch dropped with ``drop_last``, batches built by ``collate_fn`` (default:
    ``default_collate``). ``sampler`` (indices) or ``batch_sampler`` (lists of indices) replace the
    order and batching; they exclude ``shuffle``, as in PyTorch."""

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
    ) -> None:
        if not _is_count(num_workers) or num_workers < 0:
            raise ValueError(f"num_workers option should be non-negative, got {num_workers!r}")
        if batch_size is not None and (not _is_count(batch_size) or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        self.dataset, self.num_workers, self.generator = dataset, num_workers, generator
        self.batch_size, self.drop_last = batch_size, bool(drop_last)
        self.collate_fn = collate_fn
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle or sampler is not None or batch_sampler is not None:
                raise ValueError(
                    "DataLoader with an IterableDataset: shuffle, sampler and batch_sampler are not allowed"
                )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
                )
            self.batch_size, self.drop_last = None, False
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and self.batch_size is not None and not self._iterable:
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)  # type: ignore[arg-type]
        self.sampler, self.batch_sampler = sampler, batch_sampler

    def __iter__(self) -> Iterator[Any]:
        _draw_seed(self.generator)  # PyTorch's iterator takes its base seed first: the same draws follow
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        if self._iterable:
            yield from self._iterate_stream(collate)
            return
        if self.batch_sampler is None:  # batch_size=None: one sample at a time, not batched
            for index in self.sampler:  # type: ignore[union-attr]
                sample = self.dataset[index]
                yield sample if self.collate_fn is None else self.collate_fn(sample)
            return
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        for indices in self.batch_sampler:
            if fast:  # the rows at once: the same batch default_collate would stack, without a loop per sample
                positions = np.asarray(indices, dtype=np.int64)
                yield [_rows(tensor, positions) for tensor in self.dataset.tensors]
            else:
                yield collate([self.dataset[i] for i in indices])

    def _iterate_stream(self, collate: Callable[[list], Any]) -> Iterator[Any]:
        if self.batch_size is None:
            yield from (sample if self.collate_fn is None else self.collate_fn(sample) for sample in self.dataset)
            return
        batch: list = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def __len__(self) -> int:
        if self._iterable:
            count = len(self.dataset)
            if self.batch_size is None:
                return count
            return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]


def _rows(tensor: Tensor, positions: np.ndarray) -> Tensor:
    if tensor.requires_grad:
        return tensor[positions]
    return Tensor._wrap(tensor._data[positions])
