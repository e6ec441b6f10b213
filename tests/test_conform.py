"""Issue 12: no wrong answers, and PyTorch's habits. One test per bug (each failed on the old main),
plus the habits, each named after the behaviour it pins."""

from __future__ import annotations

import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.functional as F
from tinygrad_sm import Tensor, gradcheck, nn, no_grad, optim

# ---------------------------------------------------------------- wrong answers


def test_binary_cross_entropy_takes_probabilities():
    loss = F.binary_cross_entropy(Tensor([0.9, 0.2]), [1.0, 0.0])
    assert loss.item() == pytest.approx(0.1643, abs=1e-4)  # the logits version gave 0.5696


def test_binary_cross_entropy_refuses_values_outside_0_1():
    with pytest.raises(ValueError, match=r"probs must be in \[0, 1\].*with_logits"):
        F.binary_cross_entropy(Tensor([1.5, 0.2]), [1.0, 0.0])


def test_binary_cross_entropy_gradient_passes_gradcheck_and_the_hand_formula():
    probs = np.array([0.9, 0.2, 0.55, 0.01])
    targets = np.array([1.0, 0.0, 0.3, 1.0])
    gradcheck(lambda p: F.binary_cross_entropy(p, targets), probs)
    p = Tensor(probs, requires_grad=True)
    F.binary_cross_entropy(p, targets, reduction="sum").backward()
    np.testing.assert_allclose(p.grad.detach().numpy(), (probs - targets) / (probs * (1 - probs)), rtol=1e-12)


def test_binary_cross_entropy_at_0_and_1_is_finite_with_a_zero_gradient():
    p = Tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, [1.0, 0.0], reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(200.0)  # each log clamped at -100
    assert np.isfinite(p.grad.detach().numpy()).all()


def _fused_and_composed(logits, targets):
    composed_logits = Tensor(np.array(logits, dtype=np.float64), requires_grad=True)
    fused_logits = Tensor(np.array(logits, dtype=np.float64), requires_grad=True)
    composed = F.cross_entropy(composed_logits, targets)
    fused = F.softmax_cross_entropy_fused(fused_logits, targets)
    composed.backward()
    fused.backward()
    return composed, fused, composed_logits.grad.detach().numpy(), fused_logits.grad.detach().numpy()


def test_fused_soft_target_gradient_is_p_times_target_mass_minus_t():
    logits = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]])
    targets = np.array([[0.2, 0.3, 0.1], [0.5, 0.9, 0.0]])  # rows do not sum to 1
    composed, fused, composed_grad, fused_grad = _fused_and_composed(logits, targets)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = (probs * targets.sum(axis=1, keepdims=True) - targets) / 2
    np.testing.assert_allclose(fused_grad, expected, rtol=1e-12)
    np.testing.assert_allclose(composed_grad, expected, rtol=1e-12)
    assert fused.item() == pytest.approx(composed.item(), rel=1e-12)


@pytest.mark.parametrize(
    "targets", [np.array([0, 1]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.3, 0.2], [0.4, 0.4]])]
)
def test_fused_and_composed_agree_on_a_fully_masked_row(targets):
    composed, fused, composed_grad, fused_grad = _fused_and_composed([[1.0, 2.0], [-np.inf, -np.inf]], targets)
    assert composed.item() == fused.item() == np.inf
    assert np.isfinite(fused_grad).all()
    np.testing.assert_allclose(fused_grad, composed_grad, rtol=1e-12)


def test_fused_and_composed_agree_on_a_partly_masked_row_without_target_mass_there():
    composed, fused, composed_grad, fused_grad = _fused_and_composed(
        [[0.0, -np.inf], [1.0, 2.0]], np.array([[1.0, 0.0], [0.5, 0.5]])
    )
    assert np.isfinite(composed.item()) and composed.item() == pytest.approx(fused.item(), rel=1e-12)
    np.testing.assert_allclose(fused_grad, composed_grad, rtol=1e-12)


def test_x_to_the_zero_at_zero_has_gradient_zero():
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [0.0, 0.0])


def test_exponent_gradient_of_zero_base_is_zero_for_nonnegative_exponents():
    y = Tensor([0.0, 1.0, 2.5], requires_grad=True)
    (Tensor([0.0, 0.0, 0.0]) ** y).sum().backward()
    np.testing.assert_array_equal(y.grad.detach().numpy(), [0.0, 0.0, 0.0])  # was [-inf, nan, nan]


def test_pow_at_zero_zero_has_finite_gradients():
    x, y = Tensor(0.0, requires_grad=True), Tensor(0.0, requires_grad=True)
    (x**y).backward()
    assert x.grad.item() == 0.0 and y.grad.item() == 0.0


def test_abs_has_gradient_zero_at_zero():
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [-1.0, 0.0, 1.0])
    gradcheck(lambda t: t.abs(), np.array([-1.5, 0.7]))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_integer_min_and_minimum_do_not_overflow(dtype):
    lowest = np.iinfo(dtype).min
    values = Tensor(np.array([0, lowest], dtype))
    assert values.min().item() == lowest and values.min().dtype == dtype
    assert tg.minimum(values, Tensor(np.array([lowest, 0], dtype))).tolist() == [lowest, lowest]
    assert values.min(axis=0).item() == lowest


def test_bool_min_and_minimum_work():
    flags = Tensor([True, False])
    assert flags.min().item() is False and flags.min().dtype == np.bool_
    assert flags.minimum(Tensor([True, True])).tolist() == [True, False]


def test_min_gradient_splits_ties_like_max():
    x = Tensor([[1.0, 3.0], [1.0, 2.0]], requires_grad=True)
    x.min().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [[0.5, 0.0], [0.5, 0.0]])
    gradcheck(lambda t: t.min(axis=1), np.array([[1.0, 3.0], [4.0, 2.0]]))


def test_tensor_copies_its_array_so_a_later_write_cannot_change_the_gradient():
    array = np.array([1.0, 2.0, 3.0])
    x = Tensor(array, requires_grad=True)
    loss = (x * x).sum()
    array[0] = 100.0
    loss.backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [2.0, 4.0, 6.0])  # was [200, 4, 6]
    assert not np.shares_memory(tg.tensor(array).detach().numpy(), array)


def test_from_numpy_shares_and_a_saved_array_refuses_raw_writes():
    array = np.array([1.0, 2.0, 3.0])
    x = tg.from_numpy(array)
    assert np.shares_memory(x.detach().numpy(), array)
    w = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    loss = (x * w).sum()  # mul saves x for w's gradient
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 100.0
    loss.backward()
    np.testing.assert_array_equal(w.grad.detach().numpy(), [1.0, 2.0, 3.0])
    array[0] = 5.0  # writable again once backward released the graph
    assert x.detach().numpy()[0] == 5.0


@pytest.mark.parametrize(
    "convert",
    [
        np.asarray,
        lambda t: np.array([t, t]),
        lambda t: np.mean([t, t + 2]),
        lambda t: np.std([t, t]),
        lambda t: np.var([t, t]),
        lambda t: t.numpy(),
    ],
    ids=["asarray", "array_of_list", "mean_of_list", "std_of_list", "var_of_list", "numpy"],
)
def test_numpy_conversion_of_a_tensor_that_requires_grad_raises(convert):
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        convert(x)


def test_numpy_functions_without_a_primitive_raise_on_grad_and_run_on_plain_values():
    x = Tensor([1.0, 2.0, 4.0], requires_grad=True)
    with pytest.raises(TypeError, match="np.cov"):
        np.cov(x)
    assert np.cov(x.detach()) == pytest.approx(np.cov([1.0, 2.0, 4.0]))
    assert np.allclose(np.asarray(x.detach()), [1.0, 2.0, 4.0])


def test_numpy_functions_with_a_primitive_keep_the_graph():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = np.sum(np.swapaxes(x, axis1=0, axis2=1) * np.exp(x), axis=0, keepdims=True)
    assert isinstance(out, Tensor) and out.requires_grad and out.shape == (1, 2)
    np.mean(np.transpose(x, axes=(1, 0))).backward()
    np.testing.assert_allclose(x.grad.detach().numpy(), np.full((2, 2), 0.25))


def test_frozen_array_guard_is_correct_under_many_threads():
    """Eight threads build and drop graphs that save one shared constant while a live graph holds it:
    with unlocked counts, lost updates left the array read-only after every graph was gone (or
    writable while one still needed it)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(2):
            shared = Tensor(np.ones(3))  # each mul saves it for w's gradient
            errors = []

            def work(shared=shared, errors=errors):
                try:
                    for _ in range(1500):
                        w = Tensor(np.ones(3), requires_grad=True)
                        loss = (w * shared).sum()
                        del loss
                except Exception as error:  # pragma: no cover - reported below
                    errors.append(error)

            keeper_w = Tensor(np.ones(3), requires_grad=True)
            keeper = (keeper_w * shared).sum()  # a live graph that needs `shared`
            threads = [threading.Thread(target=work) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert not errors
            with pytest.raises(ValueError, match="read-only"):
                shared.detach().numpy()[0] = 100.0  # the live graph still holds it: the raw write must be refused
            keeper.backward()
            np.testing.assert_array_equal(keeper_w.grad.detach().numpy(), [1.0, 1.0, 1.0])
            del keeper
            assert shared.detach().numpy().flags.writeable, "a stale count left the array read-only with no graph alive"
            assert tg.autograd.frozen_count(shared.detach().numpy()) == 0
    finally:
        sys.setswitchinterval(previous)


# ---------------------------------------------------------------- dtypes


def test_dtype_inference_follows_pytorch():
    assert tg.tensor([0, 2]).dtype == np.int64
    assert tg.tensor([0.5, 2]).dtype == np.float32
    assert tg.tensor([True]).dtype == np.bool_
    assert tg.tensor(np.zeros(2, np.float16)).dtype == np.float16
    F.cross_entropy(Tensor([[1.0, 2.0], [0.0, 1.0]]), tg.tensor([0, 1]))  # int64 labels are valid


def test_promotion_keeps_float32_against_scalars_and_0d_tensors():
    x = Tensor(np.ones(3, np.float32))
    assert (x + 2.0).dtype == np.float32
    assert (x + tg.tensor(2.0, dtype=np.float64)).dtype == np.float32
    assert (x * np.float64(2.0)).dtype == np.float32
    assert (tg.tensor([1, 2]) * 2.5).dtype == np.float32
    assert (tg.tensor([1, 2]) / tg.tensor([2, 2])).dtype == np.float32
    assert tg.where(np.array([True, False, True]), x, 0).dtype == np.float32
    assert tg.result_type(tg.tensor([1], dtype=np.int64), tg.tensor([1.0], dtype=np.float16)) == np.float16


def test_promotion_rules_table_is_in_the_dtypes_docstring():
    assert "| int32 (n,) + Python float | float32 |" in tg.dtypes.__doc__


def test_gradient_of_a_promoted_operand_keeps_its_dtype():
    x = Tensor(np.ones(2, np.float32), requires_grad=True)
    y = Tensor(np.ones(2, np.float64), requires_grad=True)
    (x * y).sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64


def test_dtype_methods_and_to():
    x = Tensor([1.5, -2.0], requires_grad=True)
    assert x.double().dtype == np.float64 and x.half().dtype == np.float16
    assert x.long().tolist() == [1, -2] and x.int().dtype == np.int32 and x.bool().dtype == np.bool_
    assert x.to(tg.float64).dtype == np.float64 and x.to("cpu") is x and x.to("float64").dtype == np.float64
    x.double().sum().backward()
    assert x.grad.dtype == np.float32
    with pytest.raises(RuntimeError, match="cuda"):
        x.to("cuda")


# ---------------------------------------------------------------- habits


def test_clone_is_a_differentiable_copy():
    x = Tensor([1.0, 2.0], requires_grad=True)
    copy = x.clone()
    assert not np.shares_memory(copy.detach().numpy(), x.detach().numpy())
    (copy * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [3.0, 3.0])


def test_softmax_and_log_softmax_methods_take_dim():
    x = Tensor(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(x.softmax(dim=1).detach().numpy(), F.softmax(x, axis=1).detach().numpy())
    np.testing.assert_allclose(x.log_softmax(0).detach().numpy(), F.log_softmax(x, dim=0).detach().numpy())
    with pytest.raises(TypeError, match="not both"):
        F.softmax(x, axis=1, dim=1)


def test_matmul_mm_dot():
    a, b = Tensor(np.arange(6.0).reshape(2, 3)), Tensor(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(a.matmul(b).detach().numpy(), a.detach().numpy() @ b.detach().numpy())
    np.testing.assert_array_equal(a.mm(b).detach().numpy(), a.detach().numpy() @ b.detach().numpy())
    assert Tensor([1.0, 2.0]).dot(Tensor([3.0, 4.0])).item() == 11.0
    with pytest.raises(ValueError, match="mm needs two 2-D"):
        Tensor([1.0, 2.0]).mm(b)


def test_retain_grad_keeps_an_intermediate_gradient_and_reading_without_it_warns():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    hidden.retain_grad()
    other = x * 2
    (hidden * other).sum().backward()
    np.testing.assert_array_equal(hidden.grad.detach().numpy(), [2.0, 4.0])
    with pytest.warns(UserWarning, match="non-leaf.*retain_grad"):
        assert other.grad is None


def test_register_hook_sees_and_can_replace_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seen = []
    hidden = x * 2
    hidden.register_hook(lambda g: seen.append(g.detach().numpy().copy()))
    remove = x.register_hook(lambda g: g * 10)
    (hidden * hidden).sum().backward()
    np.testing.assert_array_equal(seen[0], [4.0, 8.0])
    np.testing.assert_array_equal(x.grad.detach().numpy(), [80.0, 160.0])
    remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [1.0, 1.0])


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
def test_reductions_take_dim_and_keepdim(method):
    x = Tensor(np.array([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]]))
    expected = getattr(x.detach().numpy(), method)(axis=1, keepdims=True)
    result = getattr(x, method)(dim=1, keepdim=True)
    values = result.values if method in ("max", "min") else result
    np.testing.assert_allclose(values.detach().numpy(), expected, rtol=1e-15)
    np.testing.assert_allclose(getattr(x, method)(axis=1, keepdims=True).detach().numpy(), expected, rtol=1e-15)
    positional = getattr(x, method)(1, True)  # PyTorch's positional dim: (values, indices) for max/min
    values = positional.values if method in ("max", "min") else positional
    np.testing.assert_allclose(values.detach().numpy(), expected, rtol=1e-15)
    with pytest.raises(TypeError, match="not both"):
        getattr(x, method)(axis=1, dim=1)


def test_max_with_dim_returns_values_and_indices_like_pytorch():
    values, indices = Tensor([[1.0, 5.0], [4.0, 0.0]]).max(dim=1)
    assert values.tolist() == [5.0, 4.0] and indices.tolist() == [1, 0]


def test_zero_dim_reductions_and_softmax():
    x = Tensor(1.5, requires_grad=True)
    assert x.sum(0).item() == 1.5 and x.sum(-1).item() == 1.5 and x.sum(dim=0, keepdim=True).shape == ()
    assert x.softmax(0).item() == 1.0 and x.log_softmax(-1).item() == 0.0
    assert F.logsumexp(x, dim=0).item() == 1.5
    with pytest.raises(IndexError, match="0-d"):
        x.sum(1)


def test_package_exposes_submodules_lazily_and_import_stays_light():
    code = (
        "import sys, tinygrad_sm as tg; assert not {'graphviz', 'tqdm', 'matplotlib'} & set(sys.modules); "
        "assert 'tinygrad_sm.viz' not in sys.modules; tg.nn.Linear; tg.functional.softmax; tg.optim.SGD; "
        "tg.data; tg.viz; import tinygrad_sm.tensor as module; assert module.Tensor is tg.Tensor; "
        "assert tg.tensor([1]).dtype == 'int64'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_linear_stores_weight_out_by_in_and_computes_x_at_w_transpose():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3)
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(
        layer(Tensor(x)).detach().numpy(), x @ layer.weight.detach().numpy().T + layer.bias.detach().numpy(), rtol=1e-6
    )
    gradcheck(
        lambda inputs, weight, bias: F.cross_entropy(
            tg.ops.Matmul.apply(inputs, weight, transpose_b=True) + bias, np.array([0, 1])
        ),
        x.astype(np.float64),
        layer.weight.detach().numpy().astype(np.float64),
        np.zeros(2),
    )


def test_last_layer_gradient_reads_off_a_minus_y_transposed_times_a_prev():
    rng = np.random.default_rng(0)
    a_prev = rng.standard_normal((4, 3))
    layer = nn.Linear(3, 5)
    labels = np.array([0, 4, 2, 2])
    F.cross_entropy(layer(Tensor(a_prev.astype(np.float32))), labels).backward()
    logits = a_prev @ layer.weight.detach().numpy().T.astype(np.float64) + layer.bias.detach().numpy()
    a = np.exp(logits - logits.max(1, keepdims=True))
    a /= a.sum(1, keepdims=True)
    expected, _ = tg.analytic.last_layer_grads(a_prev, a, np.eye(5)[labels])
    np.testing.assert_allclose(layer.weight.grad.detach().numpy(), expected, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- cross-entropy layouts (values vs PyTorch are pinned)


def test_cross_entropy_plain_case_still_gives_p_minus_delta_exactly():
    logits = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]), requires_grad=True)
    F.cross_entropy(logits, [2, 0]).backward()
    probs = np.exp(logits.detach().numpy() - logits.detach().numpy().max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    np.testing.assert_allclose(logits.grad.detach().numpy(), (probs - np.eye(3)[[2, 0]]) / 2, rtol=1e-15, atol=1e-17)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ignore_index": 1},
        {"label_smoothing": 0.2},
        {"weight": [1.0, 3.0, 0.5]},
        {"weight": [1.0, 3.0, 0.5], "label_smoothing": 0.1, "ignore_index": 0},
    ],
)
def test_cross_entropy_options_pass_gradcheck(kwargs):
    labels = np.array([0, 1, 2, 1])
    gradcheck(lambda z: F.cross_entropy(z, labels, **kwargs), np.random.default_rng(1).standard_normal((4, 3)))


def test_cross_entropy_spatial_equals_flattened_rows():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((2, 3, 4))
    labels = rng.integers(0, 3, size=(2, 4))
    spatial = F.cross_entropy(Tensor(logits), labels, reduction="none")
    rows = F.cross_entropy(Tensor(logits.transpose(0, 2, 1).reshape(-1, 3)), labels.reshape(-1), reduction="none")
    assert spatial.shape == (2, 4)
    np.testing.assert_allclose(spatial.detach().numpy().reshape(-1), rows.detach().numpy(), rtol=1e-12)


def test_every_label_ignored_gives_nan_as_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(F.cross_entropy(Tensor([[1.0, 2.0]]), [-100]).item())


# ---------------------------------------------------------------- in place, second backward


def test_in_place_add_on_an_intermediate_gives_pytorchs_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = x * 2
    c += c + 1  # micrograd's own test: c = 2c + 1 = 4x + 1
    c.sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [4.0, 4.0, 4.0])


def test_in_place_on_an_intermediate_keeps_earlier_uses_at_the_old_value():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = x * 3
    before = c * c  # saved c = 3x
    c *= x  # c = 3x^2
    (before + c).sum().backward()  # d/dx (9x^2 + 3x^2) = 24x
    np.testing.assert_allclose(x.grad.detach().numpy(), [24.0, 48.0])
    np.testing.assert_allclose(before.detach().numpy(), [9.0, 36.0])


def test_in_place_adding_a_tensor_that_requires_grad_joins_the_graph():
    total = tg.zeros(2)
    w = Tensor([1.0, 2.0], requires_grad=True)
    total += w * w
    total.sum().backward()
    np.testing.assert_array_equal(w.grad.detach().numpy(), [2.0, 4.0])


def test_in_place_on_an_aliased_intermediate_raises_instead_of_diverging():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = x * 2
    view = c.detach()
    with pytest.raises(RuntimeError, match="shared"):
        c += 1
    assert view.tolist() == [2.0, 4.0]


def test_in_place_on_a_leaf_that_requires_grad_stays_an_error():
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1
    with no_grad():
        w += 1
    assert w.item() == 2.0


def test_second_backward_through_a_graph_that_saved_nothing_works():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    loss = (a + b).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(a.grad.detach().numpy(), [2.0, 2.0])


def test_second_backward_through_saved_arrays_is_still_an_error():
    a = Tensor([1.0, 2.0], requires_grad=True)
    loss = (a * a).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


# ---------------------------------------------------------------- errors that say the real cause


def test_labels_of_shape_n_by_1_suggest_reshape():
    with pytest.raises(ValueError, match=r"\(2,\).*reshape\(-1\)"):
        F.cross_entropy(Tensor([[1.0, 2.0], [0.0, 1.0]]), np.array([[0], [1]]))


def test_truth_value_of_several_elements_is_ambiguous():
    with pytest.raises(ValueError, match="ambiguous"):
        if Tensor([1.0, 2.0]) > 0:
            pass


def test_optimizer_given_a_module_says_to_pass_parameters():
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        optim.SGD(nn.Linear(2, 2), lr=0.1)


def test_rebinding_a_parameter_warns_where_the_leaf_was_lost():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w = w - 0.1 * w.grad
    (w * w).sum().backward()
    with pytest.warns(UserWarning, match=r"w = w - lr \* w\.grad"):
        assert w.grad is None
    with pytest.raises(ValueError, match="not a leaf"):
        optim.SGD([w], lr=0.1)


def test_raw_write_into_a_saved_array_names_the_op_and_the_live_graph():
    w, x = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    loss = (w * x).sum()
    with pytest.raises(ValueError, match=r"read-only: it was saved by op 'mul'.*graph is still alive"):
        x.detach().numpy()[0] = 5.0
    with pytest.raises(ValueError, match="saved by op 'mul'"):
        values = x.detach().numpy()
        values += 1.0
    assert type(x.detach().numpy() * 2) is np.ndarray  # arithmetic on the guarded view gives plain arrays
    loss.backward()
    x.detach().numpy()[0] = 5.0  # released: writable again
    assert x.tolist() == [5.0, 4.0]


def test_transpose_with_two_dims_swaps_them_as_pytorch():
    matrix = Tensor(np.arange(6.0).reshape(2, 3))
    assert matrix.transpose(0, 1).shape == (3, 2)  # PyTorch: swap (NumPy's permutation (0, 1) was the identity)
    cube = Tensor(np.zeros((2, 3, 4)))
    assert cube.transpose(0, 2).shape == (4, 3, 2)
    assert cube.transpose(1, 0, 2).shape == (3, 2, 4) and cube.permute(2, 0, 1).shape == (4, 2, 3)
    assert cube.transpose((2, 1, 0)).shape == cube.T.shape == (4, 3, 2)
