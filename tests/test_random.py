"""Random numbers as PyTorch's: every case of tests/random_cases.py, run in tinygrad_sm, equals the
value PyTorch gave (pinned by scripts/pin_torch_random.py) bit for bit; plus the Generator's API."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from random_cases import build_cases, stored

import tinygrad_sm as tg

PINNED = np.load(Path(__file__).parent / "data" / "torch_random.npz")
CASES = build_cases()


def test_every_case_is_pinned():
    assert set(CASES) == {name for name in PINNED.files if not name.startswith("__meta__")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_seed_gives_pytorchs_bits(name):
    expected = PINNED[name]
    got = stored(CASES[name](tg))
    if name.startswith("approx/"):  # documented as close, not bit-identical (LAPACK's QR on each side)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5, err_msg=name)
        return
    assert got.dtype == expected.dtype, f"{name}: dtype {got.dtype}, PyTorch {expected.dtype}"
    assert got.shape == expected.shape, f"{name}: shape {got.shape}, PyTorch {expected.shape}"
    assert got.tobytes() == expected.tobytes(), (
        f"{name}: {int((got != expected).sum())} of {got.size} elements differ from PyTorch's "
        f"(first: {got.ravel()[:4]} vs {expected.ravel()[:4]})"
    )


def test_the_course_numbers():
    """makemore's first cell: torch.Generator().manual_seed(2147483647) and randn((27, 10))."""
    g = tg.Generator().manual_seed(2147483647)
    C = tg.randn((27, 10), generator=g)
    assert C.dtype == np.float32 and C.shape == (27, 10)
    assert float(C[0, 0]) == pytest.approx(1.5674, abs=1e-4)


def test_manual_seed_returns_the_generator_and_initial_seed_reports_it():
    g = tg.Generator()
    assert g.initial_seed() == 67280421310721  # PyTorch's default seed
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert tg.manual_seed(3) is tg.default_generator and tg.initial_seed() == 3


def test_negative_seed_wraps_to_64_bits_and_too_big_raises():
    assert tg.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    with pytest.raises(RuntimeError, match="64 bits"):
        tg.Generator().manual_seed(2**64)
    with pytest.raises(TypeError, match="int"):
        tg.Generator().manual_seed(1.5)


def test_seed_draws_a_new_seed_and_reports_it():
    g = tg.Generator()
    value = g.seed()
    assert g.initial_seed() == value and 0 <= value < 2**64


def test_get_and_set_state_round_trip_including_the_cached_normal():
    g = tg.Generator().manual_seed(9)
    tg.randn(3, generator=g)  # an odd number of scalar normals leaves one cached
    state = g.get_state()
    assert state.dtype == np.uint8 and state.shape == (5056,)
    first = tg.randn(5, generator=g)._data.copy()
    assert g.set_state(state) is g
    np.testing.assert_array_equal(tg.randn(5, generator=g)._data, first)


def test_global_rng_state_functions():
    tg.manual_seed(11)
    saved = tg.get_rng_state()
    first = tg.rand(4)._data.copy()
    tg.set_rng_state(saved)
    np.testing.assert_array_equal(tg.rand(4)._data, first)


def test_set_state_refuses_wrong_sizes_and_garbage():
    g = tg.Generator()
    with pytest.raises(ValueError, match="5056"):
        g.set_state(tg.zeros(10, dtype=tg.uint8))
    with pytest.raises(RuntimeError, match="invalid"):
        g.set_state(np.zeros(5056, np.uint8))


def test_a_generator_does_not_touch_the_default_one():
    tg.manual_seed(5)
    expected = tg.randn(3)._data.copy()
    tg.manual_seed(5)
    tg.randn(3, generator=tg.Generator().manual_seed(1))
    np.testing.assert_array_equal(tg.randn(3)._data, expected)


def test_a_numpy_generator_is_accepted_and_reproducible():
    first = tg.randn(2, 5, generator=np.random.default_rng(99))._data
    np.testing.assert_array_equal(first, tg.randn(2, 5, generator=np.random.default_rng(99))._data)
    np.testing.assert_array_equal(first, np.random.default_rng(99).standard_normal((2, 5)).astype(np.float32))


def test_generator_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        tg.rand(3, generator=42)


def test_randint_spellings_and_errors():
    g = tg.Generator().manual_seed(0)
    assert tg.randint(10, (3,), generator=g).dtype == np.int64
    assert tg.randint(0, 10, size=(2, 2)).shape == (2, 2)
    assert tg.randint(3, 5, (4,), dtype=tg.int32).dtype == np.int32
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        tg.randint(5, 5, (3,))
    with pytest.raises(TypeError, match="tuple"):
        tg.randint(0, 10, 3)


def test_randperm_is_a_permutation():
    perm = tg.randperm(50)._data
    assert perm.dtype == np.int64 and sorted(perm.tolist()) == list(range(50))
    assert tg.randperm(0).shape == (0,)


def test_multinomial_refuses_bad_distributions():
    with pytest.raises(RuntimeError, match="without replacement"):
        tg.multinomial(tg.tensor([0.5, 0.5]), 3)
    with pytest.raises(RuntimeError, match="element < 0"):
        tg.multinomial(tg.tensor([0.5, -0.1]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        tg.multinomial(tg.tensor([0.0, 0.0]), 1)
    with pytest.raises(RuntimeError, match="floating-point"):
        tg.multinomial(tg.tensor([1, 2]), 1)


def test_multinomial_without_replacement_gives_distinct_indices_and_follows_the_weights():
    draws = tg.multinomial(tg.tensor([[1.0, 2.0, 3.0, 4.0]] * 2000), 1, generator=tg.Generator().manual_seed(1))
    counts = np.bincount(draws._data.ravel(), minlength=4) / 2000
    np.testing.assert_allclose(counts, [0.1, 0.2, 0.3, 0.4], atol=0.03)
    rows = tg.multinomial(tg.rand(20, 10), 10)._data
    assert all(sorted(row) == list(range(10)) for row in rows.tolist())


def test_distributions_have_the_right_moments():
    g = tg.Generator().manual_seed(3)
    normal = tg.normal(2.0, 3.0, (200000,), generator=g)._data
    assert abs(normal.mean() - 2.0) < 0.03 and abs(normal.std() - 3.0) < 0.03
    uniform = tg.empty(200000).uniform_(-1, 3, generator=g)._data
    assert uniform.min() >= -1 and uniform.max() < 3 and abs(uniform.mean() - 1) < 0.02
    exponential = tg.empty(200000).exponential_(2.0, generator=g)._data
    assert exponential.min() >= 0 and abs(exponential.mean() - 0.5) < 0.01
    bern = tg.empty(200000).bernoulli_(0.3, generator=g)._data
    assert set(np.unique(bern)) <= {0.0, 1.0} and abs(bern.mean() - 0.3) < 0.01


def test_normal_with_tensor_mean_and_std_broadcasts():
    out = tg.normal(tg.zeros(3, 4), tg.ones(4) * 2)
    assert out.shape == (3, 4) and out.dtype == np.float32
    only_mean = tg.normal(tg.arange(5.0), 0.0)
    np.testing.assert_array_equal(only_mean._data, np.arange(5.0, dtype=np.float32))


def test_like_forms_keep_shape_and_dtype():
    x = tg.zeros(2, 3, dtype=tg.float64)
    assert tg.rand_like(x).dtype == np.float64 and tg.randn_like(x).shape == (2, 3)
    ints = tg.randint_like(tg.zeros(4, dtype=tg.int32), 7)
    assert ints.dtype == np.int32 and (ints._data < 7).all()


def test_inplace_samplers_refuse_a_leaf_that_requires_grad_outside_no_grad():
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w.normal_()
    with tg.no_grad():
        assert w.normal_() is w


def test_inplace_samplers_refuse_integer_tensors_where_pytorch_does():
    with pytest.raises(TypeError, match="floating-point"):
        tg.zeros(3, dtype=tg.int64).normal_()


def test_random_without_arguments_covers_the_mantissa_range():
    values = tg.zeros(1000).random_(generator=tg.Generator().manual_seed(0))._data
    assert values.min() >= 0 and values.max() <= 2**24 and values.max() > 2**23


def test_size_arguments_accept_pytorch_spellings():
    assert tg.rand(2, 3).shape == tg.rand((2, 3)).shape == tg.rand([2, 3]).shape == (2, 3)
    assert tg.randn(size=(4,)).shape == (4,)
    with pytest.raises(TypeError, match="ints"):
        tg.rand(2.5)
    with pytest.raises(RuntimeError, match="negative"):
        tg.randn(-1)


def test_compiled_step_draws_new_numbers_each_call_as_eager_does():
    def step(x):
        return x + tg.randn(3, 4)

    compiled = tg.compile(step)
    x = tg.zeros(3, 4)
    tg.manual_seed(0)
    eager = [step(x)._data.copy() for _ in range(3)]
    tg.manual_seed(0)
    fast = [compiled(x)._data.copy() for _ in range(3)]
    for a, b in zip(eager, fast):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(eager[0], eager[1])


def test_fork_rng_restores_the_default_generator():
    tg.manual_seed(2)
    with tg.random.fork_rng():
        tg.randn(100)
    after = tg.rand(3)._data.copy()
    tg.manual_seed(2)
    np.testing.assert_array_equal(tg.rand(3)._data, after)


def test_zero_sized_draws():
    assert tg.rand(0).shape == (0,) and tg.randn(2, 0).shape == (2, 0) and tg.randint(0, 5, (0,)).shape == (0,)


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty", "rand", "randn"])
def test_a_misspelt_keyword_of_a_sized_factory_is_refused_not_ignored(factory):
    # zeros/ones/empty ignored unknown keywords: zeros(3, requires_grads=True) gave a constant silently
    with pytest.raises(TypeError, match="requires_grads"):
        getattr(tg, factory)(3, requires_grads=True)
    assert getattr(tg, factory)(size=(2, 3), layout=None, pin_memory=False).shape == (2, 3)
